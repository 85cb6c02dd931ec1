"""Record pages in Chromium: create and auto-associate, inline edit and history, the composer
and the company timeline, the contact page at phone width."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_activity, make_company, make_contact
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(seller):
    return make_company(name="Acme", domain="acme.fr", city="Lyon", industry="COMPUTER_SOFTWARE")


@pytest.fixture
def lea(acme, seller):
    """Léa works at Acme: the email's domain associates her with the company."""
    return make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        jobtitle="CEO",
        lifecyclestage="lead",
        hubspot_owner_id=seller.owner.pk,
    )


def test_create_contact_associates_the_company_of_its_email_domain(acme, page):
    page.get_by_role("button", name="Create Contact").first.click()  # the empty table has one too
    dialog = page.get_by_role("dialog", name="Create Contact")
    dialog.get_by_label("Email").fill("paul.durand@acme.fr")
    dialog.get_by_label("First name").fill("Paul")
    dialog.get_by_label("Last name").fill("Durand")
    dialog.get_by_role("button", name="Create", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Paul Durand")).to_be_visible()
    assert "/contacts/" in page.url and not page.url.endswith("/contacts/")
    card = page.get_by_role("region", name="Companies")
    expect(card.get_by_role("heading", name="Companies (1)")).to_be_visible()
    expect(card.get_by_role("link", name="Acme")).to_be_visible()
    expect(card.get_by_role("button", name="Remove association with Acme")).to_be_attached()


def test_inline_edit_with_an_error_then_a_valid_value_and_the_history(lea, page, live_server):
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    about = page.get_by_role("region", name="About")
    about.get_by_role("button", name="Edit Email").click()
    email = about.get_by_role("textbox", name="Email")
    expect(email).to_be_focused()
    email.fill("lea at acme")
    about.get_by_role("button", name="Save").click()

    # The error sits next to the field, which keeps what was typed.
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("lea at acme")
    error = about.get_by_role("alert")
    expect(error).to_contain_text("'lea at acme' is not a valid email address")
    expect(email).to_have_accessible_description(error.inner_text())

    email.fill("lea.lefevre@acme.fr")
    about.get_by_role("button", name="Save").click()
    expect(about.get_by_role("button", name="Edit Email")).to_contain_text("lea.lefevre@acme.fr")
    expect(about.get_by_role("textbox", name="Email")).to_have_count(0)
    # The header's email link follows.
    expect(page.get_by_role("link", name="lea.lefevre@acme.fr")).to_be_visible()

    about.get_by_role("link", name="History of Email").click()
    history = page.get_by_role("dialog", name="History of Email")
    entries = history.get_by_role("listitem")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("lea.lefevre@acme.fr")  # newest first
    expect(entries.nth(0)).to_contain_text("Camille Martin")
    expect(entries.nth(1)).to_contain_text("lea@acme.fr")
    history.get_by_role("button", name="Close").click()
    expect(history).to_have_count(0)
    # Nothing half-way: the refused value was never stored.
    page.reload()
    expect(page.get_by_role("button", name="Edit Email")).to_contain_text("lea.lefevre@acme.fr")


def test_a_value_changed_by_someone_else_meanwhile_is_not_overwritten(lea, page, live_server):
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.records.reads import get_record
    from comptoir.core.records.writes import update_record
    from comptoir.core.testing.factories import make_user

    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    about = page.get_by_role("region", name="About")
    about.get_by_role("button", name="Edit Job title").click()
    field = about.get_by_role("textbox", name="Job title")
    expect(field).to_have_value("CEO")
    # A colleague changes it while the field is open.
    sam = make_user("sam@example.com", first_name="Sam", last_name="Stone")
    update_record("contacts", lea.pk, {"jobtitle": "CTO"}, source=ChangeSource.for_user(sam))
    field.fill("Founder")
    about.get_by_role("button", name="Save").click()

    error = about.get_by_role("alert")
    expect(error).to_contain_text("Changed by Sam Stone meanwhile: now CTO.")
    expect(field).to_have_value("Founder")  # what the user typed stays
    expect(field).to_have_attribute("aria-invalid", "true")
    assert get_record("contacts", lea.pk).properties["jobtitle"] == "CTO"
    # Having seen the new value, saving again is a choice: it replaces it.
    about.get_by_role("button", name="Save").click()
    expect(about.get_by_role("button", name="Edit Job title")).to_contain_text("Founder")
    assert get_record("contacts", lea.pk).properties["jobtitle"] == "Founder"


def test_log_a_call_and_see_it_on_the_company_timeline(lea, acme, page, live_server):
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    expect(page.get_by_role("heading", level=1, name="Léa Lefèvre")).to_be_visible()

    page.get_by_role("tab", name="Call", exact=True).click()
    panel = page.get_by_role("tabpanel", name="Call")
    panel.get_by_label("Call outcome").select_option(label="Connected")
    panel.get_by_label("Duration (minutes)").fill("12")
    panel.get_by_label("Call notes").fill("Discussed the renewal of the licence.")
    panel.get_by_role("button", name="Log call").click()

    timeline = page.get_by_role("list", name="Timeline")
    call = timeline.get_by_role("article").filter(has_text="Discussed the renewal")
    expect(call).to_be_visible()
    expect(call).to_contain_text("Connected")
    expect(call).to_contain_text("12 min")
    screenshot(page, "contact-record")

    page.get_by_role("region", name="Companies").get_by_role("link", name="Acme").click()
    expect(page.get_by_role("heading", level=1, name="Acme")).to_be_visible()
    call = (
        page.get_by_role("list", name="Timeline")
        .get_by_role("article")
        .filter(has_text="Discussed the renewal")
    )
    expect(call).to_be_visible()
    expect(call.get_by_role("link", name="Léa Lefèvre")).to_be_visible()
    screenshot(page, "company-record")


@pytest.fixture
def lea_with_a_note(lea):
    make_activity(
        "notes",
        hs_note_body="<p>Wants a demo of the <b>reporting</b> module.</p>",
        associations=[("contacts", lea.pk, None)],
    )
    return lea


def test_contact_page_at_phone_width(lea_with_a_note, phone_page, live_server):
    page, lea = phone_page, lea_with_a_note
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    expect(page.get_by_role("heading", level=1, name="Léa Lefèvre")).to_be_visible()
    about = page.get_by_role("region", name="About")
    expect(about.get_by_role("button", name="Edit Email")).to_be_visible()
    activities = page.get_by_role("region", name="Activities")
    activities.scroll_into_view_if_needed()
    expect(activities.get_by_role("tab", name="Note", exact=True)).to_be_visible()
    note = activities.get_by_role("list", name="Timeline").get_by_role("article")
    note.scroll_into_view_if_needed()
    expect(note).to_contain_text("Wants a demo of the reporting module.")
    expect(note).to_be_in_viewport()
    company = page.get_by_role("region", name="Companies").get_by_role("link", name="Acme")
    company.scroll_into_view_if_needed()
    expect(company).to_be_in_viewport()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "contact-record-phone")


def test_change_the_label_of_an_association_on_the_record_page(lea, acme, page, live_server):
    from comptoir.core.associations.labels import create_label

    create_label("contacts", "companies", "Decision maker", "decision_maker")
    create_label("contacts", "companies", "Billing contact", "billing_contact")
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    card = page.get_by_role("region", name="Companies")
    card.get_by_role("button", name="Edit labels of Acme").click()
    labels = card.get_by_role("group", name="Labels of Acme")
    labels.get_by_label("Decision maker").check()
    card.get_by_role("button", name="Save", exact=True).click()

    card = page.get_by_role("region", name="Companies")
    expect(card.get_by_role("listitem").filter(has_text="Acme")).to_contain_text("Decision maker")
    expect(page.get_by_role("status")).to_contain_text("Labels saved.")
    card.get_by_role("button", name="Edit labels of Acme").click()
    labels = card.get_by_role("group", name="Labels of Acme")
    expect(labels.get_by_label("Decision maker")).to_be_checked()
    expect(labels.get_by_label("Billing contact")).not_to_be_checked()
