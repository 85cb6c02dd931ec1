"""A date filter's value is typed the French way or picked in a calendar beside the field
(issue 14, point 2), at 1280 and 390 px."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from tests.browser.conftest import choose_property, settled
from tests.browser.test_list_filters import names

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def french(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    old = make_contact(firstname="Ancien", lastname="Client", email="ancien@exemple.fr")
    type(old).objects.filter(pk=old.pk).update(
        created_at=dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
    )
    make_contact(firstname="Nouvelle", lastname="Cliente", email="nouvelle@exemple.fr")
    return seller


def date_row(page):
    page.get_by_role("button", name="Filtres avancés").click()
    row = choose_property(
        page,
        lambda p: p.get_by_role("dialog", name="Filtres avancés").locator("[data-filter-row]").last,
        "Date de création",
    )
    row.get_by_label("Condition").select_option(label="est avant")
    settled(page)
    return page.get_by_role("dialog", name="Filtres avancés").locator("[data-filter-row]").last


@pytest.mark.parametrize("width", [1280, 390])
def test_a_day_picked_in_the_calendar_is_written_the_french_way(french, page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/contacts/")
    expect(names(page)).to_have_count(2)
    row = date_row(page)
    value = row.get_by_label("Valeur")
    calendar = row.get_by_label("Choisir une date")
    expect(calendar).to_be_visible()
    expect(calendar).to_have_attribute("type", "date")
    # Both stand side by side in the row, the field wider than the calendar button.
    field_box, calendar_box = value.bounding_box(), calendar.bounding_box()
    assert field_box["width"] > calendar_box["width"] > 0
    assert abs(field_box["y"] - calendar_box["y"]) < 4

    calendar.fill("2026-03-01")  # what picking 1 March does
    expect(value).to_have_value("01/03/2026")
    page.get_by_role("button", name="Appliquer", exact=True).click()
    chips = page.get_by_role("list", name="Filtres actifs")
    expect(chips).to_contain_text("Date de création est avant 01/03/2026")
    expect(names(page)).to_have_text(["Ancien Client"])


def test_a_typed_day_still_works_and_opens_the_calendar_on_it(french, page, live_server):
    page.goto(f"{live_server.url}/contacts/")
    row = date_row(page)
    row.get_by_label("Valeur").fill("20/01/2026")
    calendar = row.get_by_label("Choisir une date")
    calendar.focus()
    expect(calendar).to_have_value("2026-01-20")
    page.get_by_role("button", name="Appliquer", exact=True).click()
    expect(names(page)).to_have_text(["Ancien Client"])
