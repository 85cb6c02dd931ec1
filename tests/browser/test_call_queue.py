"""The call queue in Chromium: select contacts, start calling, log a call, the next contact
opens by itself; the calling screen at phone width."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_contact
from tests.browser.conftest import screenshot, sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(seller):
    make_company(name="Acme", domain="acme.fr")
    return [
        make_contact(
            email="lea@acme.fr",
            firstname="Léa",
            lastname="Lefèvre",
            jobtitle="CEO",
            phone="+33 1 23 45 67 89",
            hubspot_owner_id=seller.owner.pk,
        ),
        make_contact(
            email="paul@acme.fr",
            firstname="Paul",
            lastname="Durand",
            mobilephone="06 12 34 56 78",
            hubspot_owner_id=seller.owner.pk,
        ),
    ]


def test_select_contacts_start_calling_and_log_calls(people, page, live_server):
    page.goto(f"{live_server.url}/contacts/?sort=lastname")
    page.get_by_role("checkbox", name="Select Paul Durand").check()
    page.get_by_role("checkbox", name="Select Léa Lefèvre").check()
    page.get_by_role("region", name="Bulk actions").get_by_role(
        "button", name="Start calling"
    ).click()

    expect(page.get_by_text("Contact 1 of 2")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Paul Durand")).to_be_visible()
    expect(page.get_by_role("link", name="Call mobile 06 12 34 56 78")).to_have_attribute(
        "href", "tel:0612345678"
    )
    page.set_viewport_size({"width": 1280, "height": 860})
    screenshot(page, "call-queue")
    log = page.get_by_role("region", name="Log the call")
    log.get_by_label("Call outcome").select_option(label="Connected")
    log.get_by_label("Duration (minutes)").fill("3")
    log.get_by_label("Call notes").fill("Wants a demo on Monday.")
    log.get_by_role("button", name="Log call and continue").click()

    expect(page.get_by_role("heading", name="Call with Paul Durand logged.")).to_be_visible()
    expect(page.get_by_text("Next: Léa Lefèvre")).to_be_visible()
    # Auto-advance: the next contact opens by itself after the delay (5 s by default).
    expect(page.get_by_role("heading", level=2, name="Léa Lefèvre")).to_be_visible(timeout=10000)
    expect(page.get_by_text("1 of 2 done")).to_be_visible()
    page.get_by_role("button", name="Skip this contact").click()
    expect(page.get_by_role("heading", name="Queue finished")).to_be_visible()
    expect(page.get_by_text("1 call logged")).to_be_visible()

    # The call is on Paul's timeline, like one logged from his record.
    page.goto(f"{live_server.url}/contacts/{people[1].pk}/")
    expect(page.get_by_text("Wants a demo on Monday.")).to_be_visible()


def test_pause_the_countdown_and_the_calling_screen_at_phone_width(people, phone_page, live_server):
    page = phone_page
    page.goto(f"{live_server.url}/contacts/?sort=lastname")
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Call the contacts of this view").click()
    expect(page.get_by_role("heading", level=2, name="Paul Durand")).to_be_visible()
    call = page.get_by_role("link", name="Call mobile 06 12 34 56 78")
    box = call.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the screen
    page.screenshot(path="/tmp/call-queue-phone.png", full_page=True)
    page.get_by_role("region", name="Log the call").get_by_role(
        "button", name="Log call and continue"
    ).click()
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(6500)
    expect(page.get_by_role("heading", name="Call with Paul Durand logged.")).to_be_visible()
    page.get_by_role("link", name="Call the next contact").click()
    expect(page.get_by_role("heading", level=2, name="Léa Lefèvre")).to_be_visible()


def test_deleting_a_call_queue_asks_first_in_french(people, page, live_server, seller):
    """The French question has an apostrophe ("file d'appels"): it must still be asked."""
    from comptoir.salestools.call_queue import create_queue
    from comptoir.salestools.models import CallQueue

    seller.language = "fr"
    seller.save(update_fields=["language"])
    create_queue(seller, [c.pk for c in people], name="Relances")
    page.goto(f"{live_server.url}/sales-tools/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Supprimer Relances").click()
    page.wait_for_timeout(300)
    assert asked == [
        "Supprimer cette file d'appels ? Les appels déjà enregistrés restent sur les contacts."
    ]
    assert CallQueue.objects.filter(name="Relances").exists()  # "Cancel" keeps it

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Supprimer Relances").click()
    expect(page.get_by_role("button", name="Supprimer Relances")).to_have_count(0)
    assert len(asked) == 2 and not CallQueue.objects.filter(name="Relances").exists()

    # The bulk delete of the contacts list asks the same way.
    page.goto(f"{live_server.url}/contacts/?sort=lastname")
    page.get_by_role("checkbox", name="Sélectionner Paul Durand").check()
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("region", name="Actions groupées").get_by_role(
        "button", name="Supprimer"
    ).click()
    page.wait_for_timeout(300)
    assert asked[-1].startswith("Supprimer les fiches sélectionnées")
    expect(page.get_by_role("link", name="Paul Durand")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_reorders_the_queue_in_french(people, browser, live_server, seller, width):
    from comptoir.salestools.call_queue import create_queue

    seller.language = "fr"
    seller.save(update_fields=["language"])
    zoe = make_contact(
        email="zoe@acme.fr", firstname="Zoé", lastname="Martin", phone="01 02 03 04 05",
        hubspot_owner_id=seller.owner.pk,
    )  # fmt: skip
    queue = create_queue(seller, [people[0].pk, people[1].pk, zoe.pk], name="Relances")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/calls/{queue.pk}/")
    upcoming = page.get_by_role("region", name="À suivre")
    expect(upcoming.locator(".upcoming-name")).to_have_text(["Paul Durand", "Zoé Martin"])
    upcoming.get_by_role("button", name="Appeler Zoé Martin juste après").click()
    expect(upcoming.locator(".upcoming-name")).to_have_text(["Zoé Martin", "Paul Durand"])
    upcoming.get_by_role("button", name="Descendre Zoé Martin").click()
    expect(upcoming.locator(".upcoming-name")).to_have_text(["Paul Durand", "Zoé Martin"])
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"call-queue-upcoming-{width}")
    # Léa, on screen, is still the one to call.
    expect(page.get_by_role("heading", level=2, name="Léa Lefèvre")).to_be_visible()
    context.close()
