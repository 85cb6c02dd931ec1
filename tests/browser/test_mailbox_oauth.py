"""Connecting Gmail with OAuth2 in Chromium, in French at 1280 and 390 px and in English at
1280 px (issue 17, point 1): the rep clicks "Connecter avec Google" ("Connect with Google"),
consents at the provider (a local one
speaking Google's protocol), and is back on Settings > E-mail with the mailbox connected
and tested against aiosmtpd and Dovecot, both signed in to with the token."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "inbox": "Boîte de réception connectée",
        "connect": "Connecter avec Google",
        "connected": "Boîte rep@gmail.example connectée.",
        "as": "Connectée en tant que rep@gmail.example",
        "smtp": "Envoi (SMTP)",
        "success": "Connexion réussie.",
    },
    "en": {
        "locale": "en-US",
        "inbox": "Connected inbox",
        "connect": "Connect with Google",
        "connected": "Mailbox rep@gmail.example connected.",
        "as": "Connected as rep@gmail.example",
        "smtp": "Sending (SMTP)",
        "success": "Connection succeeded.",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280)])
def test_a_rep_connects_gmail_with_one_click(browser, live_server, seller, google, language, width):
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = f"{width}" if language == "fr" else f"{width}-en"
    _provider, _smtp, dovecot = google
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=w["locale"], **phone
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/settings/email/")
    inbox = page.get_by_role("region", name=w["inbox"])
    inbox.get_by_role("link", name=w["connect"]).click()
    # Off to the provider's consent page and back (three redirects, and a connection test).
    expect(page.get_by_text(w["connected"])).to_be_visible(timeout=30_000)
    expect(inbox).to_contain_text(w["as"])
    expect(inbox).to_contain_text(w["smtp"])
    if dovecot is not None:
        expect(inbox.get_by_text(w["success"])).to_have_count(2)
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"mailbox-oauth-{shot}")
    context.close()
