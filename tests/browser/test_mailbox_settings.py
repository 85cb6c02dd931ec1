"""Settings > E-mail in Chromium, in French on a desktop and a phone and in English on a
desktop: a rep picks their
provider, fills in their account, saves, tests the connection against the real servers
(aiosmtpd and Dovecot), then sees a wrong password said in plain words."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
NBSP = "\u00a0"


WORDS = {
    "fr": {
        "locale": "fr-FR",
        "email": "E-mail",
        "inbox": "Boîte de réception connectée",
        "none": "Aucune boîte de réception n'est connectée",
        "provider": "Fournisseur",
        "address": "Adresse e-mail",
        "user": "Nom d'utilisateur",
        "password": "Mot de passe",
        "smtp_host": "Serveur SMTP",
        "smtp_port": "Port SMTP",
        "imap_host": "Serveur IMAP",
        "imap_port": "Port IMAP",
        "save": "Enregistrer",
        "saved": "Boîte de réception enregistrée.",
        "connected": "Connectée",
        "untested": "Pas encore testée",
        "test": "Tester la connexion",
        "success": "Connexion réussie.",
        "passed": "Dernier test réussi",
        "refused": f"Mot de passe{NBSP}: Le serveur a refusé le nom d'utilisateur ou le mot de "
        "passe.",
        "failed": "Dernier test échoué",
        "disconnect": "Déconnecter",
    },
    "en": {
        "locale": "en-US",
        "email": "Email",
        "inbox": "Connected inbox",
        "none": "No inbox is connected",
        "provider": "Provider",
        "address": "Email address",
        "user": "User name",
        "password": "Password",
        "smtp_host": "SMTP server",
        "smtp_port": "SMTP port",
        "imap_host": "IMAP server",
        "imap_port": "IMAP port",
        "save": "Save",
        "saved": "Mailbox saved.",
        "connected": "Connected",
        "untested": "Not tested yet",
        "test": "Test connection",
        "success": "Connection succeeded.",
        "passed": "Last test passed",
        "refused": "Password: The server refused the user name or password.",
        "failed": "Last test failed",
        "disconnect": "Disconnect",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280)])
def test_a_rep_connects_and_tests_their_mailbox(
    browser, live_server, seller, mail_settings, language, width
):
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = "" if language == "fr" else "-en"
    servers = mail_settings
    dovecot = servers.require_dovecot()
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=w["locale"], **phone
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/settings/email/")
    expect(page.get_by_role("heading", name=w["email"], exact=True)).to_be_visible()
    inbox = page.get_by_role("region", name=w["inbox"])
    expect(inbox).to_contain_text(w["none"])

    inbox.get_by_label(w["provider"]).select_option(label="Gandi")
    expect(inbox.get_by_label(w["smtp_host"])).to_have_value("mail.gandi.net")
    expect(inbox.get_by_label(w["imap_port"])).to_have_value("993")
    inbox.get_by_label(w["address"]).fill(servers.user)
    inbox.get_by_label(w["user"], exact=True).fill(servers.user)
    inbox.get_by_label(w["password"], exact=True).fill(servers.password)
    # The test servers stand in for Gandi's.
    inbox.get_by_label(w["smtp_host"]).fill(servers.host)
    inbox.get_by_label(w["smtp_port"]).fill(str(servers.smtps_port))
    inbox.get_by_label(w["imap_host"]).fill(servers.host)
    inbox.get_by_label(w["imap_port"]).fill(str(dovecot.ssl_port))
    inbox.get_by_role("button", name=w["save"], exact=True).click()
    expect(page.get_by_text(w["saved"])).to_be_visible()

    status = page.locator("#mailbox-status")
    expect(status).to_contain_text(w["connected"])
    expect(status).to_contain_text(w["untested"])
    status.get_by_role("button", name=w["test"]).click()
    # Two real connections (SMTP, IMAP) are made before the answer: a loaded machine may
    # take seconds.
    expect(status.get_by_text(w["success"])).to_have_count(2, timeout=30_000)
    expect(status).to_contain_text(w["passed"])
    assert servers.password not in page.content()
    expect(inbox.get_by_label(w["password"], exact=True)).to_have_value("")
    screenshot(page, ("mailbox-settings" if width == 1280 else "mailbox-settings-390") + shot)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    inbox = page.get_by_role("region", name=w["inbox"])
    inbox.get_by_label(w["password"], exact=True).fill("mauvais-mot-de-passe")
    inbox.get_by_role("button", name=w["save"], exact=True).click()
    status = page.locator("#mailbox-status")
    status.get_by_role("button", name=w["test"]).click()
    expect(status).to_contain_text(w["refused"], timeout=30_000)
    expect(status).to_contain_text(w["failed"])
    assert "mauvais-mot-de-passe" not in page.content()
    expect(status.get_by_role("button", name=re.compile(w["disconnect"]))).to_be_visible()
    context.close()
