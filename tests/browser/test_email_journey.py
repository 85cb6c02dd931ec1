"""Email from the CRM, end to end, in Chromium, in French at 1280 and 390 px and in English at
1280 px (issue 17, point 8), against the real servers (aiosmtpd, Dovecot): a rep connects
their mailbox in Settings > E-mail, sends a templated email from a contact's record, the
recipient opens it (the pixel fetched from another address, through a trusted proxy) and
clicks its link, the recipient's reply dropped into the rep's Dovecot mailbox is synced,
and the feed, the timeline and the template analytics show sent, opened, clicked,
replied."""

import datetime as dt
import email
import email.policy
import imaplib
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from comptoir.emailtemplates import services as templates
from comptoir.mail import delivery, events, sync
from comptoir.mail.models import Mailbox, OutboundEmail
from tests.browser.conftest import sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot
from tests.browser.test_mailbox_sync import empty_inbox

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
READER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "inbox": "Boîte de réception connectée",
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
        "templates": "Modèles",
        "search": "Rechercher des modèles",
        "subject": "Objet",
        "to": "À",
        "send": "Envoyer",
        "sending": "E-mail en cours d'envoi.",
        "replied": "Anne Durand a répondu à « Votre devis, Anne »",
        "clicked": "Anne Durand a cliqué sur un lien de « Votre devis, Anne »",
        "opened": "Anne Durand a ouvert « Votre devis, Anne »",
        "opened_once": "Ouvert 1 fois",
        "clicked_once": "Cliqué 1 fois",
        "analytics": "Statistiques des modèles",
        "all": "100 %",
    },
    "en": {
        "locale": "en-US",
        "inbox": "Connected inbox",
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
        "templates": "Templates",
        "search": "Search templates",
        "subject": "Subject",
        "to": "To",
        "send": "Send",
        "sending": "Email sending.",
        "replied": "Anne Durand replied to “Votre devis, Anne”",
        "clicked": "Anne Durand clicked a link in “Votre devis, Anne”",
        "opened": "Anne Durand opened “Votre devis, Anne”",
        "opened_once": "Opened 1 time",
        "clicked_once": "Clicked 1 time",
        "analytics": "Template analytics",
        "all": "100%",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280)])
def test_connect_send_open_click_reply(
    browser, live_server, seller, mail_settings, settings, language, width
):
    servers = mail_settings
    dovecot = servers.require_dovecot()
    settings.COMPTOIR_BASE_URL = live_server.url  # the tracking URLs' host
    settings.COMPTOIR_TRUSTED_PROXIES = ["127.0.0.1"]  # the reader comes "through a proxy"
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = f"{width}" if language == "fr" else f"{width}-en"
    contact = make_contact(email="anne@client.fr", firstname="Anne", lastname="Durand")
    target = f"{live_server.url}/healthz"
    templates.create_template(
        seller,
        name="Devis",
        subject="Votre devis, {{ contact.firstname }}",
        body=f'<p>Bonjour {{{{ contact.firstname }}}}, voici <a href="{target}">le devis</a>.</p>',
        shared=True,
    )
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=w["locale"], **phone
    )
    page = sign_in(context, live_server)

    # 1. The rep connects their mailbox.
    page.goto(f"{live_server.url}/settings/email/")
    inbox = page.get_by_role("region", name=w["inbox"])
    inbox.get_by_label(w["provider"]).select_option(label="Gandi")
    inbox.get_by_label(w["address"]).fill(servers.user)
    inbox.get_by_label(w["user"], exact=True).fill(servers.user)
    inbox.get_by_label(w["password"], exact=True).fill(servers.password)
    inbox.get_by_label(w["smtp_host"]).fill(servers.host)
    inbox.get_by_label(w["smtp_port"]).fill(str(servers.smtps_port))
    inbox.get_by_label(w["imap_host"]).fill(servers.host)
    inbox.get_by_label(w["imap_port"]).fill(str(dovecot.ssl_port))
    inbox.get_by_role("button", name=w["save"], exact=True).click()
    expect(page.get_by_text(w["saved"])).to_be_visible()

    # 2. A templated email from Anne's record.
    page.goto(f"{live_server.url}/contacts/{contact.pk}/?compose=email")
    form = page.locator("#send-form")
    picker = form.locator("[data-template-picker]")
    picker.get_by_text(w["templates"], exact=True).click()
    picker.get_by_label(w["search"]).fill("dev")
    picker.get_by_role("button", name="Devis").click()
    expect(form.get_by_label(w["subject"], exact=True)).to_have_value("Votre devis, Anne")
    form.get_by_label(w["to"], exact=True).fill("Anne Durand <anne@client.fr>")
    form.get_by_role("button", name=w["send"], exact=True).click()
    expect(page.get_by_text(w["sending"])).to_be_attached()
    before = len(servers.inbox.messages)
    assert delivery.send_due() == 1  # what the worker does
    outbound = OutboundEmail.objects.get()
    received = email.message_from_bytes(servers.inbox.messages[before], policy=email.policy.default)
    html = received.get_body(("html",)).get_content()
    click_url, pixel_url = re.findall(r'(?:href|src)="(http://[^"]+/t/[oc]/[^"]+)"', html)
    OutboundEmail.objects.filter(pk=outbound.pk).update(  # read a minute later
        accepted_at=timezone.now() - dt.timedelta(minutes=1)
    )

    # 3. Anne opens it and clicks, from her own address.
    reader = browser.new_context(
        locale=w["locale"],
        user_agent=READER,
        extra_http_headers={"X-Forwarded-For": "203.0.113.50"},
    )
    anne = reader.new_page()
    assert anne.goto(pixel_url).status == 200
    anne.goto(click_url)
    expect(anne).to_have_url(target)
    reader.close()

    # 4. Her reply lands in the rep's mailbox; the worker's sync logs it.
    imap = empty_inbox(servers, dovecot.port)
    reply = (
        f"From: Anne Durand <anne@client.fr>\r\nTo: {servers.user}\r\n"
        f"Subject: Re: Votre devis, Anne\r\nMessage-ID: <journey-{shot}@client.fr>\r\n"
        f"In-Reply-To: {outbound.message_id}\r\n\r\nParfait, je signe.\r\n"
    )
    imap.append("INBOX", None, imaplib.Time2Internaldate(time.time()), reply.encode())
    imap.logout()
    sync.sync_mailbox(Mailbox.objects.get(user=seller).pk)
    events.tally()

    # 5. The feed, the timeline and the template analytics.
    page.goto(f"{live_server.url}/sales-tools/activity/")
    feed = page.locator("#activity-feed")
    expect(feed).to_contain_text(w["replied"])
    expect(feed).to_contain_text(w["clicked"])
    expect(feed).to_contain_text(w["opened"])
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    sent_item = page.locator(".event-emails").filter(has_text=w["opened_once"])
    expect(sent_item).to_contain_text(w["clicked_once"])
    expect(page.get_by_text("Parfait, je signe.")).to_be_visible()
    page.goto(f"{live_server.url}/sales-tools/templates/analytics/")
    row = page.get_by_role("table", name=w["analytics"]).get_by_role("row", name="Devis")
    expect(row).to_contain_text("1")
    expect(row.locator(".rate")).to_have_text([w["all"]] * 3)
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"email-journey-analytics-{shot}")
    context.close()
