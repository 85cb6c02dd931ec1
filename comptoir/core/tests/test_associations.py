"""Associations (OBJ-4): both directions, HubSpot type ids, labels, primary company."""

import pytest

from comptoir.core.associations import types as atypes
from comptoir.core.associations.models import Association
from comptoir.core.associations.services import (
    AssociationError,
    associate,
    associated_ids,
    associations_by_target,
    primary_company_id,
    remove_association,
)
from comptoir.core.properties.errors import RecordNotFound
from comptoir.core.records.writes import archive_record
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b", "forward", "backward"),
    [
        ("contacts", "companies", 279, 280),
        ("deals", "contacts", 3, 4),
        ("deals", "companies", 341, 342),
        ("contacts", "notes", 201, 202),
        ("companies", "tasks", 191, 192),
        ("deals", "calls", 205, 206),
        ("contacts", "meetings", 199, 200),
        ("companies", "emails", 185, 186),
    ],
)
def test_default_type_ids_are_hubspots_in_both_directions(a, b, forward, backward):
    assert atypes.default_type(a, b).type_id == forward
    assert atypes.default_type(b, a).type_id == backward
    assert atypes.default_type(a, b).inverse_type_id == backward


def test_association_is_readable_from_both_sides():
    contact = make_contact(email="x@gmail.com")
    deal = make_deal()
    associate("deals", deal.pk, "contacts", contact.pk, source=UI)
    assert associated_ids("contacts", contact.pk, "deals") == [deal.pk]
    assert associated_ids("deals", deal.pk, "contacts") == [contact.pk]
    rows = set(Association.objects.values_list("from_type", "type_id"))
    assert rows == {("deals", 3), ("contacts", 4)}


def test_primary_company_is_unique_and_mirrored_in_associatedcompanyid():
    contact = make_contact(email="p@gmail.com")
    first, second = make_company(name="First"), make_company(name="Second")
    associate("contacts", contact.pk, "companies", first.pk, [1], source=UI)
    associate("contacts", contact.pk, "companies", second.pk, [1], source=UI)
    assert primary_company_id("contacts", contact.pk) == second.pk
    contact.refresh_from_db()
    assert contact.properties["associatedcompanyid"] == second.pk
    by_target = associations_by_target("contacts", [contact.pk], "companies")[contact.pk]
    assert by_target == {first.pk: [279], second.pk: [1, 279]}
    # The company side sees the primary too (type 2).
    assert associations_by_target("companies", [second.pk], "contacts")[second.pk] == {
        contact.pk: [2, 280]
    }
    remove_association("companies", second.pk, "contacts", contact.pk, source=UI)
    contact.refresh_from_db()
    assert "associatedcompanyid" not in contact.properties


def test_custom_label_then_removing_only_that_label():
    from comptoir.core.associations.labels import create_label

    label = create_label(
        "contacts",
        "companies",
        "Decision maker",
        "decision_maker",
        inverse_label="Decision maker's company",
    )
    contact = make_contact(email="d@gmail.com")
    company = make_company(name="Acme")
    associate("contacts", contact.pk, "companies", company.pk, [label.type_id], source=UI)
    assert set(
        associations_by_target("contacts", [contact.pk], "companies")[contact.pk][company.pk]
    ) == {279, label.type_id}
    remove_association("contacts", contact.pk, "companies", company.pk, [label.type_id], source=UI)
    assert associations_by_target("contacts", [contact.pk], "companies")[contact.pk][
        company.pk
    ] == [279]


def test_replace_sets_exactly_the_given_labels():
    contact = make_contact(email="r@gmail.com")
    company = make_company(name="Acme")
    associate("contacts", contact.pk, "companies", company.pk, [1], source=UI)
    associate("contacts", contact.pk, "companies", company.pk, [], source=UI, replace=True)
    assert primary_company_id("contacts", contact.pk) is None


def test_activities_associate_with_records():
    contact = make_contact(email="n@gmail.com")
    note = make_activity(
        "notes", hs_note_body="<p>Hi</p>", associations=[("contacts", contact.pk, None)]
    )
    assert associated_ids("contacts", contact.pk, "notes") == [note.pk]


def test_archived_records_disappear_from_association_reads():
    contact = make_contact(email="a@gmail.com")
    deal = make_deal(associations=[("contacts", contact.pk, None)])
    archive_record("deals", deal.pk, source=UI)
    assert associated_ids("contacts", contact.pk, "deals") == []


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda c, co: associate("contacts", c.pk, "companies", co.pk, [999], source=UI),
            AssociationError,
        ),
        (lambda c, co: associate("contacts", c.pk, "companies", 987654, source=UI), RecordNotFound),
        (lambda c, co: associate("notes", 1, "calls", 2, source=UI), AssociationError),
    ],
)
def test_bad_associations_are_refused(call, error):
    contact = make_contact(email="b@gmail.com")
    company = make_company(name="B")
    before = Association.objects.count()
    with pytest.raises(error):
        call(contact, company)
    assert Association.objects.count() == before


def test_inline_association_to_missing_record_creates_nothing():
    from comptoir.contacts.models import Contact

    with pytest.raises(AssociationError, match="does not exist"):
        make_contact(email="i@gmail.com", associations=[("companies", 424242, None)])
    assert not Contact.objects.exists()
