"""Index pages in Chromium: sign in, filter, save a view, edit columns, preview."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_contact
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contacts(seller):
    acme = make_company(name="Acme", domain="acme.fr")
    make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        lifecyclestage="lead",
        jobtitle="CEO",
        hubspot_owner_id=seller.owner.pk,
    )
    make_contact(
        email="max@gmail.com", firstname="Max", lastname="Martin", lifecyclestage="customer"
    )
    return acme


def test_sign_in_filter_and_save_a_view(contacts, page, live_server):
    expect(page.get_by_role("heading", name="Contacts", exact=False).first).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Léa Lefèvre")).to_be_visible()
    screenshot(page, "contacts-list")

    page.get_by_role("button", name="Advanced filters").click()
    dialog = page.get_by_role("dialog", name="Advanced filters")
    dialog.get_by_label("Property").select_option("lifecyclestage")
    dialog.get_by_label("Condition").select_option("EQ")
    dialog.get_by_label("Value").fill("customer")
    dialog.get_by_role("button", name="Apply filters").click()
    expect(table.get_by_role("link", name="Max Martin")).to_be_visible()
    expect(table.get_by_role("link", name="Léa Lefèvre")).to_have_count(0)
    assert "filters=" in page.url

    page.get_by_role("link", name="+ Add view").click()
    save = page.get_by_role("dialog", name="Save as a new view")
    save.get_by_label("Name").fill("Customers")
    save.get_by_role("button", name="Save view").click()
    expect(page.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "page")
    page.reload()
    expect(page.get_by_role("table").get_by_role("link", name="Max Martin")).to_be_visible()
    expect(page.get_by_role("table").get_by_role("link", name="Léa Lefèvre")).to_have_count(0)


def test_edit_columns_and_preview(contacts, page):
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Edit columns").click()
    dialog = page.get_by_role("dialog", name="Edit columns")
    dialog.get_by_label("Job title").check()
    dialog.get_by_label("Lead status").uncheck()
    dialog.get_by_role("button", name="Apply").click()
    headers = page.get_by_role("columnheader")
    expect(headers.filter(has_text="Job title")).to_have_count(1)
    expect(headers.filter(has_text="Lead status")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("columnheader").filter(has_text="Job title")).to_have_count(1)

    row = page.get_by_role("row").filter(has_text="Léa Lefèvre")
    row.hover()
    row.get_by_role("button", name="Preview Léa Lefèvre").click()
    panel = page.get_by_role("complementary", name="Preview")
    expect(panel.get_by_role("heading", name="Léa Lefèvre")).to_be_visible()
    expect(panel).to_contain_text("CEO")
    assert page.url.endswith("/contacts/")  # never left the list


def test_contact_list_at_phone_width(contacts, phone_page):
    expect(phone_page.get_by_role("heading", name="Contacts", exact=False).first).to_be_visible()
    expect(phone_page.get_by_role("table").get_by_role("link", name="Max Martin")).to_be_visible()
    phone_page.get_by_role("button", name="Menu", exact=True).click()
    expect(
        phone_page.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Deals"
        )
    ).to_be_visible()
