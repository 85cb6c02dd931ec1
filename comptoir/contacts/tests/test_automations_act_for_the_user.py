"""The email-domain automations link records as HubSpot does, whoever they belong to, but
copy an owner only onto a record the user whose write set them off may change: a rep who
sees only their own records cannot take over other records through an email domain, by
the API, the UI or an import (issue 13, point 1)."""

import json

import pytest

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload
from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db

PRIVATE = "Sales rep – private"  # noqa: RUF001 - the role's name


@pytest.fixture
def rep():
    return make_user("rep@example.com", role=PRIVATE)


@pytest.fixture
def manager():
    return make_user("boss@example.com", role="Sales manager")


def api(client, user, path, body, method="post"):
    raw = create_token(user, "test")[1]
    return getattr(client, method)(
        path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def owner(record):
    record.refresh_from_db()
    return record.hubspot_owner_id


def test_a_contact_joining_a_company_its_author_cannot_see_does_not_take_it_over(
    client, rep, manager
):
    unowned = make_company(name="Victim", domain="victim.com")
    theirs = make_company(name="Theirs", domain="theirs.com", hubspot_owner_id=manager.owner.pk)
    for company, email in ((unowned, "x@victim.com"), (theirs, "y@theirs.com")):
        response = api(client, rep, "/crm/v3/objects/contacts", {"properties": {"email": email}})
        assert response.status_code == 201
        created = int(response.json()["id"])
        assert associated_ids("contacts", created, "companies") == [company.pk]  # HubSpot's rule
    # No owner taken: the unowned company stays out of the rep's reach.
    assert (owner(unowned), owner(theirs)) == (None, manager.owner.pk)
    assert not base_queryset("companies", user=rep).filter(pk=unowned.pk).exists()


def test_the_same_write_by_someone_who_may_change_everything_fills_the_owner(client, manager):
    unowned = make_company(name="Acme", domain="acme.com")
    response = api(
        client,
        manager,
        "/crm/v3/objects/contacts",
        {"properties": {"email": "a@acme.com", "hubspot_owner_id": str(manager.owner.pk)}},
    )
    created = int(response.json()["id"])
    assert associated_ids("contacts", created, "companies") == [unowned.pk]
    assert owner(unowned) == manager.owner.pk


def test_a_rep_joins_their_own_company_and_it_keeps_its_owner(client, rep, manager):
    mine = make_company(name="Mine", domain="mine.com", hubspot_owner_id=rep.owner.pk)
    response = api(client, rep, "/crm/v3/objects/contacts", {"properties": {"email": "a@mine.com"}})
    assert associated_ids("contacts", int(response.json()["id"]), "companies") == [mine.pk]


def test_a_new_company_gathers_contacts_but_owns_only_those_its_author_may_change(
    client, rep, manager
):
    unowned = make_contact(email="boss@prey.com")
    theirs = make_contact(email="cfo@prey.com", hubspot_owner_id=manager.owner.pk)
    mine = make_contact(email="me@prey.com", hubspot_owner_id=rep.owner.pk)
    response = api(
        client,
        rep,
        "/crm/v3/objects/companies",
        {"properties": {"name": "P", "domain": "prey.com"}},
    )
    company = int(response.json()["id"])
    gathered = sorted(associated_ids("companies", company, "contacts"))
    assert gathered == sorted([unowned.pk, theirs.pk, mine.pk])  # HubSpot's rule
    assert (owner(unowned), owner(theirs)) == (None, manager.owner.pk)
    assert not base_queryset("contacts", user=rep).filter(pk=unowned.pk).exists()


def test_changing_an_email_in_the_ui_does_not_take_over_an_invisible_company(client, rep):
    unowned = make_company(name="Victim", domain="victim.com")
    mine = make_contact(email="me@elsewhere.org", hubspot_owner_id=rep.owner.pk)
    client.force_login(rep)
    response = client.post(
        f"/contacts/{mine.pk}/properties/email/", {"email": "me@victim.com"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.email == "me@victim.com"
    assert associated_ids("contacts", mine.pk, "companies") == [unowned.pk]
    assert owner(unowned) is None


def test_an_import_by_a_rep_does_not_take_over_an_invisible_company(rep):
    from comptoir.users.models import Role

    Role.objects.filter(name=PRIVATE).update(can_import=True)
    rep.refresh_from_db()
    unowned = make_company(name="Victim", domain="victim.com")
    imp = run_import(upload(rep, csv_bytes([["Email"], ["a@victim.com"], ["b@victim.com"]])))
    assert imp.created == 2
    assert owner(unowned) is None


def test_a_company_owner_change_moves_only_contacts_its_author_may_change(client, rep, manager):
    company = make_company(name="Shared", domain="shared.com", hubspot_owner_id=rep.owner.pk)
    mine = make_contact(email="a@shared.com", hubspot_owner_id=rep.owner.pk)
    unowned = make_contact(email="b@other.org")
    from comptoir.core.associations.services import associate
    from comptoir.core.testing.factories import UI

    associate("contacts", mine.pk, "companies", company.pk, [1], source=UI)
    associate("contacts", unowned.pk, "companies", company.pk, [1], source=UI)
    # Left without an owner (the association gave it the company's): out of the rep's reach.
    base_queryset("contacts").filter(pk=unowned.pk).update(hubspot_owner_id=None)
    Owner = type(manager.owner)
    other = Owner.objects.get(pk=manager.owner.pk)
    response = api(
        client,
        rep,
        f"/crm/v3/objects/companies/{company.pk}",
        {"properties": {"hubspot_owner_id": str(other.pk)}},
        "patch",
    )
    assert response.status_code == 200
    assert owner(mine) == other.pk  # the rep's own contact follows its company
    assert owner(unowned) is None  # one they could not change is left alone
