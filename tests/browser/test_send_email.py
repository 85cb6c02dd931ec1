"""Sending an email from a contact record in Chromium, in French on a desktop and a phone and
in English on a desktop: the composer's e-mail tab offers "Envoyer" ("Send") with the
contact as recipient, the email goes through the real SMTP server (aiosmtpd) and shows on
the contact's timeline as sent; a later one is scheduled in the writer's time, then
cancelled."""

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


WORDS = {
    "fr": {
        "locale": "fr-FR",
        "to": "À",
        "other_to": "To",
        "from": "De\u00a0: rep@example.com",
        "cc": "Cc",
        "subject": "Objet",
        "later": "Envoyer plus tard",
        "send": "Envoyer",
        "sending": "E-mail en cours d'envoi.",
        "sent": "Envoyé",
        "reply": "Répondre",
        "at": "Envoyer plus tard, à (votre heure)",
        "scheduled": "E-mail programmé pour le",
        "status": "Programmé",
        "when": "15 janv. 2099 à 14:30",
        "cancel": "Annuler Relance",
        "cancelled": "L'e-mail a été annulé",
        "none": "Aucun e-mail programmé",
    },
    "en": {
        "locale": "en-US",
        "to": "To",
        "other_to": "À",
        "from": "From: rep@example.com",
        "cc": "Cc",
        "subject": "Subject",
        "later": "Send later",
        "send": "Send",
        "sending": "Email sending.",
        "sent": "Sent",
        "reply": "Reply",
        "at": "Send later, at (your time)",
        "scheduled": "Email scheduled for",
        "status": "Scheduled",
        "when": "Jan 15, 2099, 2:30\u202fPM",
        "cancel": "Cancel Relance",
        "cancelled": "The email was cancelled",
        "none": "No scheduled emails",
    },
}


@pytest.fixture
def signed(seller):
    seller.email_signature = "Camille Martin\nComptoir"
    seller.save(update_fields=["email_signature"])
    return seller


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280)])
def test_a_rep_sends_an_email_from_a_contact_and_sees_it_on_the_timeline(
    browser, live_server, signed, mail_settings, language, width
):
    signed.language = language
    signed.save(update_fields=["language"])
    w = WORDS[language]
    shot = "" if language == "fr" else "-en"
    connect(signed, mail_settings)
    contact = make_contact(email="anne@client.fr", firstname="Anne", lastname="Durand")
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale=w["locale"],
        timezone_id="America/Martinique",  # the writer's own zone, not the portal's (Paris)
        **phone,
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/contacts/{contact.pk}/?compose=email")
    form = page.locator("#send-form")
    expect(form.get_by_label(w["other_to"], exact=True)).to_have_count(0)  # in one language
    expect(form.get_by_label(w["to"], exact=True)).to_have_value("anne@client.fr")
    expect(form).to_contain_text(w["from"])
    expect(form).to_contain_text("Camille Martin")  # the signature, shown before sending
    form.get_by_label(w["cc"], exact=True).fill("boss@client.fr")
    form.get_by_label(w["subject"], exact=True).fill("Votre devis")
    editor = form.locator("#send-editor")
    editor.click()
    page.keyboard.type("Bonjour Anne, voici le devis.")
    expect(form.get_by_role("button", name=w["later"])).to_be_visible()
    screenshot(page, ("composer-send" if width == 1280 else "composer-send-390") + shot)
    form.get_by_role("button", name=w["send"], exact=True).click()
    expect(page.get_by_text(w["sending"])).to_be_attached()
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
    expect(item).to_contain_text(w["sent"])
    expect(item).to_contain_text("Bonjour Anne, voici le devis.")
    expect(item.get_by_role("link", name=w["reply"])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Later: scheduled in the writer's time, listed, then cancelled before it goes.
    page.goto(f"{live_server.url}/contacts/{contact.pk}/?compose=email")
    form = page.locator("#send-form")
    form.get_by_label(w["subject"], exact=True).fill("Relance")
    form.locator("#send-editor").click()
    page.keyboard.type("Avez-vous pu lire le devis ?")
    form.get_by_label(w["at"]).fill("2099-01-15T09:30")
    form.get_by_role("button", name=w["later"]).click()
    expect(page.get_by_text(w["scheduled"])).to_be_attached()
    page.goto(f"{live_server.url}/mail/scheduled/")
    row = page.get_by_role("row").filter(has_text="Relance")
    expect(row).to_contain_text("anne@client.fr")
    expect(row).to_contain_text(w["status"])
    # 9:30 in Martinique (four hours behind UTC): 14:30 in Paris, the zone the list shows.
    expect(row).to_contain_text(w["when"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, ("scheduled-emails" if width == 1280 else "scheduled-emails-390") + shot)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=w["cancel"]).click()
    expect(page.get_by_text(w["cancelled"])).to_be_visible()
    expect(page.get_by_text(w["none"])).to_be_visible()
    context.close()
