"""Sending an email from a contact record in Chromium, in French, on a desktop and a phone:
the composer's e-mail tab offers "Envoyer" with the contact as recipient, the email goes
through the real SMTP server (aiosmtpd) and shows on the contact's timeline as sent."""

import email
import email.policy

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from comptoir.mail import delivery
from comptoir.mail.models import OutboundEmail
from comptoir.mail.tests.test_sending import connect
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def french(seller):
    seller.language = "fr"
    seller.email_signature = "Camille Martin\nComptoir"
    seller.save(update_fields=["language", "email_signature"])
    return seller


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_sends_an_email_from_a_contact_and_sees_it_on_the_timeline(
    browser, live_server, french, mail_settings, width
):
    connect(french, mail_settings)
    contact = make_contact(email="anne@client.fr", firstname="Anne", lastname="Durand")
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale="fr-FR",
        timezone_id="America/Martinique",  # the writer's own zone, not the portal's (Paris)
        **phone,
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/contacts/{contact.pk}/?compose=email")
    form = page.locator("#send-form")
    expect(form.get_by_label("To", exact=True)).to_have_count(0)  # in French
    expect(form.get_by_label("À", exact=True)).to_have_value("anne@client.fr")
    expect(form).to_contain_text("De\u00a0: rep@example.com")
    expect(form).to_contain_text("Camille Martin")  # the signature, shown before sending
    form.get_by_label("Cc", exact=True).fill("boss@client.fr")
    form.get_by_label("Objet", exact=True).fill("Votre devis")
    editor = form.locator("#send-editor")
    editor.click()
    page.keyboard.type("Bonjour Anne, voici le devis.")
    expect(form.get_by_role("button", name="Envoyer plus tard")).to_be_visible()
    screenshot(page, "composer-send" if width == 1280 else "composer-send-390")
    form.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.get_by_text("E-mail en cours d'envoi.")).to_be_attached()
    outbound = OutboundEmail.objects.get()
    before = len(mail_settings.inbox.messages)
    assert delivery.send_due() == 1  # what the worker does
    message = email.message_from_bytes(
        mail_settings.inbox.messages[before], policy=email.policy.default
    )
    assert message["Subject"] == "Votre devis" and message["Message-ID"] == outbound.message_id
    assert "Bonjour Anne, voici le devis." in message.get_body(("plain",)).get_content()
    page.reload()
    item = page.locator(".event-emails").filter(has_text="Votre devis")
    expect(item).to_contain_text("Envoyé")
    expect(item).to_contain_text("Bonjour Anne, voici le devis.")
    expect(item.get_by_role("link", name="Répondre")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Later: scheduled in the writer's time, listed, then cancelled before it goes.
    page.goto(f"{live_server.url}/contacts/{contact.pk}/?compose=email")
    form = page.locator("#send-form")
    form.get_by_label("Objet", exact=True).fill("Relance")
    form.locator("#send-editor").click()
    page.keyboard.type("Avez-vous pu lire le devis ?")
    form.get_by_label("Envoyer plus tard, à (votre heure)").fill("2099-01-15T09:30")
    form.get_by_role("button", name="Envoyer plus tard").click()
    expect(page.get_by_text("E-mail programmé pour le")).to_be_attached()
    page.goto(f"{live_server.url}/mail/scheduled/")
    row = page.get_by_role("row").filter(has_text="Relance")
    expect(row).to_contain_text("anne@client.fr")
    expect(row).to_contain_text("Programmé")
    # 9:30 in Martinique (four hours behind UTC): 14:30 in Paris, the zone the list shows.
    expect(row).to_contain_text("15 janv. 2099 à 14:30")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "scheduled-emails" if width == 1280 else "scheduled-emails-390")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Annuler Relance").click()
    expect(page.get_by_text("L'e-mail a été annulé")).to_be_visible()
    expect(page.get_by_text("Aucun e-mail programmé")).to_be_visible()
    context.close()
