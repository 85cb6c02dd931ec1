"""Tasks page (UI-6): due-date tabs in the report time zone, filters in the query string,
complete in one click, add and edit with associations, query budget."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.core.associations.services import associated_ids
from comptoir.core.history.models import PropertyChange
from comptoir.core.portal.services import update_portal
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import archive_record, update_record
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)
from comptoir.core.testing.html import form_fields, select

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# 23:15 UTC on 10 March 2026 is already 00:15 on 11 March in Paris (UTC+1).
NOW = dt.datetime(2026, 3, 10, 23, 15, tzinfo=dt.UTC)


def titles(response) -> list[str]:
    return [r["subject"] for r in response.context["rows"]]


def make_task(subject, due, **props):
    return make_activity("tasks", hs_task_subject=subject, hs_timestamp=due, **props)


@pytest.fixture
def frozen(monkeypatch):
    update_portal(report_time_zone="Europe/Paris")
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def tasks(frozen, user):
    return {
        # 23:30 Paris on 11 March (today in Paris), 22:30 UTC.
        "late_today": make_task(
            "Call at half past eleven",
            "2026-03-11T22:30:00Z",
            hubspot_owner_id=user.owner.pk,
            hs_task_type="CALL",
        ),
        # 23:30 Paris on 10 March: still "today" in UTC, yesterday in Paris.
        "yesterday": make_task(
            "Send the quote", "2026-03-10T22:30:00Z", hs_task_type="EMAIL", hs_task_priority="HIGH"
        ),
        "early_today": make_task(
            "Morning check", "2026-03-10T23:45:00Z", hs_task_status="IN_PROGRESS"
        ),
        "upcoming": make_task(
            "Prepare the demo", "2026-03-12T08:00:00Z", hubspot_owner_id=user.owner.pk
        ),
        "done": make_task("Already done", "2026-03-09T08:00:00Z", hs_task_status="COMPLETED"),
    }


def test_tabs_bucket_tasks_by_day_in_the_report_time_zone(client_in, tasks):
    assert titles(client_in.get("/tasks/")) == ["Morning check", "Call at half past eleven"]
    assert titles(client_in.get("/tasks/?tab=today")) == titles(client_in.get("/tasks/"))
    assert titles(client_in.get("/tasks/?tab=overdue")) == ["Send the quote"]
    assert titles(client_in.get("/tasks/?tab=upcoming")) == ["Prepare the demo"]
    assert titles(client_in.get("/tasks/?tab=completed")) == ["Already done"]
    assert len(titles(client_in.get("/tasks/?tab=all"))) == 5
    response = client_in.get("/tasks/")
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert counts == {"today": 2, "overdue": 1, "upcoming": 1, "completed": None, "all": None}
    html = response.content.decode()
    assert 'aria-current="page">Due today' in html
    assert "Today, 11:30\u202fPM" in html  # due times shown in the report time zone


def test_another_report_time_zone_moves_the_day_boundary(client_in, tasks):
    update_portal(report_time_zone="UTC")
    # In UTC it is still 10 March: yesterday's Paris task is due today, and the task due at
    # 23:30 on 11 March in Paris (22:30 UTC) is tomorrow's.
    assert titles(client_in.get("/tasks/?tab=today")) == ["Send the quote", "Morning check"]
    assert titles(client_in.get("/tasks/?tab=overdue")) == []
    assert "Call at half past eleven" in titles(client_in.get("/tasks/?tab=upcoming"))


def test_overdue_rows_are_marked(client_in, tasks):
    html = client_in.get("/tasks/?tab=all").content.decode()
    row = re.search(rf'<tr id="task-{tasks["yesterday"].pk}".*?</tr>', html, re.S).group(0)
    assert "task-due overdue" in row and "(overdue)" in row
    done = re.search(rf'<tr id="task-{tasks["done"].pk}".*?</tr>', html, re.S).group(0)
    assert "overdue" not in done and "checked" in done


def test_filters_live_in_the_query_string(client_in, user, tasks):
    assert titles(client_in.get("/tasks/?tab=all&owner=me")) == [
        "Prepare the demo",
        "Call at half past eleven",
    ]
    assert len(titles(client_in.get("/tasks/?tab=all&owner=none"))) == 3
    assert titles(client_in.get(f"/tasks/?tab=all&owner={user.owner.pk}&type=CALL")) == [
        "Call at half past eleven"
    ]
    assert titles(client_in.get("/tasks/?tab=all&status=IN_PROGRESS")) == ["Morning check"]
    assert titles(client_in.get("/tasks/?tab=all&q=quote")) == ["Send the quote"]
    # Due dates are days of the report time zone.
    assert titles(
        client_in.get("/tasks/?tab=all&due_from=2026-03-11&due_to=2026-03-11&sort=due")
    ) == ["Morning check", "Call at half past eleven"]
    response = client_in.get("/tasks/?tab=all&due_to=2026-03-10")
    assert titles(response) == ["Send the quote", "Already done"]
    html = response.content.decode()
    # Tabs and the pager keep the filters; "Clear filters" drops them.
    assert 'href="?tab=overdue&amp;due_to=2026-03-10"' in html
    assert "Clear filters" in html
    assert titles(client_in.get("/tasks/?tab=all&status=BOGUS&owner=x")) != []
    bad = client_in.get("/tasks/?tab=all&due_from=yesterday")
    assert bad.status_code == 200 and "was not a date" in bad.content.decode()


def test_empty_states_say_what_to_do(client_in, frozen):
    html = client_in.get("/tasks/").content.decode()
    assert "Nothing due today" in html and "Add task" in html
    assert "No overdue task" in client_in.get("/tasks/?tab=overdue").content.decode()
    assert "No completed task yet" in client_in.get("/tasks/?tab=completed").content.decode()
    assert (
        "No task matches these filters" in client_in.get("/tasks/?tab=all&q=zzz").content.decode()
    )
    make_task("Old one", "2026-03-01T10:00:00Z")
    assert "1 overdue task is waiting." in client_in.get("/tasks/").content.decode()


def test_complete_and_uncomplete_in_one_click(client_in, user, tasks):
    task = tasks["early_today"]
    response = client_in.post(
        f"/tasks/{task.pk}/complete/", {"done": "1", "next": "/tasks/"}, **HTMX
    )
    assert response.status_code == 200
    task = get_record("tasks", task.pk)
    assert task.properties["hs_task_status"] == "COMPLETED"
    assert task.properties["hs_task_completion_date"]
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="task-{task.pk}" class="task-row done">')
    assert "checked" in html and 'name="previous" value="IN_PROGRESS"' in html
    assert "completed. Uncheck it to undo." in html and 'hx-swap-oob="innerHTML"' in html
    change = PropertyChange.objects.filter(object_id=task.pk, property="hs_task_status").latest(
        "id"
    )
    assert (change.value, change.source_type, change.actor_id) == ("COMPLETED", "CRM_UI", user.pk)
    # Undo: unchecking restores the status it had.
    response = client_in.post(f"/tasks/{task.pk}/complete/", {"previous": "IN_PROGRESS"}, **HTMX)
    task = get_record("tasks", task.pk)
    assert task.properties["hs_task_status"] == "IN_PROGRESS"
    assert "hs_task_completion_date" not in task.properties
    assert "is open again" in response.content.decode()
    # Without a known previous status the task goes back to "not started".
    client_in.post(f"/tasks/{task.pk}/complete/", {"done": "1"}, **HTMX)
    client_in.post(f"/tasks/{task.pk}/complete/", {"previous": "COMPLETED"}, **HTMX)
    assert get_record("tasks", task.pk).properties["hs_task_status"] == "NOT_STARTED"


def test_complete_without_javascript_and_on_a_deleted_task(client_in, tasks):
    task = tasks["upcoming"]
    response = client_in.post(
        f"/tasks/{task.pk}/complete/", {"done": "1", "next": "/tasks/?tab=upcoming"}
    )
    assert response.status_code == 302 and response["Location"] == "/tasks/?tab=upcoming"
    evil = client_in.post(
        f"/tasks/{task.pk}/complete/", {"done": "1", "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/tasks/"
    archive_record("tasks", task.pk, source=UI)
    gone = client_in.post(f"/tasks/{task.pk}/complete/", {"done": "1"}, **HTMX)
    assert gone.status_code == 404 and "no longer exists" in gone.content.decode()


def test_rows_show_what_the_task_is_associated_with(client_in, tasks):
    contact = make_contact(email="ann@gmail.com", firstname="Ann", lastname="Lee")
    company = make_company(name="Acme")
    deal = make_deal(dealname="Big deal")
    task = make_task(
        "Linked",
        "2026-03-11T10:00:00Z",
        associations=[
            ("contacts", contact.pk, None),
            ("companies", company.pk, None),
            ("deals", deal.pk, None),
        ],
    )
    html = client_in.get("/tasks/").content.decode()
    row = re.search(rf'<tr id="task-{task.pk}".*?</tr>', html, re.S).group(0)
    for url, name in (
        (f"/contacts/{contact.pk}/", "Ann Lee"),
        (f"/companies/{company.pk}/", "Acme"),
        (f"/deals/{deal.pk}/", "Big deal"),
    ):
        assert f'href="{url}"' in row and name in row
    archive_record("deals", deal.pk, source=UI)
    html = client_in.get("/tasks/").content.decode()
    assert "Big deal" not in html


def test_add_a_task_associated_with_a_contact_and_a_deal(client_in, user, frozen):
    contact = make_contact(email="bo@gmail.com", firstname="Bo", lastname="Diaz")
    deal = make_deal(dealname="Renewal 2026")
    dialog = client_in.get("/tasks/add/?next=/tasks/%3Ftab%3Dall").content.decode()
    assert 'name="hs_task_subject"' in dialog and "Due date" in dialog
    assert 'value="2026-03-12T09:00"' in dialog  # tomorrow 9:00 in Paris by default
    response = client_in.post(
        "/tasks/add/",
        {
            "hs_task_subject": "Call Bo about the renewal",
            "hs_timestamp": "2026-03-11T17:00",
            "hs_task_type": "CALL",
            "hs_task_priority": "HIGH",
            "hubspot_owner_id": str(user.owner.pk),
            "hs_task_body": "Ask about seats",
            "assoc": [f"contacts:{contact.pk}", f"deals:{deal.pk}"],
            "next": "/tasks/?tab=all",
        },
        **HTMX,
    )
    assert response.status_code == 204 and response["HX-Redirect"] == "/tasks/?tab=all"
    task = base_queryset("tasks").get(properties__hs_task_subject="Call Bo about the renewal")
    assert task.hs_timestamp == dt.datetime(2026, 3, 11, 16, 0, tzinfo=dt.UTC)  # 17:00 Paris
    assert task.properties["hs_task_status"] == "NOT_STARTED"
    assert associated_ids("tasks", task.pk, "contacts") == [contact.pk]
    assert associated_ids("tasks", task.pk, "deals") == [deal.pk]
    page = client_in.get("/tasks/").content.decode()
    assert "Task “Call Bo about the renewal” created." in page
    assert "Bo Diaz" in page and "Renewal 2026" in page
    # From another tab, the page comes back on the tab where the new task is.
    form = {"hs_task_subject": "Later", "hs_timestamp": "2026-03-20T10:00", "q": "x"}
    response = client_in.post(
        "/tasks/add/", {**form, "next": "/tasks/?tab=overdue&owner=me"}, **HTMX
    )
    assert response["HX-Redirect"] == "/tasks/?tab=upcoming&owner=me"
    response = client_in.post("/tasks/add/", {**form, "next": "/contacts/12/"}, **HTMX)
    assert response["HX-Redirect"] == "/contacts/12/"


def test_add_with_errors_saves_nothing_and_keeps_the_input(client_in, frozen):
    contact = make_contact(email="cy@gmail.com", firstname="Cy")
    before = base_queryset("tasks").count()
    response = client_in.post(
        "/tasks/add/",
        {
            "hs_task_subject": "",
            "hs_timestamp": "31/02/2026",
            "hs_task_type": "CALL",
            "hs_task_body": "typed notes",
            "assoc": [f"contacts:{contact.pk}"],
        },
        **HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert select(html, '#field-hs_task_subject[aria-invalid="true"]')
    assert "Enter a title for the task." in html
    assert "Enter a valid date and time." in html
    assert "typed notes" in html and 'value="31/02/2026"' in html
    assert f'value="contacts:{contact.pk}"' in html  # the chosen association stays
    assert base_queryset("tasks").count() == before
    # A record deleted meanwhile: refused, nothing half-saved.
    gone = make_company(name="Gone Inc")
    archive_record("companies", gone.pk, source=UI)
    response = client_in.post(
        "/tasks/add/",
        {
            "hs_task_subject": "Valid",
            "hs_timestamp": "2026-03-11T10:00",
            "assoc": [f"contacts:{contact.pk}", f"companies:{gone.pk}"],
        },
        **HTMX,
    )
    assert response.status_code == 422 and "no longer exists" in response.content.decode()
    response = client_in.post(
        "/tasks/add/",
        {"hs_task_subject": "Valid", "hs_timestamp": "2026-03-11T10:00", "assoc": ["notes:1"]},
        **HTMX,
    )
    assert response.status_code == 422
    assert base_queryset("tasks").count() == before


def test_edit_prefills_and_replaces_associations(client_in, user, tasks):
    task = tasks["upcoming"]
    first = make_contact(email="first@gmail.com", firstname="First")
    second = make_company(name="Second Co")
    from comptoir.core.associations.services import associate

    associate("tasks", task.pk, "contacts", first.pk, source=UI)
    dialog = client_in.get(f"/tasks/{task.pk}/edit/")
    html = dialog.content.decode()
    assert 'value="Prepare the demo"' in html and 'value="2026-03-12T09:00"' in html
    assert f'value="contacts:{first.pk}"' in html and "Edit task" in html
    version = form_fields(html)["version"]
    response = client_in.post(
        f"/tasks/{task.pk}/edit/",
        {
            "hs_task_subject": "Prepare the big demo",
            "hs_timestamp": "2026-03-13T10:00",
            "hs_task_type": "TODO",
            "hs_task_priority": "LOW",
            "hs_task_status": "WAITING",
            "hubspot_owner_id": str(user.owner.pk),
            "hs_task_body": "",
            "assoc": [f"companies:{second.pk}"],
            "version": version,
        },
        **HTMX,
    )
    assert response.status_code == 204
    task = get_record("tasks", task.pk)
    assert task.properties["hs_task_subject"] == "Prepare the big demo"
    assert task.properties["hs_task_status"] == "WAITING"
    assert associated_ids("tasks", task.pk, "contacts") == []
    assert associated_ids("tasks", task.pk, "companies") == [second.pk]


def test_edit_refuses_bad_input_and_stale_versions(client_in, user, tasks, monkeypatch):
    task = tasks["upcoming"]
    html = client_in.get(f"/tasks/{task.pk}/edit/").content.decode()
    version = form_fields(html)["version"]
    form = {
        "hs_task_subject": "New title",
        "hs_timestamp": "2026-03-13T10:00",
        "hs_task_status": "NOT_STARTED",
        "version": version,
    }
    bad = client_in.post(f"/tasks/{task.pk}/edit/", {**form, "hs_timestamp": ""}, **HTMX)
    assert bad.status_code == 422 and "Enter a due date." in bad.content.decode()
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(minutes=1))
    update_record("tasks", task.pk, {"hs_task_subject": "Changed by a teammate"}, source=UI)
    stale = client_in.post(f"/tasks/{task.pk}/edit/", form, **HTMX)
    assert stale.status_code == 409
    assert "Someone changed this task" in stale.content.decode()
    assert get_record("tasks", task.pk).properties["hs_task_subject"] == "Changed by a teammate"
    fresh = form_fields(stale)["version"]
    again = client_in.post(f"/tasks/{task.pk}/edit/", {**form, "version": fresh}, **HTMX)
    assert again.status_code == 204
    assert get_record("tasks", task.pk).properties["hs_task_subject"] == "New title"
    archive_record("tasks", task.pk, source=UI)
    assert client_in.get(f"/tasks/{task.pk}/edit/").status_code == 404
    assert client_in.post(f"/tasks/{task.pk}/edit/", form, **HTMX).status_code == 404


def test_page_opens_the_dialogs_from_the_query_string(client_in, tasks):
    assert 'id="task-dialog"' in client_in.get("/tasks/?create=1").content.decode()
    html = client_in.get(f"/tasks/?edit={tasks['done'].pk}").content.decode()
    assert 'value="Already done"' in html


def test_association_search_as_you_type(client_in):
    make_contact(email="zoe@gmail.com", firstname="Zoé", lastname="Martin")
    make_company(name="Martin Frères")
    make_deal(dealname="Martinez renewal")
    html = client_in.get("/tasks/associations/search/?assoc_q=martin").content.decode()
    assert "Zoé Martin" in html and "Martin Frères" in html and "Martinez renewal" in html
    assert 'data-assoc-add="contacts:' in html and "Associate Zoé Martin (Contact)" in html
    assert (
        "No contact, company or deal matches"
        in client_in.get("/tasks/associations/search/?assoc_q=qqqq").content.decode()
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_tasks_page_query_budget_does_not_grow_with_tasks(client_in, user, frozen):
    contact = make_contact(email="budget@gmail.com", firstname="Budget")
    company = make_company(name="Budget Co")
    deal = make_deal(dealname="Budget deal")
    links = [
        ("contacts", contact.pk, None),
        ("companies", company.pk, None),
        ("deals", deal.pk, None),
    ]

    def add(n):
        for i in range(n):
            make_task(
                f"Task {i}",
                f"2026-03-{10 + i % 3}T{10 + i % 12}:00:00Z",
                hubspot_owner_id=user.owner.pk,
                associations=links[: 1 + i % 3],
            )

    add(3)
    client_in.get("/tasks/?tab=all")  # warm the definition caches like a running server
    few = _queries(client_in, "/tasks/?tab=all&owner=me&q=task")
    add(40)
    many = _queries(client_in, "/tasks/?tab=all&owner=me&q=task")
    assert few == many
    with query_budget("ui.tasks_page"):
        client_in.get("/tasks/?tab=all")
    # A saved view with more columns and a property filter costs no more.
    from comptoir.core.savedviews.models import SavedView

    view = SavedView.objects.create(
        object_type="tasks",
        owner=user,
        name="Budget",
        filter_groups=[
            {"filters": [{"propertyName": "hs_task_priority", "operator": "NEQ", "value": "HIGH"}]}
        ],
        columns=[
            "hs_timestamp",
            "hs_task_type",
            "hs_task_body",
            "hubspot_owner_id",
            "hs_task_status",
        ],
    )
    with query_budget("ui.tasks_page"):
        response = client_in.get(f"/tasks/?tab=all&view={view.pk}&sort=hs_task_subject")
    assert response.status_code == 200
    with query_budget("ui.task_complete"):
        task = base_queryset("tasks").first()
        client_in.post(f"/tasks/{task.pk}/complete/", {"done": "1"}, **HTMX)


def test_every_task_route_needs_a_session(client, tasks):
    for path in (
        "/tasks/",
        "/tasks/add/",
        f"/tasks/{tasks['done'].pk}/edit/",
        "/tasks/associations/search/?assoc_q=a",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_other_owner_is_listed(client_in, frozen):
    other = make_user(first_name="Olga", last_name="Other")
    make_task("Hers", "2026-03-11T10:00:00Z", hubspot_owner_id=other.owner.pk)
    response = client_in.get(f"/tasks/?owner={other.owner.pk}")
    assert titles(response) == ["Hers"]
    assert "Olga Other" in response.content.decode()
