"""Notifications in Chromium: an @mention typed in a note reaches the teammate's bell."""

import re

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact, make_user
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob(seller):
    return make_user("bob@example.com", first_name="Bob", last_name="Bernard")


@pytest.fixture
def lea(seller):
    from comptoir.core.history.source import ChangeSource

    return make_contact(
        ChangeSource.for_user(seller),  # her own contact: nothing to tell her
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        hubspot_owner_id=seller.owner.pk,
    )


def write_note_mentioning_bob(page, live_server, lea):
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    editor = page.get_by_role("textbox", name="Note")
    editor.click()
    page.keyboard.type("Peux-tu rappeler Léa ? @bo")
    suggestions = page.get_by_role("listbox", name="Teammates to mention")
    option = suggestions.get_by_role("option", name=re.compile("Bob Bernard"))
    expect(option).to_be_visible()
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # picks the highlighted teammate
    expect(suggestions).to_be_hidden()
    page.keyboard.type("merci")
    mention = editor.locator(".mention")
    expect(mention).to_have_text("@Bob Bernard")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").filter(has_text="Note saved.")).to_be_attached()
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline.locator(".mention")).to_have_text("@Bob Bernard")


def test_mention_in_a_note_reaches_the_teammates_bell(browser, live_server, page, bob, lea):
    write_note_mentioning_bob(page, live_server, lea)
    # Camille herself is told nothing.
    expect(page.locator("#bell-count")).to_be_hidden()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    bob_page = sign_in(context, live_server, email="bob@example.com")
    bell = bob_page.get_by_role("button", name=re.compile("^Notifications"))
    expect(bell).to_have_accessible_name(re.compile("1 unread"))
    expect(bob_page.locator("#bell-count")).to_have_text("11 unread")  # digit + hidden words
    bell.click()
    panel = bob_page.get_by_role("region", name="Notifications")
    link = panel.get_by_role("link", name=re.compile("Camille Martin mentioned you in a note"))
    expect(link).to_contain_text("Léa Lefèvre")
    expect(link).to_contain_text("Peux-tu rappeler Léa ? @Bob Bernard merci")
    screenshot(bob_page, "notifications")
    link.click()
    bob_page.wait_for_url(f"{live_server.url}/contacts/{lea.pk}/")
    expect(bob_page.get_by_role("heading", level=1, name="Léa Lefèvre")).to_be_visible()
    expect(bob_page.locator("#bell-count")).to_be_hidden()  # read once opened
    context.close()


def test_bell_fits_the_phone_header_and_lists_notifications(browser, live_server, bob, lea):
    from comptoir.notifications import services

    services.deliver(
        [
            services.Intent(
                services.ASSIGNED, "contacts", lea.pk, "Léa Lefèvre", user_id=bob.pk, actor_id=None
            )
        ]
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    phone = sign_in(context, live_server, email="bob@example.com")
    bell = phone.get_by_role("button", name=re.compile("^Notifications"))
    expect(bell).to_be_in_viewport()
    box = bell.bounding_box()
    assert box["x"] + box["width"] <= 390
    bell.click()
    panel = phone.get_by_role("region", name="Notifications")
    expect(panel.get_by_role("link", name=re.compile("assigned you the contact"))).to_be_visible()
    panel_box = panel.bounding_box()
    assert panel_box["x"] >= 0 and panel_box["x"] + panel_box["width"] <= 390
    screenshot(phone, "notifications-phone")
    panel.get_by_role("button", name="Mark all as read").click()
    expect(phone.locator("#bell-count")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_preferences_and_the_notifications_page(browser, live_server, seller, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_role("heading", name="No notifications yet")).to_be_visible()
    page.get_by_role("link", name="Choose what you are told").click()
    email = page.get_by_role("checkbox", name="Task overdue: by email")
    expect(email).not_to_be_checked()
    email.check()
    page.get_by_role("checkbox", name="@mention in a note: in the app").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Notification preferences saved.")
    expect(page.get_by_role("checkbox", name="Task overdue: by email")).to_be_checked()
    expect(page.get_by_role("checkbox", name="@mention in a note: in the app")).not_to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 390:
        screenshot(page, "notifications-preferences-phone")
    context.close()
