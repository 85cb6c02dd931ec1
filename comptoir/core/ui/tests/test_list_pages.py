"""Index pages (UI-1): table, views in the query string, filters, columns, bulk actions."""

import json
from urllib.parse import urlencode

import pytest

from comptoir.core.savedviews.models import SavedView
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.core.testing.html import select

pytestmark = pytest.mark.django_db


def names_in(response) -> list[str]:
    return [a.text for a in select(response, "div.name-cell > a[href]")]


def headers(response) -> list[str]:
    return [a.text for a in select(response, 'th[scope="col"] > a[href]')]


def test_every_page_needs_a_session(client):
    for path in ("/contacts/", "/companies/", "/deals/", "/tasks/", "/search/?q=a"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/healthz").status_code == 200


def test_sign_in_and_out(client, user):
    response = client.post("/login/", {"username": "rep@example.com", "password": "wrong"})
    assert "do not match" in response.content.decode()
    response = client.post("/login/", {"username": "rep@example.com", "password": "Pass-word-123"})
    assert response.status_code == 302
    assert client.get("/contacts/").status_code == 200
    client.post("/logout/")
    assert client.get("/contacts/").status_code == 302


def test_table_lists_sorts_and_pages(client_in):
    for i, (first, last) in enumerate([("Ann", "Zola"), ("Bob", "Adam"), ("Cy", "Marc")]):
        make_contact(email=f"c{i}@gmail.com", firstname=first, lastname=last)
    assert names_in(client_in.get("/contacts/?sort=lastname")) == [
        "Bob Adam",
        "Cy Marc",
        "Ann Zola",
    ]
    assert names_in(client_in.get("/contacts/?sort=-lastname"))[0] == "Ann Zola"
    page = client_in.get("/contacts/?sort=lastname&per_page=25&page=1")
    assert "3</span>" in page.content.decode()


def test_quick_search_and_advanced_filters_live_in_the_query_string(client_in):
    make_contact(email="lea@gmail.com", firstname="Léa", lastname="Lefèvre", lifecyclestage="lead")
    make_contact(
        email="max@gmail.com", firstname="Max", lastname="Martin", lifecyclestage="customer"
    )
    assert names_in(client_in.get("/contacts/?q=lefevre")) == ["Léa Lefèvre"]
    filters = [
        {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}]}
    ]
    url = "/contacts/?" + urlencode({"filters": json.dumps(filters)})
    assert names_in(client_in.get(url)) == ["Max Martin"]
    # The dialog turns form rows into the same query string.
    response = client_in.post(
        "/search/filters/contacts/",
        {"g0_p0": "lifecyclestage", "g0_o0": "EQ", "g0_v0": "lead", "add": ""},
    )
    assert response.status_code == 302
    assert names_in(client_in.get(response["Location"])) == ["Léa Lefèvre"]


def test_a_bad_filter_is_explained_not_a_crash(client_in):
    url = "/contacts/?" + urlencode(
        {"filters": '[{"filters":[{"propertyName":"nope","operator":"EQ","value":"x"}]}]'}
    )
    response = client_in.get(url)
    assert response.status_code == 200
    assert "could not be applied" in response.content.decode()


def test_builtin_views(client_in, user):
    other = make_user()
    make_contact(email="mine@gmail.com", firstname="Mine", hubspot_owner_id=user.owner.pk)
    make_contact(email="theirs@gmail.com", firstname="Theirs", hubspot_owner_id=other.owner.pk)
    make_contact(email="none@gmail.com", firstname="Nobody")
    assert names_in(client_in.get("/contacts/?view=mine")) == ["Mine"]
    assert names_in(client_in.get("/contacts/?view=unassigned")) == ["Nobody"]
    assert len(names_in(client_in.get("/contacts/?view=recent"))) == 3


def test_save_rename_share_and_delete_a_view(client_in, user):
    make_contact(email="a@gmail.com", firstname="Ann", lifecyclestage="lead")
    make_contact(email="b@gmail.com", firstname="Bob", lifecyclestage="customer")
    filters = json.dumps(
        [{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}]}]
    )
    response = client_in.post(
        "/contacts/views/?" + urlencode({"filters": filters}), {"name": "Leads"}
    )
    view = SavedView.objects.get(owner=user)
    assert response["Location"] == f"/contacts/?view={view.pk}"
    assert names_in(client_in.get(f"/contacts/?view={view.pk}")) == ["Ann"]
    duplicate = client_in.post("/contacts/views/", {"name": "Leads"}, follow=True)
    assert "already have a view named" in duplicate.content.decode()
    client_in.post(f"/contacts/views/{view.pk}/", {"action": "rename", "name": "Hot leads"})
    client_in.post(f"/contacts/views/{view.pk}/", {"action": "share", "shared": "on"})
    view.refresh_from_db()
    assert (view.name, view.shared) == ("Hot leads", True)
    # A teammate sees the shared view but cannot change it.
    from django.test import Client

    teammate = Client()
    teammate.force_login(make_user())
    assert teammate.get(f"/contacts/?view={view.pk}").status_code == 200
    teammate.post(f"/contacts/views/{view.pk}/", {"action": "delete"})
    assert SavedView.objects.filter(pk=view.pk).exists()
    client_in.post(f"/contacts/views/{view.pk}/", {"action": "delete"})
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_edit_columns_per_view(client_in, user):
    make_contact(email="col@gmail.com", firstname="Col", jobtitle="CTO")
    client_in.post("/contacts/columns/?view=all", {"columns": ["jobtitle", "email"]})
    response = client_in.get("/contacts/")
    assert headers(response) == ["Name", "Job title", "Email"]
    assert "CTO" in response.content.decode()
    # Other views keep their own columns.
    assert "Lifecycle stage" in headers(client_in.get("/contacts/?view=unassigned"))


def test_bulk_assign_edit_and_delete(client_in, user):
    ids = [make_contact(email=f"b{i}@gmail.com", firstname=f"B{i}").pk for i in range(3)]
    client_in.post(
        "/contacts/bulk/", {"ids": ids[:2], "action": "assign_owner", "owner": str(user.owner.pk)}
    )
    assert names_in(client_in.get("/contacts/?view=mine&sort=firstname")) == ["B0", "B1"]
    client_in.post(
        "/contacts/bulk/",
        {"ids": ids, "action": "edit_property", "property": "jobtitle", "value": "Buyer"},
    )
    from comptoir.contacts.models import Contact
    from comptoir.core.history.models import PropertyChange

    assert {c.properties["jobtitle"] for c in Contact.objects.all()} == {"Buyer"}
    assert (
        PropertyChange.objects.filter(
            property="jobtitle", actor_id=user.pk, source_type="CRM_UI"
        ).count()
        == 3
    )
    response = client_in.post(
        "/contacts/bulk/",
        {"ids": ids, "action": "edit_property", "property": "lifecyclestage", "value": "bogus"},
        follow=True,
    )
    assert "were not changed" in response.content.decode()
    client_in.post("/contacts/bulk/", {"ids": [ids[0]], "action": "delete"})
    assert len(names_in(client_in.get("/contacts/"))) == 2


def test_create_dialog_keeps_input_and_names_the_field(client_in):
    make_company(name="Acme", domain="acme.fr")
    response = client_in.post("/contacts/create/", {"email": "not-an-email", "firstname": "Jean"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="not-an-email"' in html and "not a valid email" in html
    assert 'value="Jean"' in html
    response = client_in.post("/contacts/create/", {"email": "jean@acme.fr", "firstname": "Jean"})
    assert response.status_code == 302
    from comptoir.contacts.models import Contact
    from comptoir.core.associations.services import primary_company_id

    contact = Contact.objects.get()
    assert primary_company_id("contacts", contact.pk) is not None


def test_preview_panel_and_stale_records(client_in):
    contact = make_contact(email="p@gmail.com", firstname="Pia", jobtitle="CEO")
    html = client_in.get(f"/contacts/{contact.pk}/preview/").content.decode()
    assert "Pia" in html and "CEO" in html
    assert client_in.get("/contacts/999999/preview/").status_code == 404
    assert "no longer exists" in client_in.get("/contacts/999999/").content.decode()


def test_contacts_list_shows_the_primary_company(client_in):
    """The list's budgets, per type, are core/testing/types.py's QueryBudgetTests."""
    company = make_company(name="Co 11", domain="co11.fr")
    make_contact(email="q11@co11.fr", firstname="Q11")
    assert company.name in client_in.get("/contacts/").content.decode()
