"""The bulk write path: duplicates, ids, primary companies, history and associations."""

import pytest

from comptoir.contacts.models import Contact
from comptoir.core.associations.models import Association
from comptoir.core.history.models import PropertyChange
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.writes import create_record, purge_records
from comptoir.core.testing.factories import UI, make_company, make_contact


@pytest.mark.django_db
def test_duplicates_of_existing_records_and_within_the_batch_are_refused():
    existing = make_contact(email="taken@acme.fr")
    rows = [{"email": "TAKEN@acme.fr"}, {"email": "new@acme.fr"}, {"email": "new@acme.fr"}]
    result = bulk_create_records("contacts", rows, source=UI)
    assert result.ids[0] is None and result.ids[2] is None
    assert result.errors[0][0].code == "DUPLICATE_VALUE"
    assert str(existing.pk) in result.errors[0][0].message
    assert result.errors[2][0].code == "DUPLICATE_VALUE"
    assert (
        Contact.objects.filter(email="new@acme.fr").values_list("pk", flat=True).get()
        == (result.ids[1])
    )


@pytest.mark.django_db
def test_ids_of_purged_records_are_never_given_again():
    make_contact(email="a@acme.fr")
    last = make_contact(email="b@acme.fr")
    purge_records("contacts", [last.pk])
    result = bulk_create_records("contacts", [{"email": "c@acme.fr"}], source=UI)
    assert result.ids[0] > last.pk
    assert create_record("contacts", {"email": "d@acme.fr"}, source=UI).pk > result.ids[0]


@pytest.mark.django_db
@pytest.mark.parametrize("type_ids", [[1], ["1"]])
def test_primary_company_is_mirrored_whatever_the_type_id_spelling(type_ids):
    company = make_company(domain="acme.fr")
    result = bulk_create_records(
        "contacts",
        [{"email": "jo@acme.fr", "firstname": "Jo"}],
        source=UI,
        associations=[[("companies", company.pk, type_ids)]],
    )
    (contact_id,) = result.ids
    contact = Contact.objects.get(pk=contact_id)
    assert contact.properties["associatedcompanyid"] == company.pk
    pairs = set(Association.objects.values_list("from_type", "from_id", "to_id", "type_id"))
    assert {
        ("contacts", contact_id, company.pk, 1),
        ("contacts", contact_id, company.pk, 279),
        ("companies", company.pk, contact_id, 2),
        ("companies", company.pk, contact_id, 280),
    } <= pairs
    history = dict(
        PropertyChange.objects.filter(object_type="0-1", object_id=contact_id).values_list(
            "property", "value"
        )
    )
    assert history["associatedcompanyid"] == str(company.pk)
    assert history["firstname"] == "Jo" and history["email"] == "jo@acme.fr"
    assert contact.search_text.split()[:1] == ["jo"]
