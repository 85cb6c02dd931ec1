"""A templated email sent from a contact record (TOOL-3 with TOOL-1), in Chromium at 1280 px
in French and in English: the send form's
template picker fills subject and body for the contact, the email goes out through the real
SMTP server (aiosmtpd) with the tokens filled in, and records which template it came from."""

import email
import email.policy

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from comptoir.emailtemplates import services
from comptoir.mail import delivery
from comptoir.mail.models import OutboundEmail
from comptoir.mail.tests.test_sending import connect
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "templates": "Modèles",
        "search": "Rechercher des modèles",
        "subject": "Objet",
        "send": "Envoyer",
        "sending": "E-mail en cours d'envoi.",
    },
    "en": {
        "locale": "en-US",
        "templates": "Templates",
        "search": "Search templates",
        "subject": "Subject",
        "send": "Send",
        "sending": "Email sending.",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("en", 1280)])
def test_send_a_templated_email(browser, live_server, seller, mail_settings, language, width):
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    connect(seller, mail_settings)
    contact = make_contact(email="anne@client.fr", firstname="Anne", lastname="Durand")
    template = services.create_template(
        seller,
        name="Devis",
        subject="Votre devis, {{ contact.firstname }}",
        body="<p>Bonjour {{ contact.firstname }}, <b>voici</b> le devis.</p>",
    )
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=w["locale"])
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/contacts/{contact.pk}/?compose=email")
    form = page.locator("#send-form")
    picker = form.locator("[data-template-picker]")
    picker.get_by_text(w["templates"], exact=True).click()
    picker.get_by_label(w["search"]).fill("dev")
    picker.get_by_role("button", name="Devis").click()
    expect(form.get_by_label(w["subject"], exact=True)).to_have_value("Votre devis, Anne")
    expect(form.locator("#send-editor")).to_contain_text("Bonjour Anne, voici le devis.")
    form.get_by_role("button", name=w["send"], exact=True).click()
    expect(page.get_by_text(w["sending"])).to_be_attached()
    outbound = OutboundEmail.objects.get()
    assert outbound.template_id == template.pk
    before = len(mail_settings.inbox.messages)
    assert delivery.send_due() == 1
    message = email.message_from_bytes(
        mail_settings.inbox.messages[before], policy=email.policy.default
    )
    assert message["Subject"] == "Votre devis, Anne"
    assert "<b>voici</b>" in message.get_body(("html",)).get_content()
    context.close()
