"""Association cards on the record page: add existing, create and associate, remove, labels,
primary company."""

import pytest

from comptoir.core.associations.models import AssociationLabel
from comptoir.core.associations.services import associated_ids, primary_company_id
from comptoir.core.properties import registry
from comptoir.core.records.reads import get_record
from comptoir.core.testing.factories import make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_search_add_and_remove_from_a_card(client_in):
    contact = make_contact(email="ann@gmail.com", firstname="Ann")
    deal = make_deal(dealname="Renewal Globex")
    make_deal(dealname="Other thing")
    html = client_in.get(
        f"/contacts/{contact.pk}/associations/deals/search/?q=globex", **HX
    ).content.decode()
    assert "Renewal Globex" in html and "Other thing" not in html
    assert f'name="to_id" value="{deal.pk}"' in html

    response = client_in.post(
        f"/contacts/{contact.pk}/associations/deals/add/", {"to_id": deal.pk}, **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="card-deals"' in html and "Renewal Globex" in html and "(1)" in html
    assert "Association added." in html
    assert associated_ids("contacts", contact.pk, "deals") == [deal.pk]
    # Already associated: no longer offered by the search.
    html = client_in.get(
        f"/contacts/{contact.pk}/associations/deals/search/?q=globex", **HX
    ).content.decode()
    assert "Renewal Globex" not in html

    response = client_in.post(f"/contacts/{contact.pk}/associations/deals/{deal.pk}/remove/", **HX)
    assert response.status_code == 200 and "(0)" in response.content.decode()
    assert associated_ids("contacts", contact.pk, "deals") == []
    assert associated_ids("deals", deal.pk, "contacts") == []


def test_add_without_a_choice_or_a_vanished_record(client_in):
    contact = make_contact(email="ann@gmail.com")
    response = client_in.post(f"/contacts/{contact.pk}/associations/deals/add/", {}, **HX)
    assert response.status_code == 422 and "Choose a record" in response.content.decode()
    response = client_in.post(
        f"/contacts/{contact.pk}/associations/deals/add/", {"to_id": "987654"}, **HX
    )
    assert response.status_code == 404
    assert "That record no longer exists." in response.content.decode()


def test_create_and_associate(client_in):
    contact = make_contact(email="ann@gmail.com", firstname="Ann")
    response = client_in.post(
        f"/contacts/{contact.pk}/associations/companies/create/",
        {"name": "Initech", "domain": "initech.com"},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Initech" in html and "Primary" in html
    assert 'id="record-head"' in html  # the header shows the new primary company
    company_id = primary_company_id("contacts", contact.pk)
    assert get_record("companies", company_id).name == "Initech"
    assert get_record("contacts", contact.pk).properties["associatedcompanyid"] == company_id


def test_create_and_associate_refused_keeps_the_form(client_in):
    contact = make_contact(email="ann@gmail.com")
    make_company(name="Taken", domain="taken.com")
    response = client_in.post(
        f"/contacts/{contact.pk}/associations/companies/create/",
        {"name": "Again", "domain": "taken.com"},
        **HX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Again"' in html and "Already used by another record" in html
    assert '<details class="assoc-add" open>' in html
    assert associated_ids("contacts", contact.pk, "companies") == []
    response = client_in.post(
        f"/deals/{make_deal().pk}/associations/tasks/create/",
        {"hs_task_subject": "Send it", "hs_timestamp": "not a date"},
        **HX,
    )
    assert response.status_code == 422 and 'value="not a date"' in response.content.decode()


def test_a_task_created_from_a_card(client_in, user):
    deal = make_deal(dealname="D")
    response = client_in.post(
        f"/deals/{deal.pk}/associations/tasks/create/",
        {"hs_task_subject": "Send the quote", "hs_timestamp": "2030-01-02T09:00"},
        **HX,
    )
    assert response.status_code == 200 and "Send the quote" in response.content.decode()
    (task_id,) = associated_ids("deals", deal.pk, "tasks")
    task = get_record("tasks", task_id)
    assert task.properties["hs_task_status"] == "NOT_STARTED"
    assert task.hubspot_owner_id == user.owner.pk


def test_set_primary_company_and_labels(client_in):
    first = make_company(name="First", domain="first.com")
    second = make_company(name="Second", domain="second.com")
    contact = make_contact(
        email="ann@gmail.com",
        associations=[("companies", first.pk, None), ("companies", second.pk, None)],
    )
    assert primary_company_id("contacts", contact.pk) == first.pk
    html = client_in.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Set Second as primary" in html and "Set First as primary" not in html
    response = client_in.post(
        f"/contacts/{contact.pk}/associations/companies/{second.pk}/primary/", **HX
    )
    assert response.status_code == 200
    assert primary_company_id("contacts", contact.pk) == second.pk
    assert "Set First as primary" in response.content.decode()

    AssociationLabel.objects.create(
        from_type="contacts",
        to_type="companies",
        type_id=9001,
        inverse_type_id=9002,
        label="Decision maker",
        name="decision_maker",
    )
    AssociationLabel.objects.create(
        from_type="companies",
        to_type="contacts",
        type_id=9002,
        inverse_type_id=9001,
        label="Decision maker",
        name="decision_maker",
    )
    registry.invalidate()
    third = make_company(name="Third", domain="third.com")
    html = client_in.get(f"/contacts/{contact.pk}/").content.decode()
    assert '<option value="9001">Decision maker</option>' in html
    response = client_in.post(
        f"/contacts/{contact.pk}/associations/companies/add/",
        {"to_id": third.pk, "label": "9001"},
        **HX,
    )
    assert "Decision maker" in response.content.decode()


def test_card_shows_a_bounded_list(client_in):
    company = make_company(name="Big", domain="big.com")
    for i in range(12):
        make_contact(email=f"p{i}@big.com")
    html = client_in.get(f"/companies/{company.pk}/").content.decode()
    assert 'Contacts <span class="count">(12)</span>' in html
    assert "Show all 12" in html
    html = client_in.get(
        f"/companies/{company.pk}/associations/contacts/?all=1", **HX
    ).content.decode()
    assert html.count('class="assoc-item"') == 12


def test_cards_refuse_pairs_that_do_not_belong(client_in):
    contact = make_contact(email="ann@gmail.com")
    assert client_in.get(f"/contacts/{contact.pk}/associations/contacts/", **HX).status_code == 404
    assert (
        client_in.post(f"/contacts/{contact.pk}/associations/deals/1/primary/", **HX).status_code
        == 404
    )


def test_change_the_labels_of_an_existing_association(client_in):
    from comptoir.core.associations.labels import create_label
    from comptoir.core.associations.services import associations_by_target

    decision = create_label("contacts", "companies", "Decision maker", "decision_maker")
    billing = create_label("contacts", "companies", "Billing contact", "billing_contact")
    company = make_company(name="Acme", domain="acme.com")
    contact = make_contact(email="ann@gmail.com", associations=[("companies", company.pk, None)])
    assert primary_company_id("contacts", contact.pk) == company.pk
    url = f"/contacts/{contact.pk}/associations/companies/{company.pk}/labels/"
    client_in.post(url, {"label": [str(decision.type_id)]}, **HX)
    html = client_in.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Edit labels of Acme" in html
    assert f'value="{decision.type_id}" checked' in html

    response = client_in.post(url, {"label": [str(billing.type_id)]}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Labels saved." in html and "Billing contact" in html
    types = associations_by_target("contacts", [contact.pk], "companies")[contact.pk][company.pk]
    # Decision maker off, billing on; the association itself and the primary flag stay.
    assert billing.type_id in types and decision.type_id not in types
    assert primary_company_id("contacts", contact.pk) == company.pk
    # The other side sees the same labels (the inverse rows follow).
    back = associations_by_target("companies", [company.pk], "contacts")[company.pk][contact.pk]
    assert billing.inverse_type_id in back and decision.inverse_type_id not in back

    # Nothing ticked: the records stay associated, without labels.
    client_in.post(url, {}, **HX)
    types = associations_by_target("contacts", [contact.pk], "companies")[contact.pk][company.pk]
    assert billing.type_id not in types and associated_ids("contacts", contact.pk, "companies")


def test_labels_of_a_missing_association_are_refused(client_in):
    from comptoir.core.associations.labels import create_label

    label = create_label("contacts", "companies", "Decision maker", "decision_maker")
    company = make_company(name="Acme", domain="acme.com")
    contact = make_contact(email="ann@gmail.com")
    response = client_in.post(
        f"/contacts/{contact.pk}/associations/companies/{company.pk}/labels/",
        {"label": [str(label.type_id)]},
        **HX,
    )
    assert response.status_code == 422
    assert "That association no longer exists." in response.content.decode()
    assert associated_ids("contacts", contact.pk, "companies") == []
