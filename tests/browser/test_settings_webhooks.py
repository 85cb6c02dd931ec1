"""Settings > Webhooks in Chromium, in French, at 1280 and 390 px (issue 19, point 5): an
administrator gives an app a target URL and a subscription, switches it off and on (htmx),
reads the delivery log and replays a batch."""

import pytest
from playwright.sync_api import expect

from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import UI, make_contact
from comptoir.users.services import create_token
from comptoir.webhooks import delivery
from comptoir.webhooks.tests.receiver import Receiver
from tests.browser.settings_helpers import admin, no_sideways_scroll, review_shot

__all__ = ["admin"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings):
    settings.COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the receiver is on loopback
    r = Receiver()
    yield r
    r.stop()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_sets_up_webhooks_and_replays_a_batch(admin, page, live_server, receiver, width):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    create_token(admin, "Synchro ERP")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Webhooks", exact=True).click()
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()
    page.get_by_role("link", name="Synchro ERP").click()

    page.get_by_label("URL cible").fill("ftp://example.com/hooks")
    page.get_by_label("URL cible").press("Enter")
    expect(page.locator("#id_target_url_error")).to_contain_text("doit commencer par https://")
    page.get_by_label("URL cible").fill(receiver.url)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("URL cible enregistrée.")).to_be_visible()

    page.get_by_label("Objet").select_option("contacts")
    page.get_by_label("Événement").select_option("propertyChange")
    page.get_by_label("Propriété (pour les modifications de propriété)").fill("email")
    page.get_by_role("button", name="S'abonner").click()
    expect(page.get_by_text("Abonnement ajouté.")).to_be_visible()
    switch = page.get_by_role("switch")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(page.get_by_role("switch")).to_have_attribute("aria-checked", "false")  # htmx
    page.get_by_role("switch").click()
    expect(page.get_by_role("switch")).to_have_attribute("aria-checked", "true")

    contact = make_contact(email="avant@example.com")
    update_record("contacts", contact.pk, {"email": "apres@example.com"}, source=UI)
    delivery.deliver_due("browser-test")
    assert '"propertyValue":"apres@example.com"' in receiver.requests[0]["body"]
    page.reload()
    log = page.get_by_role("table", name="Journal d'envoi")
    expect(log).to_contain_text("HTTP 204")
    log.get_by_role("button", name="Renvoyer").click()
    expect(log.get_by_text("Le lot sera renvoyé dans un instant.")).to_be_visible()
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"settings-webhooks-{width}")
