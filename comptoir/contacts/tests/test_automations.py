"""Contact and company automations (SET-3): domain association, owner and lifecycle sync."""

import pytest

from comptoir.core.associations.services import associate, primary_company_id
from comptoir.core.portal.services import update_portal
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import UI, make_company, make_contact, make_user

pytestmark = pytest.mark.django_db


def test_contact_is_associated_with_the_company_of_its_email_domain():
    company = make_company(name="Acme", domain="acme.fr")
    contact = make_contact(email="jean@acme.fr")
    assert primary_company_id("contacts", contact.pk) == company.pk
    sub = make_contact(email="marie@paris.acme.fr")
    assert primary_company_id("contacts", sub.pk) == company.pk


def test_no_company_is_created_and_free_mail_never_matches():
    from comptoir.companies.models import Company

    make_company(name="Gmail", domain="gmail.com")
    for email in ("a@gmail.com", "b@orange.fr", "c@yahoo.fr", "d@hotmail.com", "e@unknown.fr"):
        contact = make_contact(email=email)
        assert primary_company_id("contacts", contact.pk) is None
    assert Company.objects.count() == 1


def test_new_company_picks_up_contacts_of_its_domain():
    contact = make_contact(email="zoe@newco.io")
    company = make_company(name="NewCo", domain="newco.io")
    assert primary_company_id("contacts", contact.pk) == company.pk


def test_email_change_associates_with_the_new_domain():
    company = make_company(name="Acme", domain="acme.fr")
    contact = make_contact(email="jean@gmail.com")
    update_record("contacts", contact.pk, {"email": "jean@acme.fr"}, source=UI)
    assert primary_company_id("contacts", contact.pk) == company.pk


def test_auto_association_can_be_switched_off():
    update_portal(auto_associate_companies=False)
    make_company(name="Acme", domain="acme.fr")
    contact = make_contact(email="jean@acme.fr")
    assert primary_company_id("contacts", contact.pk) is None


def test_owner_flows_between_contact_and_company():
    alice, bob = make_user(), make_user()
    company = make_company(name="Acme", domain="acme.fr", hubspot_owner_id=alice.owner.pk)
    contact = make_contact(email="jean@acme.fr")
    contact.refresh_from_db()
    assert contact.hubspot_owner_id == alice.owner.pk
    update_record("companies", company.pk, {"hubspot_owner_id": bob.owner.pk}, source=UI)
    contact.refresh_from_db()
    assert contact.hubspot_owner_id == bob.owner.pk
    # A company without owner takes its contact's.
    orphan = make_company(name="Orphan")
    owned = make_contact(email="o@gmail.com", hubspot_owner_id=alice.owner.pk)
    associate("contacts", owned.pk, "companies", orphan.pk, [1], source=UI)
    orphan.refresh_from_db()
    assert orphan.hubspot_owner_id == alice.owner.pk


def test_owner_sync_keeps_owners_that_were_set_deliberately():
    alice, bob, carol = make_user(), make_user(), make_user()
    company = make_company(name="Acme", domain="acme.fr", hubspot_owner_id=alice.owner.pk)
    contact = make_contact(email="jean@acme.fr", hubspot_owner_id=carol.owner.pk)
    update_record("companies", company.pk, {"hubspot_owner_id": bob.owner.pk}, source=UI)
    contact.refresh_from_db()
    assert contact.hubspot_owner_id == carol.owner.pk


def test_owner_sync_can_be_switched_off():
    update_portal(sync_owner_contact_company=False)
    alice = make_user()
    make_company(name="Acme", domain="acme.fr", hubspot_owner_id=alice.owner.pk)
    contact = make_contact(email="jean@acme.fr")
    contact.refresh_from_db()
    assert contact.hubspot_owner_id is None


def test_company_lifecycle_stage_flows_to_its_contacts_forward_only():
    company = make_company(name="Acme", domain="acme.fr")
    lead = make_contact(email="lead@acme.fr", lifecyclestage="lead")
    fan = make_contact(email="fan@acme.fr", lifecyclestage="evangelist")
    update_record("companies", company.pk, {"lifecyclestage": "customer"}, source=UI)
    lead.refresh_from_db(), fan.refresh_from_db()
    assert (lead.lifecyclestage, fan.lifecyclestage) == ("customer", "evangelist")
    update_portal(sync_company_lifecycle_to_contacts=False)
    other = make_company(name="Other", domain="other.fr")
    contact = make_contact(email="x@other.fr", lifecyclestage="lead")
    update_record("companies", other.pk, {"lifecyclestage": "opportunity"}, source=UI)
    contact.refresh_from_db()
    assert contact.lifecyclestage == "lead"
