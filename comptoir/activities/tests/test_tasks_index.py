"""The tasks page as an index page (UI-1, UI-2): saved views, any-column sort, property
filters, edit columns, bulk actions and the preview panel, on top of the due-date tabs."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from comptoir.activities.tests.test_tasks_page import HTMX, frozen, make_task, titles  # noqa: F401
from comptoir.core.history.models import PropertyChange
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import base_queryset
from comptoir.core.savedviews.models import SavedView
from comptoir.core.testing.factories import make_user
from comptoir.core.testing.html import select
from comptoir.users.roles import SALES_REP_PRIVATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(frozen, user):  # noqa: F811
    """Four open tasks due today in Paris (11 March), one overdue, one completed."""
    mine = user.owner.pk
    return {
        "call": make_task(
            "Call Ann",
            "2026-03-11T09:00:00Z",
            hubspot_owner_id=mine,
            hs_task_type="CALL",
            hs_task_priority="HIGH",
        ),
        "email": make_task(
            "Email Bob", "2026-03-11T10:00:00Z", hs_task_type="EMAIL", hs_task_priority="LOW"
        ),
        "demo": make_task(
            "Prepare the demo",
            "2026-03-11T11:00:00Z",
            hubspot_owner_id=mine,
            hs_task_priority="MEDIUM",
        ),
        "quote": make_task("Send the quote", "2026-03-11T12:00:00Z", hs_task_body="Big quote"),
        "late": make_task("Late follow-up", "2026-03-02T12:00:00Z", hs_task_priority="HIGH"),
        "done": make_task("Done already", "2026-03-01T12:00:00Z", hs_task_status="COMPLETED"),
    }


def headers(response) -> list[str]:
    return [a.text for a in select(response, 'th[scope="col"] > a[href]')]


def test_sort_by_any_column_keeps_the_tab(client_in, tasks):
    assert titles(client_in.get("/tasks/?sort=hs_task_subject")) == [
        "Call Ann",
        "Email Bob",
        "Prepare the demo",
        "Send the quote",
    ]
    response = client_in.get("/tasks/?sort=-hs_task_priority")
    # Descending sorts the stored text (MEDIUM > LOW > HIGH); a task without a priority goes
    # last in both directions, as HubSpot does (issue 14, point 4).
    assert titles(response) == ["Prepare the demo", "Email Bob", "Call Ann", "Send the quote"]
    html = response.content.decode()
    assert 'aria-sort="descending"><a href="?sort=hs_task_priority">Priority</a>' in html
    # Another tab goes back to that tab's own order; the sort link keeps the tab.
    assert 'href="?tab=overdue"' in html
    overdue = client_in.get("/tasks/?tab=overdue").content.decode()
    assert 'href="?tab=overdue&amp;sort=hs_task_subject"' in overdue


def test_property_filter_with_an_operator_on_top_of_the_tab(client_in, tasks):
    filters = [
        {
            "filters": [
                {"propertyName": "hs_task_priority", "operator": "IN", "values": ["HIGH", "LOW"]}
            ]
        }
    ]
    query = urlencode({"filters": json.dumps(filters)})
    assert titles(client_in.get(f"/tasks/?{query}")) == ["Call Ann", "Email Bob"]
    response = client_in.get(f"/tasks/?tab=overdue&{query}")
    assert titles(response) == ["Late follow-up"]
    # The tab counts count within the filters.
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert counts["today"] == 2 and counts["overdue"] == 1
    # The filters dialog sends the user back to the same tab.
    dialog = client_in.post(
        "/search/filters/tasks/?tab=overdue",
        {"g0_p0": "hs_task_subject", "g0_o0": "CONTAINS_TOKEN", "g0_v0": "follow"},
    )
    assert dialog.status_code == 302 and dialog["Location"].startswith("/tasks/?tab=overdue&")
    assert titles(client_in.get(dialog["Location"])) == ["Late follow-up"]
    bad = client_in.get("/tasks/?filters=" + json.dumps([{"filters": [{"propertyName": "x"}]}]))
    assert bad.status_code == 200 and "could not be applied" in bad.content.decode()


def test_save_rename_share_and_delete_a_task_view(client_in, user, tasks):
    query = urlencode({"tab": "all", "owner": "me", "type": "CALL", "q": "ann"})
    response = client_in.post(f"/tasks/views/?{query}", {"name": "My calls"})
    view = SavedView.objects.get(owner=user, object_type="tasks")
    # The view keeps the fixed filters as search filters; the link keeps the tab.
    assert response["Location"] == f"/tasks/?tab=all&view={view.pk}"
    flat = [f["propertyName"] for g in view.filter_groups for f in g["filters"]]
    assert flat == ["hubspot_owner_id", "hs_task_type"] and view.query == "ann"
    page = client_in.get(response["Location"])
    assert titles(page) == ["Call Ann"]
    html = page.content.decode()
    assert f'href="?tab=all&amp;view={view.pk}" aria-current="page">My calls' in html
    # The view on another tab: the tab's own tasks, within the view.
    assert titles(client_in.get(f"/tasks/?tab=completed&view={view.pk}")) == []
    client_in.post(
        f"/tasks/views/{view.pk}/?tab=all&view={view.pk}", {"action": "rename", "name": "Calls"}
    )
    shared = client_in.post(f"/tasks/views/{view.pk}/", {"action": "share", "shared": "on"})
    assert shared["Location"] == f"/tasks/?view={view.pk}"
    view.refresh_from_db()
    assert (view.name, view.shared) == ("Calls", True)
    teammate = Client()
    teammate.force_login(make_user(first_name="Tia"))
    assert "Calls" in teammate.get("/tasks/?tab=all").content.decode()
    teammate.post(f"/tasks/views/{view.pk}/", {"action": "delete"})
    assert SavedView.objects.filter(pk=view.pk).exists()
    gone = client_in.post(f"/tasks/views/{view.pk}/?tab=overdue", {"action": "delete"})
    assert gone["Location"] == "/tasks/?tab=overdue"
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_builtin_views_on_the_tasks_page(client_in, user, tasks):
    assert titles(client_in.get("/tasks/?view=mine")) == ["Call Ann", "Prepare the demo"]
    assert titles(client_in.get("/tasks/?view=unassigned&tab=overdue")) == ["Late follow-up"]
    assert len(titles(client_in.get("/tasks/?view=recent&tab=all"))) == 6
    html = client_in.get("/tasks/?tab=upcoming").content.decode()
    assert 'href="?tab=upcoming&amp;view=mine"' in html  # views keep the tab


def test_edit_columns_of_the_tasks_page(client_in, tasks):
    dialog = client_in.get("/tasks/columns/?tab=all").content.decode()
    assert 'value="hs_task_body"' in dialog and "Due date" in dialog
    response = client_in.post(
        "/tasks/columns/?tab=all", {"columns": ["hs_task_body", "hs_timestamp"]}
    )
    assert response["Location"] == "/tasks/?tab=all"
    page = client_in.get("/tasks/?tab=all")
    assert headers(page) == ["Title", "Notes", "Due date"]
    html = page.content.decode()
    assert "Big quote" in html and "Today, 1:00\u202fPM" in html
    # The complete box redraws its row with the page's columns.
    task = tasks["quote"]
    row = client_in.post(
        f"/tasks/{task.pk}/complete/", {"done": "1", "next": "/tasks/?tab=all"}, **HTMX
    ).content.decode()
    assert "Big quote" in row and "Priority" not in row
    # Other views keep the default columns.
    assert "Priority" in headers(client_in.get("/tasks/?view=mine"))


def _changes(task, name):
    return PropertyChange.objects.filter(object_id=task.pk, property=name, source_type="CRM_UI")


def test_bulk_assign_edit_complete_and_delete(client_in, user, tasks):
    ids = [tasks["email"].pk, tasks["quote"].pk]
    response = client_in.post(
        "/tasks/bulk/?tab=all&sort=hs_task_subject",
        {"ids": ids, "action": "assign_owner", "owner": str(user.owner.pk)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/tasks/?tab=all&sort=hs_task_subject"
    assert "2 records updated." in response.content.decode()
    assert all(_changes(tasks[k], "hubspot_owner_id").count() == 1 for k in ("email", "quote"))
    client_in.post(
        "/tasks/bulk/",
        {"ids": ids, "action": "edit_property", "property": "hs_task_priority", "value": "HIGH"},
    )
    assert {get_record("tasks", pk).properties["hs_task_priority"] for pk in ids} == {"HIGH"}
    bad = client_in.post(
        "/tasks/bulk/",
        {"ids": ids, "action": "edit_property", "property": "hs_timestamp", "value": "soon"},
        follow=True,
    )
    assert "were not changed" in bad.content.decode()
    client_in.post("/tasks/bulk/", {"ids": ids, "action": "complete"})
    for pk in ids:
        task = get_record("tasks", pk)
        assert task.properties["hs_task_status"] == "COMPLETED"
        assert task.properties["hs_task_completion_date"]
    assert titles(client_in.get("/tasks/?tab=completed&sort=hs_task_subject")) == [
        "Done already",
        "Email Bob",
        "Send the quote",
    ]
    assert _changes(tasks["email"], "hs_task_status").filter(value="COMPLETED").count() == 1
    deleted = client_in.post(
        "/tasks/bulk/?tab=completed", {"ids": [tasks["done"].pk], "action": "delete"}, follow=True
    )
    assert "1 record deleted." in deleted.content.decode()
    assert titles(deleted) == ["Send the quote", "Email Bob"]
    assert not base_queryset("tasks").filter(pk=tasks["done"].pk).exists()


def test_bulk_actions_keep_to_what_the_user_may_change(client, frozen):  # noqa: F811
    alice = make_user("alice@example.com", first_name="Alice", role=SALES_REP_PRIVATE)
    bruno = make_user("bruno@example.com", first_name="Bruno", role=SALES_REP_PRIVATE)
    hers = make_task("Alice's task", "2026-03-11T10:00:00Z", hubspot_owner_id=alice.owner.pk)
    his = make_task("Bruno's task", "2026-03-11T10:00:00Z", hubspot_owner_id=bruno.owner.pk)
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    assert titles(client.get("/tasks/")) == ["Alice's task"]
    assert titles(client.get("/tasks/?view=all&tab=all")) == ["Alice's task"]
    response = client.post(
        "/tasks/bulk/", {"ids": [hers.pk, his.pk], "action": "complete"}, follow=True
    )
    assert "1 record was not changed" in response.content.decode()
    assert get_record("tasks", hers.pk).properties["hs_task_status"] == "COMPLETED"
    assert get_record("tasks", his.pk).properties["hs_task_status"] == "NOT_STARTED"
    assert client.get(f"/tasks/{his.pk}/preview/").status_code == 404


def test_preview_a_task_from_its_row(client_in, tasks):
    task = tasks["quote"]
    html = client_in.get("/tasks/").content.decode()
    row = re.search(rf'<tr id="task-{task.pk}".*?</tr>', html, re.S).group(0)
    assert f'hx-get="/tasks/{task.pk}/preview/"' in row and "Preview Send the quote" in row
    preview = client_in.get(f"/tasks/{task.pk}/preview/").content.decode()
    assert "Send the quote" in preview and "Not started" in preview
    assert f'href="/tasks/{task.pk}/"' in preview
