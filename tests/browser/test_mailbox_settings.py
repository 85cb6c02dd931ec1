"""Settings > E-mail in Chromium, in French, on a desktop and a phone: a rep picks their
provider, fills in their account, saves, tests the connection against the real servers
(aiosmtpd and Dovecot), then sees a wrong password said in plain words."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
NBSP = "\u00a0"


@pytest.fixture
def french(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    return seller


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_connects_and_tests_their_mailbox(browser, live_server, french, mail_settings, width):
    servers = mail_settings
    dovecot = servers.require_dovecot()
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR", **phone)
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/settings/email/")
    expect(page.get_by_role("heading", name="E-mail", exact=True)).to_be_visible()
    inbox = page.get_by_role("region", name="Boîte de réception connectée")
    expect(inbox).to_contain_text("Aucune boîte de réception n'est connectée")

    inbox.get_by_label("Fournisseur").select_option(label="Gandi")
    expect(inbox.get_by_label("Serveur SMTP")).to_have_value("mail.gandi.net")
    expect(inbox.get_by_label("Port IMAP")).to_have_value("993")
    inbox.get_by_label("Adresse e-mail").fill(servers.user)
    inbox.get_by_label("Nom d'utilisateur", exact=True).fill(servers.user)
    inbox.get_by_label("Mot de passe", exact=True).fill(servers.password)
    # The test servers stand in for Gandi's.
    inbox.get_by_label("Serveur SMTP").fill(servers.host)
    inbox.get_by_label("Port SMTP").fill(str(servers.smtps_port))
    inbox.get_by_label("Serveur IMAP").fill(servers.host)
    inbox.get_by_label("Port IMAP").fill(str(dovecot.ssl_port))
    inbox.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Boîte de réception enregistrée.")).to_be_visible()

    status = page.locator("#mailbox-status")
    expect(status).to_contain_text("Connectée")
    expect(status).to_contain_text("Pas encore testée")
    status.get_by_role("button", name="Tester la connexion").click()
    # Two real connections (SMTP, IMAP) are made before the answer: a loaded machine may
    # take seconds.
    expect(status.get_by_text("Connexion réussie.")).to_have_count(2, timeout=30_000)
    expect(status).to_contain_text("Dernier test réussi")
    assert servers.password not in page.content()
    expect(inbox.get_by_label("Mot de passe", exact=True)).to_have_value("")
    screenshot(page, "mailbox-settings" if width == 1280 else "mailbox-settings-390")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    inbox = page.get_by_role("region", name="Boîte de réception connectée")
    inbox.get_by_label("Mot de passe", exact=True).fill("mauvais-mot-de-passe")
    inbox.get_by_role("button", name="Enregistrer", exact=True).click()
    status = page.locator("#mailbox-status")
    status.get_by_role("button", name="Tester la connexion").click()
    expect(status).to_contain_text(
        f"Mot de passe{NBSP}: Le serveur a refusé le nom d'utilisateur ou le mot de passe.",
        timeout=30_000,
    )
    expect(status).to_contain_text("Dernier test échoué")
    assert "mauvais-mot-de-passe" not in page.content()
    expect(status.get_by_role("button", name=re.compile("Déconnecter"))).to_be_visible()
    context.close()
