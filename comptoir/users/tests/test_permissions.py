"""Roles and scopes (SET-5), enforced everywhere: two reps on "owned only" never see or
change each other's records, whatever the surface. A hidden record answers 404."""

import json
from urllib.parse import urlencode

import pytest

from comptoir.core.files.stored import local_path
from comptoir.core.permissions import can_edit, can_view, has_right
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_contact,
    make_deal,
    make_user,
)
from comptoir.users.roles import SALES_REP, SALES_REP_PRIVATE
from comptoir.users.services import UserError, create_token, create_user
from comptoir.users.tests.helpers import browser, two_private_reps

pytestmark = pytest.mark.django_db
PRIVATE = SALES_REP_PRIVATE


@pytest.fixture
def world():
    return two_private_reps()


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
        page = html(response)
        # Names, not "bbb": the page's random CSRF token may hold those letters.
        for name in ("Bbb Bbbson", "Bbb Corp", "Bbb deal", "bbb@"):
            assert name not in page, url
    # Her own company's card and timeline do not show Bruno's contact or his note.
    company_page = html(alice.get(f"/companies/{world['Aaa']['company'].pk}/"))
    assert "Bbb Bbbson" not in company_page and "Bbb secret note" not in company_page


def _links(from_type, pk, to_type):
    from comptoir.core.associations.services import associated_ids

    return sorted(associated_ids(from_type, pk, to_type))


def test_no_change_reaches_the_other_reps_records(world):
    """Every change Alice attempts on Bruno's records is refused without a 403 (which would
    confirm they exist) and without his records' names; a URL naming one answers 404."""
    alice = browser(world["alice"])
    theirs = world["Bbb"]
    contact, deal, task = theirs["contact"], theirs["deal"], theirs["task"]
    stamps = {r: type(r).objects.get(pk=r.pk).updated_at for r in (contact, deal, task)}
    aaa_company = world["Aaa"]["company"].pk
    in_url = [  # the URL names a record of Bruno's: 404
        (f"/contacts/{contact.pk}/properties/jobtitle/", {"jobtitle": "Hacked"}),
        (f"/tasks/{task.pk}/complete/", {"done": "1"}),
        (f"/tasks/{task.pk}/edit/", {"hs_task_subject": "Hacked"}),
        (f"/contacts/{contact.pk}/associations/companies/add/", {"to_id": aaa_company}),
        (f"/contacts/{contact.pk}/associations/companies/{aaa_company}/remove/", {}),
        (f"/contacts/{contact.pk}/associations/companies/{aaa_company}/primary/", {}),
        (f"/contacts/{contact.pk}/associations/companies/{aaa_company}/labels/", {}),
        (f"/contacts/{contact.pk}/associations/deals/create/", {"dealname": "x"}),
        (f"/contacts/{contact.pk}/log/note/", {"hs_note_body": "<p>x</p>"}),
        (f"/deals/{deal.pk}/properties/amount/", {"amount": "1"}),
    ]
    in_body = [  # the ids come in the form: refused, never 403
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
    ]
    from django.urls import resolve

    for url, data in in_url + in_body:
        resolve(url.split("?")[0])  # a real endpoint: the refusal below is the app's
        for htmx in (False, True):
            extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = alice.post(url, data, **extra)
            if (url, data) in in_url:
                assert response.status_code == 404, (url, htmx, response.status_code)
            else:
                assert response.status_code in (302, 404), (url, htmx, response.status_code)
                if response.status_code == 302:
                    response = alice.get(response["Location"])
            # (Team members' names are in owner menus; Bruno's records' names are nowhere.)
            assert "Bbb" not in html(response), (url, htmx)
    for record, stamp in stamps.items():
        record = type(record).objects.get(pk=record.pk)
        assert record.updated_at == stamp, record
        assert not record.archived
    assert "jobtitle" not in type(contact).objects.get(pk=contact.pk).properties
    assert _links("contacts", contact.pk, "companies") == [aaa_company]
    assert _links("contacts", contact.pk, "deals") == [deal.pk]


def test_associations_to_the_other_reps_records_answer_404(world):
    """From her own records, Alice can neither add, remove, make primary nor label a link
    to a record of Bruno's; Bruno, on his contact linked to her company, neither."""
    alice, bruno = browser(world["alice"]), browser(world["bruno"])
    mine, theirs = world["Aaa"], world["Bbb"]
    hx = {"HTTP_HX_REQUEST": "true"}
    base = f"/contacts/{mine['contact'].pk}/associations"
    response = alice.post(f"{base}/companies/add/", {"to_id": theirs["company"].pk}, **hx)
    assert response.status_code == 404 and "Bbb" not in html(response)
    response = alice.post(f"{base}/deals/add/", {"to_id": theirs["deal"].pk}, **hx)
    assert response.status_code == 404 and "Bbb" not in html(response)
    assert _links("contacts", mine["contact"].pk, "companies") == []
    assert _links("contacts", mine["contact"].pk, "deals") == [mine["deal"].pk]

    his = f"/contacts/{theirs['contact'].pk}/associations/companies/{mine['company'].pk}"
    for action in ("remove", "primary", "labels"):
        response = bruno.post(f"{his}/{action}/", **hx)
        assert response.status_code == 404, action
        assert "Aaa" not in html(response), action
    assert _links("contacts", theirs["contact"].pk, "companies") == [mine["company"].pk]
    contacts = base_queryset("contacts")
    primary = contacts.get(pk=theirs["contact"].pk).properties["associatedcompanyid"]
    assert str(primary) == str(mine["company"].pk)


def test_pages_show_only_the_associated_records_each_rep_may_see(world):
    """Bruno's contact belongs to Alice's company: neither rep's pages name the other's
    record, whether in a header, an association card, a timeline or the tasks list."""
    from comptoir.core.associations.services import associate as link

    mine, theirs = world["Aaa"], world["Bbb"]
    alice, bruno = browser(world["alice"]), browser(world["bruno"])
    # A manager links Alice's task and her company's note to Bruno's contact too, and
    # Alice's deal to Bruno's company.
    link("tasks", mine["task"].pk, "contacts", theirs["contact"].pk, source=UI)
    note = make_activity(
        "notes",
        hs_note_body="Aaa company note",
        hubspot_owner_id=str(world["alice"].owner.pk),
        associations=[("companies", mine["company"].pk, None)],
    )
    link("notes", note.pk, "contacts", theirs["contact"].pk, source=UI)
    link("deals", mine["deal"].pk, "companies", theirs["company"].pk, source=UI)

    # Bruno's side: his contact's header, cards and timeline show nothing of Alice's.
    page = html(bruno.get(f"/contacts/{theirs['contact'].pk}/"))
    assert "Bbb Bbbson" in page
    for leak in ("Aaa", f'href="/companies/{mine["company"].pk}/"'):
        assert leak not in page, leak
    for path in (
        f"/contacts/{theirs['contact'].pk}/associations/companies/",
        f"/contacts/{theirs['contact'].pk}/timeline/",
        f"/contacts/{theirs['contact'].pk}/preview/",
        f"/companies/{theirs['company'].pk}/",
        "/tasks/?tab=all",
    ):
        assert "Aaa" not in html(bruno.get(path, HTTP_HX_REQUEST="true")), path

    # A note Bruno logs on his contact does not reach Alice's company (his contact's
    # primary company, which he may not see).
    response = bruno.post(
        f"/contacts/{theirs['contact'].pk}/log/note/", {"hs_note_body": "<p>Bbb logged</p>"}
    )
    assert response.status_code == 302

    # Alice's side: her company, deal, task and the tasks list show nothing of Bruno's.
    for path in (
        f"/companies/{mine['company'].pk}/",
        f"/companies/{mine['company'].pk}/timeline/",
        f"/companies/{mine['company'].pk}/associations/contacts/",
        f"/deals/{mine['deal'].pk}/",
        f"/tasks/{mine['task'].pk}/",
        "/tasks/?tab=all",
        f"/tasks/?tab=all&edit={mine['task'].pk}",
        f"/contacts/{mine['contact'].pk}/",
    ):
        page = html(alice.get(path, HTTP_HX_REQUEST="true" if "/timeline/" in path else ""))
        assert "Bbb" not in page, path
    assert "Aaa company note" in html(alice.get(f"/companies/{mine['company'].pk}/"))


def test_a_task_saved_by_its_owner_keeps_links_she_may_not_see(world):
    """Alice's task dialog neither shows nor drops its link to Bruno's contact."""
    from comptoir.core.associations.services import associate as link

    mine, theirs = world["Aaa"], world["Bbb"]
    link("tasks", mine["task"].pk, "contacts", theirs["contact"].pk, source=UI)
    alice = browser(world["alice"])
    response = alice.post(
        f"/tasks/{mine['task'].pk}/edit/",
        {
            "hs_task_subject": "Aaa task renamed",
            "hs_timestamp": "2030-01-01T10:00",
            "hs_task_type": "TODO",
            "hs_task_priority": "NONE",
            "hs_task_status": "NOT_STARTED",
            "hubspot_owner_id": str(world["alice"].owner.pk),
            "assoc": [f"contacts:{mine['contact'].pk}"],
        },
    )
    assert response.status_code == 302
    assert _links("tasks", mine["task"].pk, "contacts") == sorted(
        [mine["contact"].pk, theirs["contact"].pk]
    )
    # Naming Bruno's contact reads as a record that no longer exists.
    response = alice.post(
        f"/tasks/{mine['task'].pk}/edit/",
        {"hs_task_subject": "x", "assoc": [f"contacts:{theirs['contact'].pk}", "deals:1"]},
    )
    assert response.status_code == 422 and "Bbb" not in html(response)


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


def test_tasks_created_without_an_owner_belong_to_their_private_creator(world):
    """Issue 13: a task added on the tasks page or logged on a record with "Assigned to"
    left empty had no owner, so the private rep who made it could not see it."""
    alice, contact = browser(world["alice"]), world["Aaa"]["contact"]
    due = {"hs_timestamp": "2026-03-11T17:00"}
    response = alice.post("/tasks/add/", {"hs_task_subject": "From the page", **due})
    assert response.status_code == 302
    logged = {"hs_task_subject": "From the record", "hubspot_owner_id": "", **due}
    response = alice.post(f"/contacts/{contact.pk}/log/task/", logged)
    assert response.status_code < 400
    for subject in ("From the page", "From the record"):
        task = base_queryset("tasks").get(properties__hs_task_subject=subject)
        assert task.hubspot_owner_id == world["alice"].owner.pk, subject
        assert can_edit(world["alice"], "tasks", task), subject
    page = html(alice.get("/tasks/?tab=all"))
    assert "From the page" in page and "From the record" in page


def test_the_api_acts_as_the_tokens_user(world):
    from comptoir.core.testing.sdk import URL, requests_session

    requests = requests_session()
    _, token = create_token(world["alice"], "alice-sync")
    headers = {"Authorization": f"Bearer {token}"}
    base = URL + "/crm/v3/objects"
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
        f"{URL}/crm/v4/objects/companies/{company}/associations/contacts",
        headers=headers,
        timeout=10,
    ).json()
    assert v4["results"] == []
    created = call("POST", "/contacts", json={"properties": {"email": "api@gmail.com"}}).json()
    assert created["id"] in [r["id"] for r in call("GET", "/contacts").json()["results"]]


def test_roles_without_the_api_right_cannot_use_tokens(world):
    from comptoir.core.testing.sdk import URL, requests_session
    from comptoir.users.models import Role

    Role.objects.filter(name=PRIVATE).update(can_use_api=False)
    from comptoir.core.properties import registry

    registry.invalidate()
    _, token = create_token(world["bruno"], "bruno")
    response = requests_session().get(
        URL + "/crm/v3/objects/contacts",
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
    with open(local_path(export.file_path), encoding="utf-8-sig") as handle:
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


def test_imports_neither_change_nor_reveal_the_other_reps_records(world):
    """Alice imports rows that match Bruno's contact: upsert refuses to change it, create
    only skips it, and neither reason gives its id; by its id it reads as missing."""
    from comptoir.imports.tests.helpers import csv_bytes, run_import, upload

    mine, theirs = world["Aaa"]["contact"], world["Bbb"]["contact"]
    before = type(theirs).objects.get(pk=theirs.pk).updated_at
    rows = [["Email", "Job title"], ["aaa@gmail.com", "CEO"], ["bbb@gmail.com", "Hacked"]]

    def reasons(imp):
        return {f.line: (f.error_type, f.reason) for f in imp.failures.all()}

    upsert = run_import(upload(world["alice"], csv_bytes(rows)), mode="UPSERT")
    assert (upsert.created, upsert.updated, upsert.failed) == (0, 1, 1)
    kind, reason = reasons(upsert)[3]
    assert kind == "NOT_ALLOWED"
    assert reason == "a contact with this email exists that you may not change"

    create = run_import(upload(world["alice"], csv_bytes(rows)), mode="CREATE")
    assert (create.created, create.skipped) == (0, 2)
    found = reasons(create)
    assert f"(id {mine.pk})" in found[2][1]  # her own: named
    assert found[3] == (
        "CREATE_ONLY_IMPORT_EXISTING_OBJECT",
        "a contact with this email exists already (one you may not see); "
        "the import creates new records only",
    )

    by_id = [["Record ID", "Job title"], [str(theirs.pk), "Hacked"], ["987654", "Nobody"]]
    for mode in ("UPSERT", "UPDATE"):
        imp = run_import(upload(world["alice"], csv_bytes(by_id)), mode=mode)
        found = reasons(imp)
        assert found[2] == ("OBJECT_NOT_FOUND", f"no contact has the id {theirs.pk}"), mode
        assert found[3] == ("OBJECT_NOT_FOUND", "no contact has the id 987654"), mode

    contact = type(theirs).objects.get(pk=theirs.pk)
    assert contact.updated_at == before and "jobtitle" not in contact.properties
    assert type(mine).objects.get(pk=mine.pk).properties["jobtitle"] == "CEO"
    # Bruno's imports are refused Alice's records the same way.
    imp = run_import(
        upload(world["bruno"], csv_bytes([["Email", "Job title"], ["aaa@gmail.com", "x"]])),
        mode="UPSERT",
    )
    assert reasons(imp)[2][1] == "a contact with this email exists that you may not change"
    assert type(mine).objects.get(pk=mine.pk).properties["jobtitle"] == "CEO"


def test_team_only_scopes_see_and_change_teammates_records_not_other_teams():
    """A role on "team only": Tina sees and changes Theo's records (same team), while
    Olga's (another team) answer 404 everywhere."""
    from comptoir.core.permissions import scoped_objects
    from comptoir.users.teams_and_roles import save_role

    scopes = {name: {"view": "team", "edit": "team"} for name in scoped_objects()}
    role = save_role(None, "Team desk", scopes, {"can_import": True})
    tina = make_user("tina@example.com", first_name="Tina", role=role.name, team="Paris")
    theo = make_user("theo@example.com", first_name="Theo", role=SALES_REP, team="Paris")
    olga = make_user("olga@example.com", first_name="Olga", role=SALES_REP, team="Lyon")
    mate = make_contact(
        email="mate@gmail.com", firstname="Mate", hubspot_owner_id=str(theo.owner.pk)
    )
    other = make_contact(
        email="other@gmail.com", firstname="Stranger", hubspot_owner_id=str(olga.owner.pk)
    )
    mate_deal = make_deal(dealname="Mate deal", hubspot_owner_id=str(theo.owner.pk))
    other_deal = make_deal(dealname="Stranger deal", hubspot_owner_id=str(olga.owner.pk))
    client = browser(tina)

    listed = html(client.get("/contacts/"))
    assert "Mate" in listed and "Stranger" not in listed
    deals = html(client.get("/deals/"))
    assert "Mate deal" in deals and "Stranger deal" not in deals
    assert client.get(f"/contacts/{mate.pk}/").status_code == 200
    response = client.post(
        f"/contacts/{mate.pk}/properties/jobtitle/", {"jobtitle": "Buyer"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert base_queryset("contacts").get(pk=mate.pk).properties["jobtitle"] == "Buyer"
    response = client.post(
        f"/deals/{mate_deal.pk}/properties/amount/", {"amount": "500"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200

    for url in (f"/contacts/{other.pk}/", f"/deals/{other_deal.pk}/"):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/contacts/{other.pk}/properties/jobtitle/", {"jobtitle": "Nope"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404 and "Stranger" not in html(response)
    assert "jobtitle" not in base_queryset("contacts").get(pk=other.pk).properties
    assert "Stranger" not in html(client.get("/search/?q=stranger", HTTP_HX_REQUEST="true"))
    # Theo moves to Lyon: his records leave Tina's team view at once.
    from comptoir.core.properties import registry
    from comptoir.users.models import TeamMembership

    TeamMembership.objects.filter(user=theo).delete()
    registry.invalidate()
    assert browser(tina).get(f"/contacts/{mate.pk}/").status_code == 404
