"""Issue 14 (what a sales team hits in its first week): what a user sees, measured in
Chromium at 1280 and 390 px: nothing cut without an ellipsis, nothing hidden behind an
unmarked inner scroll, pages in the app's frame."""

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_activity, make_contact
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = "Rappeler Léa Lefèvre pour le renouvellement du contrat de maintenance annuel"


def _local_noon(days: int) -> str:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    day = dt.datetime.now(paris).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(12), tzinfo=paris).isoformat()


def _cut(locator) -> list[str]:
    """The text elements under `locator` that are clipped by an ancestor (their box runs past
    the visible box of an ancestor that hides its overflow) without showing an ellipsis of
    their own: text a user cannot read and is not told is missing."""
    return locator.evaluate(
        """(root) => {
            const cut = [];
            for (const el of [root, ...root.querySelectorAll('*')]) {
                if (!el.textContent.trim() || el.getClientRects().length === 0) continue;
                const style = getComputedStyle(el);
                if (style.visibility === 'hidden') continue;
                const own = el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible';
                if (own && style.textOverflow !== 'ellipsis') {
                    const leaf = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
                    if (leaf || el.children.length === 0) { cut.push(el.tagName + ': ' + el.textContent.trim().slice(0, 40)); continue; }
                }
                const box = el.getBoundingClientRect();
                for (let up = el.parentElement; up; up = up.parentElement) {
                    const upStyle = getComputedStyle(up);
                    if (upStyle.overflowX === 'visible') continue;
                    // An ancestor that ends its line with an ellipsis says the text goes on.
                    const ellipsis = upStyle.textOverflow === 'ellipsis' && upStyle.whiteSpace === 'nowrap'
                        && !/flex|grid/.test(upStyle.display);
                    const clip = up.getBoundingClientRect();
                    if (!ellipsis && box.right > clip.left + up.clientLeft + up.clientWidth + 1) {
                        cut.push(el.tagName + ' (clipped by ' + up.tagName + '): ' + el.textContent.trim().slice(0, 40));
                    }
                    break;
                }
            }
            return cut;
        }"""
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_long_task_titles_and_due_dates_are_not_cut(seller, page, live_server, language):
    seller.language = language
    seller.save(update_fields=["language"])
    width = 1280
    lea = make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    make_activity(
        "tasks",
        hs_task_subject=LONG_TITLE,
        hs_timestamp=_local_noon(400),  # a date of another year: the longest form
        hs_task_type="CALL",
        hubspot_owner_id=seller.owner.pk,
        hs_task_status="NOT_STARTED",
        associations=[("contacts", lea.pk, None)],
    )
    page.goto(f"{live_server.url}/tasks/?tab=all")
    row = page.get_by_role("row").filter(has_text="Rappeler")
    link = row.get_by_role("link", name=LONG_TITLE)
    expect(link).to_be_visible()
    title_cell = row.locator("td.task-title")
    # The title is shown whole (wrapped), or ends with an ellipsis and has a title attribute
    # that shows it whole on hover; far more than ~20 characters are visible.
    assert _cut(title_cell) == []
    expect(link).to_have_attribute("title", LONG_TITLE)
    visible = title_cell.locator(".name-cell > span").evaluate(
        "(text) => text.getBoundingClientRect().width"
    )
    assert visible >= 280, visible
    # The due date is shown whole: its text fits the cell's content box.
    due = row.locator("td.task-due")
    fits = due.evaluate(
        """(td) => {
            const style = getComputedStyle(td);
            const room = td.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return [td.querySelector('time').getBoundingClientRect().width, room];
        }"""
    )
    assert fits[0] <= fits[1] + 0.5, fits
    screenshot(page, f"tasks-long-title-{language}")
