"""Connecting Gmail with OAuth2 in Chromium, in French, at 1280 and 390 px (issue 17,
point 1): the rep clicks "Connecter avec Google", consents at the provider (a local one
speaking Google's protocol), and is back on Settings > E-mail with the mailbox connected
and tested against aiosmtpd and Dovecot, both signed in to with the token."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_connects_gmail_with_one_click(browser, live_server, seller, google, width):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    _provider, _smtp, dovecot = google
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR", **phone)
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/settings/email/")
    inbox = page.get_by_role("region", name="Boîte de réception connectée")
    inbox.get_by_role("link", name="Connecter avec Google").click()
    # Off to the provider's consent page and back (three redirects, and a connection test).
    expect(page.get_by_text("Boîte rep@gmail.example connectée.")).to_be_visible(timeout=30_000)
    expect(inbox).to_contain_text("Connectée en tant que rep@gmail.example")
    expect(inbox).to_contain_text("Envoi (SMTP)")
    if dovecot is not None:
        expect(inbox.get_by_text("Connexion réussie.")).to_have_count(2)
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"mailbox-oauth-{width}")
    context.close()
