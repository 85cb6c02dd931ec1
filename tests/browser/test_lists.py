"""Index pages in Chromium: sign in, filter, save a view, edit columns, preview."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_contact
from tests.browser.conftest import choose_property, screenshot, sign_in_with_form

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


@pytest.fixture
def form_page(browser, live_server, seller):
    """Signed in through the sign-in page (the other tests' `page` starts signed in)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    yield sign_in_with_form(context, live_server)
    context.close()


def test_sign_in_filter_and_save_a_view(contacts, form_page, live_server):
    page = form_page
    expect(page.get_by_role("heading", name="Contacts", exact=False).first).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Léa Lefèvre")).to_be_visible()

    page.get_by_role("button", name="Advanced filters").click()
    dialog = page.get_by_role("dialog", name="Advanced filters")
    choose_property(
        page,
        lambda p: (
            p.get_by_role("dialog", name="Advanced filters").locator("[data-filter-row]").last
        ),
        "Lifecycle stage",
    )
    # The row follows its property: an options picker with the labels.
    dialog = page.get_by_role("dialog", name="Advanced filters")
    expect(dialog.get_by_label("Value")).to_have_role("combobox")
    expect(dialog.get_by_label("Condition")).to_have_value("EQ")  # "is", the first one
    dialog.get_by_label("Value").select_option(label="Customer")
    dialog.get_by_role("button", name="Apply filters").click()
    expect(table.get_by_role("link", name="Max Martin")).to_be_visible()
    expect(table.get_by_role("link", name="Léa Lefèvre")).to_have_count(0)
    assert "filters=" in page.url
    chips = page.get_by_role("list", name="Active filters")
    expect(chips).to_have_text("Lifecycle stage is Customer")
    # The name is whole, and the preview button shown on hover sits beside it, not over it.
    name = table.get_by_role("link", name="Max Martin")
    assert name.evaluate("a => a.scrollWidth <= a.clientWidth"), name.inner_text()
    name.hover()
    preview = table.get_by_role("button", name="Preview Max Martin")
    expect(preview).to_be_visible()
    link, button = name.bounding_box(), preview.bounding_box()
    assert link["x"] + link["width"] <= button["x"], (link, button)
    page.mouse.move(0, 0)
    screenshot(page, "contacts-list")

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


def test_companies_list_and_deals_table(seller, page, live_server):
    from comptoir.core.testing.factories import make_deal, make_user

    other = make_user("hugo@example.com", first_name="Hugo", last_name="Bernard").owner.pk
    owners = [seller.owner.pk, other]
    rows = [
        ("Acme", "acme.fr", "Lyon", "COMPUTER_SOFTWARE", "appointmentscheduled", 12000),
        ("Boulangeries Dupain", "dupain.fr", "Paris", "FOOD_BEVERAGES", "qualifiedtobuy", 4500),
        (
            "Cimenterie du Nord",
            "cimnord.fr",
            "Lille",
            "CONSTRUCTION",
            "presentationscheduled",
            88000,
        ),
        (
            "Delta Logistique",
            "delta-log.fr",
            "Marseille",
            "LOGISTICS_AND_SUPPLY_CHAIN",
            "decisionmakerboughtin",
            23500,
        ),
        ("Éditions Lumière", "lumiere.fr", "Bordeaux", "PUBLISHING", "contractsent", 9900),
        ("Fromagerie Morel", "morel.fr", "Annecy", "DAIRY", "closedwon", 3200),
    ]
    for i, (name, domain, city, industry, stage, amount) in enumerate(rows):
        company = make_company(
            name=name,
            domain=domain,
            city=city,
            country="France",
            industry=industry,
            phone=f"+33 4 72 00 00 0{i}",
            hubspot_owner_id=owners[i % 2],
        )
        make_deal(
            dealname=f"{name} \u2013 {('renewal', 'new licences', 'pilot')[i % 3]}",
            dealstage=stage,
            amount=amount,
            closedate=f"2026-{7 + i:02d}-15",
            hubspot_owner_id=owners[i % 2],
            associations=[("companies", company.pk, None)],
        )

    page.goto(f"{live_server.url}/companies/")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Cimenterie du Nord")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Delta Logistique")).to_contain_text(
        "Marseille"
    )
    screenshot(page, "companies-list")

    page.goto(f"{live_server.url}/deals/")
    table = page.get_by_role("table")
    row = table.get_by_role("row").filter(has_text="Cimenterie du Nord \u2013 pilot")
    expect(row).to_contain_text("Presentation Scheduled")
    expect(row).to_contain_text("88,000")
    screenshot(page, "deals-table")
