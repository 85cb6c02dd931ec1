"""The tasks page in Chromium: complete a task in one click and find it under "Completed"."""

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_activity, make_contact
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _local_noon(days: int) -> str:
    """Noon, `days` from today, in the portal's report time zone (Europe/Paris)."""
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    day = dt.datetime.now(paris).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(12), tzinfo=paris).isoformat()


@pytest.fixture
def tasks(seller):
    lea = make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    common = {"hubspot_owner_id": seller.owner.pk, "hs_task_status": "NOT_STARTED"}
    make_activity(
        "tasks",
        hs_task_subject="Call back Léa",
        hs_timestamp=_local_noon(0),
        hs_task_type="CALL",
        hs_task_priority="HIGH",
        associations=[("contacts", lea.pk, None)],
        **common,
    )
    make_activity(
        "tasks", hs_task_subject="Prepare the demo", hs_timestamp=_local_noon(0), **common
    )
    make_activity(
        "tasks", hs_task_subject="Send the proposal", hs_timestamp=_local_noon(-1), **common
    )


def tab(page, name):
    return page.get_by_role("navigation", name="Tasks by due date").get_by_role("link", name=name)


def test_complete_tasks_in_one_click(tasks, page, live_server):
    page.goto(f"{live_server.url}/tasks/")
    expect(tab(page, "Due today")).to_have_attribute("aria-current", "page")
    expect(tab(page, "Due today")).to_have_text("Due today 2")
    expect(tab(page, "Overdue")).to_have_text("Overdue 1")
    table = page.get_by_role("table", name="Due today")
    expect(table.get_by_role("link", name="Call back Léa")).to_be_visible()
    expect(table.get_by_role("link", name="Léa Lefèvre")).to_be_visible()
    screenshot(page, "tasks")

    table.get_by_role("checkbox", name="Completed: Call back Léa").check()
    expect(page.get_by_role("status").filter(has_text="completed")).to_have_text(
        "“Call back Léa” completed. Uncheck it to undo."
    )
    expect(table.get_by_role("checkbox", name="Completed: Call back Léa")).to_be_checked()
    expect(table.get_by_role("row").filter(has_text="Call back Léa")).to_contain_text("Completed")

    tab(page, "Overdue").click()
    table = page.get_by_role("table", name="Overdue")
    expect(table.get_by_role("row").filter(has_text="Send the proposal")).to_contain_text("overdue")
    table.get_by_role("checkbox", name="Completed: Send the proposal").check()
    expect(page.get_by_role("status").filter(has_text="completed")).to_have_text(
        "“Send the proposal” completed. Uncheck it to undo."
    )

    # Reloaded, the completed tasks have left their tabs...
    page.reload()
    expect(page.get_by_role("heading", name="No overdue task")).to_be_visible()
    expect(tab(page, "Overdue")).to_have_text("Overdue 0")
    expect(tab(page, "Due today")).to_have_text("Due today 1")
    tab(page, "Due today").click()
    table = page.get_by_role("table", name="Due today")
    expect(table.get_by_role("link", name="Prepare the demo")).to_be_visible()
    expect(table.get_by_role("link", name="Call back Léa")).to_have_count(0)

    # ...for "Completed", checked.
    tab(page, "Completed").click()
    table = page.get_by_role("table", name="Completed")
    expect(table.get_by_role("checkbox", name="Completed: Call back Léa")).to_be_checked()
    expect(table.get_by_role("checkbox", name="Completed: Send the proposal")).to_be_checked()
    expect(table.get_by_role("link", name="Prepare the demo")).to_have_count(0)


def test_bulk_complete_and_a_saved_view(tasks, page, live_server, phone_page):
    page.goto(f"{live_server.url}/tasks/?tab=all")
    table = page.get_by_role("table", name="All")
    table.get_by_role("checkbox", name="Select Call back Léa").check()
    table.get_by_role("checkbox", name="Select Send the proposal").check()
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk).to_contain_text("2 selected")
    page.screenshot(path="/tmp/tasks4-1280.png", full_page=True)
    bulk.get_by_role("button", name="Mark as completed").click()
    expect(page.get_by_text("2 records updated.")).to_be_visible()
    table = page.get_by_role("table", name="All")
    expect(table.get_by_role("checkbox", name="Completed: Call back Léa")).to_be_checked()
    expect(table.get_by_role("checkbox", name="Completed: Send the proposal")).to_be_checked()
    expect(table.get_by_role("checkbox", name="Completed: Prepare the demo")).not_to_be_checked()

    # Calls only, saved as a view: the view keeps the filter and the tab.
    page.get_by_label("Type", exact=True).select_option("CALL")
    page.get_by_role("button", name="Apply filters").click()
    expect(table.get_by_role("link", name="Prepare the demo")).to_have_count(0)
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Add view").click()
    save = page.get_by_role("dialog", name="Save as a new view")
    save.get_by_label("Name").fill("My calls")
    save.get_by_role("button", name="Save view").click()
    views = page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name="My calls")).to_have_attribute("aria-current", "page")
    expect(tab(page, "All")).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table", name="All")
    expect(table.get_by_role("link", name="Call back Léa")).to_be_visible()
    expect(table.get_by_role("link", name="Prepare the demo")).to_have_count(0)
    expect(page.get_by_label("Type", exact=True)).to_have_value("")  # in the view, not the form
    views.get_by_role("link", name="All tasks").click()
    table = page.get_by_role("table", name="All")
    expect(table.get_by_role("link", name="Prepare the demo")).to_be_visible()

    # The preview panel opens from a row, without leaving the list.
    row = table.get_by_role("row").filter(has_text="Prepare the demo")
    row.hover()
    row.get_by_role("button", name="Preview Prepare the demo").click()
    preview = page.get_by_role("complementary", name="Preview")
    expect(preview.get_by_role("heading", name="Prepare the demo")).to_be_visible()
    page.screenshot(path="/tmp/tasks4-preview.png")

    phone_page.goto(f"{live_server.url}/tasks/?tab=all")
    expect(phone_page.get_by_role("link", name="Prepare the demo")).to_be_visible()
    phone_page.screenshot(path="/tmp/tasks4-390.png", full_page=True)
