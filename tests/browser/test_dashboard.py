"""The dashboard in Chromium: the filters change the figures, a figure opens its list, and
the page works on a phone."""

import datetime as dt
import re
import zoneinfo

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_activity, make_contact, make_deal
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _this_month(day_offset: int = 0) -> str:
    """Noon today (or `day_offset` days away, kept inside this month) in Paris."""
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    today = dt.datetime.now(paris).date()
    day = today + dt.timedelta(days=day_offset)
    if day.month != today.month:
        day = today
    return dt.datetime.combine(day, dt.time(12), tzinfo=paris).isoformat()


def _last_year() -> str:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    return dt.datetime(dt.datetime.now(paris).year - 1, 6, 15, 12, tzinfo=paris).isoformat()


@pytest.fixture
def sales(seller):
    me = str(seller.owner.pk)
    lea = make_contact(firstname="Léa", lastname="Lefèvre", hubspot_owner_id=me)
    make_deal(dealname="Acme renewal", amount=1200, closedate=_this_month(), hubspot_owner_id=me)
    make_deal(
        dealname="Globex pilot",
        amount=800,
        dealstage="qualifiedtobuy",
        closedate=_this_month(),
        hubspot_owner_id=me,
    )
    make_deal(dealname="Old deal", amount=9000, closedate=_last_year(), hubspot_owner_id=me)
    for title in ("Call Léa", "Call Léa again"):
        make_activity(
            "calls",
            hs_call_title=title,
            hs_timestamp=_this_month(),
            hubspot_owner_id=me,
            associations=[("contacts", lea.pk, None)],
        )
    return lea


def test_filters_change_the_figures_and_a_figure_opens_its_list(page, live_server, sales):
    # The dashboard is the home page and the first entry of the navigation.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link").first).to_have_text("Dashboard")
    expect(page.get_by_role("link", name="Open amount: €2,000, 2 deals")).to_be_visible()

    page.get_by_label("Period").select_option("this_year")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?period=this_year&"))
    expect(page.get_by_role("link", name="Open amount: €2,000, 2 deals")).to_be_visible()

    page.get_by_label("Period").select_option("custom")
    year = dt.date.today().year - 1
    page.get_by_label("From", exact=True).fill(f"{year}-01-01")
    page.get_by_label("To", exact=True).fill(f"{year}-12-31")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="Open amount: €9,000, 1 deal")).to_be_visible()

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Calls made – Camille Martin: 2").click()  # noqa: RUF001
    expect(page.get_by_role("heading", name="Calls made")).to_be_visible()
    rows = page.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and the two calls
    page.get_by_role("link", name="Léa Lefèvre").first.click()
    expect(page.get_by_role("heading", name="Léa Lefèvre")).to_be_visible()

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Open amount: €2,000, 2 deals").click()
    expect(page.get_by_role("link", name="Acme renewal")).to_be_visible()
    expect(page.get_by_role("link", name="Globex pilot")).to_be_visible()
    expect(page.get_by_role("link", name="Old deal")).to_have_count(0)


def test_the_dashboard_on_a_phone(phone_page, live_server, sales):
    page = phone_page
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("link", name="Open amount: €2,000, 2 deals")).to_be_visible()
    expect(page.get_by_role("img", name="Activities per user per week")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    screenshot(page, "dashboard-phone")
    page.get_by_role("link", name="Deals created: 3").click()
    expect(page.get_by_role("link", name="Old deal")).to_be_visible()
