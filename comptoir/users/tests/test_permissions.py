"""Roles and scopes (SET-5), enforced everywhere: two reps on "owned only" never see or
change each other's records, whatever the surface. A hidden record answers 404."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from comptoir.core.associations.services import associate
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)
from comptoir.users.permissions import can_edit, can_view, has_right
from comptoir.users.roles import SALES_REP, SALES_REP_PRIVATE
from comptoir.users.services import UserError, create_token, create_user

pytestmark = pytest.mark.django_db
PRIVATE = SALES_REP_PRIVATE


@pytest.fixture
def world():
    """Alice and Bruno, private reps, each with a contact, company, deal, task and note.
    Bruno's contact also belongs to Alice's company (a cross-link that must not leak)."""
    alice = make_user("alice@example.com", first_name="Alice", role=PRIVATE)
    bruno = make_user("bruno@example.com", first_name="Bruno", role=PRIVATE)
    data = {"alice": alice, "bruno": bruno}
    for user, tag in ((alice, "Aaa"), (bruno, "Bbb")):
        owner = str(user.owner.pk)
        company = make_company(name=f"{tag} Corp", hubspot_owner_id=owner)
        contact = make_contact(
            email=f"{tag.lower()}@gmail.com",
            firstname=tag,
            lastname=f"{tag}son",
            hubspot_owner_id=owner,
        )
        deal = make_deal(
            dealname=f"{tag} deal",
            hubspot_owner_id=owner,
            associations=[("contacts", contact.pk, None)],
        )
        task = make_activity(
            "tasks",
            hs_task_subject=f"{tag} task",
            hubspot_owner_id=owner,
            hs_timestamp="2030-01-01T10:00:00Z",
            associations=[("contacts", contact.pk, None)],
        )
        note = make_activity(
            "notes",
            hs_note_body=f"{tag} secret note",
            hubspot_owner_id=owner,
            associations=[("contacts", contact.pk, None)],
        )
        data[tag] = {
            "company": company,
            "contact": contact,
            "deal": deal,
            "task": task,
            "note": note,
        }
    associate(
        "contacts", data["Bbb"]["contact"].pk, "companies", data["Aaa"]["company"].pk, source=UI
    )
    return data


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def html(response) -> str:
    return response.content.decode()


def test_builtin_roles_and_the_command_option():
    manager = make_user(role="Sales manager")
    rep = make_user(role=SALES_REP)
    admin = create_user("boss@example.com", "Str0ng-pass-1", is_admin=True)
    assert has_right(admin, "can_manage_settings") and not has_right(manager, "can_manage_settings")
    assert has_right(manager, "can_bulk_delete") and not has_right(rep, "can_bulk_delete")
    deal = make_deal(hubspot_owner_id=str(manager.owner.pk))
    assert can_view(rep, "deals", deal) and not can_edit(rep, "deals", deal)
    assert can_edit(manager, "deals", deal)
    with pytest.raises(UserError, match="no role named"):
        create_user("x@example.com", "Str0ng-pass-1", role="Astronaut")


def test_lists_counts_views_and_search_show_only_own_records(world):
    alice = browser(world["alice"])
    for path, mine, theirs in [
        ("/contacts/", "Aaa Aaason", "Bbb Bbbson"),
        ("/companies/", "Aaa Corp", "Bbb Corp"),
        ("/deals/", "Aaa deal", "Bbb deal"),
        ("/tasks/?tab=all", "Aaa task", "Bbb task"),
        ("/deals/board/", "Aaa deal", "Bbb deal"),
        ("/search/?q=bbb", "", "Bbb"),
        ("/search/?q=aaa", "Aaa", "Bbb"),
    ]:
        page = html(alice.get(path, HTTP_HX_REQUEST="true" if path.startswith("/search") else ""))
        if mine:
            assert mine in page, path
        assert theirs not in page, path
    # Counts come from the same narrowed queries.
    assert '<span class="count" aria-label="record count">1</span>' in html(alice.get("/contacts/"))
    # A view Bruno shares shows Alice her own records only.
    bruno = browser(world["bruno"])
    filters = json.dumps([{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}])
    bruno.post(
        "/contacts/views/?" + urlencode({"filters": filters}),
        {"name": "With email", "shared": "on"},
    )
    from comptoir.core.savedviews.models import SavedView

    shared = SavedView.objects.get(name="With email")
    page = html(alice.get(f"/contacts/?view={shared.pk}"))
    assert "Aaa Aaason" in page and "Bbb Bbbson" not in page


def test_record_pages_previews_history_and_cards_answer_404(world):
    alice = browser(world["alice"])
    theirs = world["Bbb"]
    for url in [
        f"/contacts/{theirs['contact'].pk}/",
        f"/contacts/{theirs['contact'].pk}/preview/",
        f"/companies/{theirs['company'].pk}/",
        f"/deals/{theirs['deal'].pk}/",
        f"/tasks/{theirs['task'].pk}/",
        f"/contacts/{theirs['contact'].pk}/properties/",
        f"/contacts/{theirs['contact'].pk}/history/email/",
        f"/contacts/{theirs['contact'].pk}/timeline/",
    ]:
        response = alice.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert "bbb" not in html(response).lower(), url
    # Her own company's card and timeline do not show Bruno's contact or his note.
    company_page = html(alice.get(f"/companies/{world['Aaa']['company'].pk}/"))
    assert "Bbb Bbbson" not in company_page and "Bbb secret note" not in company_page


def test_no_change_reaches_the_other_reps_records(world):
    alice = browser(world["alice"])
    theirs = world["Bbb"]
    contact, deal, task = theirs["contact"], theirs["deal"], theirs["task"]
    stamps = {r: type(r).objects.get(pk=r.pk).updated_at for r in (contact, deal, task)}
    attempts = [
        (f"/contacts/{contact.pk}/properties/jobtitle/", {"jobtitle": "Hacked"}),
        (
            "/contacts/bulk/",
            {
                "ids": [contact.pk],
                "action": "edit_property",
                "property": "jobtitle",
                "value": "Hacked",
            },
        ),
        ("/contacts/bulk/", {"ids": [contact.pk], "action": "delete"}),
        (
            "/deals/board/move/?pipeline=default",
            {"deal": deal.pk, "from": deal.dealstage, "stage": "contractsent"},
        ),
        (f"/tasks/{task.pk}/complete/", {"done": "1"}),
        (
            f"/contacts/{contact.pk}/associations/companies/add/",
            {"to_id": world["Aaa"]["company"].pk},
        ),
        (f"/contacts/{contact.pk}/log/note/", {"hs_note_body": "<p>x</p>"}),
    ]
    from django.urls import resolve

    for url, data in attempts:
        resolve(url.split("?")[0])  # a real endpoint: the refusal below is the app's
        response = alice.post(url, data)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
    for record, stamp in stamps.items():
        record = type(record).objects.get(pk=record.pk)
        assert record.updated_at == stamp, record
        assert not record.archived
    assert "jobtitle" not in type(contact).objects.get(pk=contact.pk).properties


def test_a_viewer_who_may_not_edit_gets_a_clear_refusal(world):
    rep = make_user("rita@example.com", role=SALES_REP)  # sees all, edits her own
    client = browser(rep)
    contact = world["Aaa"]["contact"]
    assert client.get(f"/contacts/{contact.pk}/").status_code == 200
    response = client.post(
        f"/contacts/{contact.pk}/properties/jobtitle/", {"jobtitle": "Nope"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert "not change it" in html(response)
    response = client.post(
        "/contacts/bulk/", {"ids": [contact.pk], "action": "delete"}, follow=True
    )
    assert "does not allow deleting records in bulk" in html(response)


def test_created_records_belong_to_their_private_creator(world):
    alice = browser(world["alice"])
    response = alice.post("/contacts/create/", {"email": "new@gmail.com", "firstname": "New"})
    assert response.status_code == 302
    created = base_queryset("contacts").get(email="new@gmail.com")
    assert created.hubspot_owner_id == world["alice"].owner.pk
    assert "New" in html(alice.get("/contacts/"))


def test_the_api_acts_as_the_tokens_user(world, live_server):
    import requests

    _, token = create_token(world["alice"], "alice-sync")
    headers = {"Authorization": f"Bearer {token}"}
    base = live_server.url + "/crm/v3/objects"
    theirs = world["Bbb"]["contact"].pk
    mine = world["Aaa"]["contact"].pk

    def call(method, path, **kw):
        return requests.request(method, base + path, headers=headers, timeout=10, **kw)

    listed = call("GET", "/contacts?limit=100").json()["results"]
    assert [r["id"] for r in listed] == [str(mine)]
    assert call("GET", f"/contacts/{theirs}").status_code == 404
    found = call("POST", "/contacts/search", json={"query": "bbb"}).json()
    assert found["total"] == 0 and found["results"] == []
    batch = call("POST", "/contacts/batch/read", json={"inputs": [{"id": theirs}]}).json()
    assert batch["results"] == [] and batch["numErrors"] == 1
    assert (
        call("PATCH", f"/contacts/{theirs}", json={"properties": {"jobtitle": "x"}}).status_code
        == 404
    )
    assert call("DELETE", f"/contacts/{theirs}").status_code == 204  # idempotent no-op
    assert not base_queryset("contacts", archived=True).filter(pk=theirs).exists()
    company = world["Aaa"]["company"].pk
    assocs = call("GET", f"/{'companies'}/{company}?associations=contacts").json()
    assert "associations" not in assocs  # Bruno's contact stays invisible
    v4 = requests.get(
        f"{live_server.url}/crm/v4/objects/companies/{company}/associations/contacts",
        headers=headers,
        timeout=10,
    ).json()
    assert v4["results"] == []
    created = call("POST", "/contacts", json={"properties": {"email": "api@gmail.com"}}).json()
    assert created["id"] in [r["id"] for r in call("GET", "/contacts").json()["results"]]


def test_roles_without_the_api_right_cannot_use_tokens(world, live_server):
    import requests

    from comptoir.users.models import Role

    Role.objects.filter(name=PRIVATE).update(can_use_api=False)
    from comptoir.core.properties import registry

    registry.invalidate()
    _, token = create_token(world["bruno"], "bruno")
    response = requests.get(
        live_server.url + "/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 403 and response.json()["category"] == "FORBIDDEN"


def test_exports_call_queues_and_the_dashboard_hold_only_own_records(world):
    """The surfaces that came with settings, sales tools and exports, on the same two reps."""
    import csv

    from comptoir.imports import exports
    from comptoir.salestools.models import CallQueue
    from comptoir.users.models import Role

    Role.objects.filter(name=PRIVATE).update(can_export=True)
    export = exports.start_export(world["alice"], "contacts", "", "CSV")
    exports.run(export.pk)
    export.refresh_from_db()
    with open(export.file_path, encoding="utf-8-sig") as handle:
        names = [row[0] for row in csv.reader(handle)][1:]
    assert names == ["Aaa Aaason"]

    alice = browser(world["alice"])
    ids = [str(world[tag]["contact"].pk) for tag in ("Aaa", "Bbb")]
    alice.post("/sales-tools/calls/new/", {"ids": ids})
    queue = CallQueue.objects.get(user=world["alice"])
    assert [e.contact_id for e in queue.entries.all()] == [world["Aaa"]["contact"].pk]
    assert browser(world["bruno"]).get(f"/sales-tools/calls/{queue.pk}/").status_code == 404

    # The dashboard counts Alice's contact only (its own tests check every figure).
    response = alice.get("/dashboard/?period=this_year")
    assert "Bruno</th>" not in html(response)
    owned = response.context["pipeline_figures"][0]
    assert (owned.label, owned.count) == ("Contacts with an owner", 1)
    assert html(alice.get(owned.url)).count("Bbb Bbbson") == 0
