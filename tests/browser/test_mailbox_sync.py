"""Settings > E-mail, the sync's part, in Chromium in French on a desktop and a phone and in
English on a desktop: a
contact's reply to an email sent from Comptoir is dropped into the real Dovecot mailbox,
the worker's sync logs it, and the page says when it last synced and how many emails it
logged; a wrong password is said in plain words; the rep switches on the logging of their
other emails with contacts."""

import imaplib
import time

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from comptoir.mail import delivery, sending, sync
from comptoir.mail.models import InboundMessage, Mailbox
from comptoir.mail.sending import Draft
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


WORDS = {
    "fr": {
        "locale": "fr-FR",
        "sync": "Synchronisation de la boîte de réception",
        "last": "Dernière synchronisation",
        "logged": "E-mails enregistrés",
        "failed": "Dernière synchronisation échouée",
        "switch": "Enregistrer aussi mes autres e-mails avec mes contacts",
        "save": "Enregistrer les réglages de synchronisation",
        "saved": "Réglages de synchronisation enregistrés.",
        "refused": "Le serveur a refusé le nom d'utilisateur ou le mot de passe.",
    },
    "en": {
        "locale": "en-US",
        "sync": "Inbox sync",
        "last": "Last sync",
        "logged": "Emails logged",
        "failed": "Last sync failed",
        "switch": "Also log my other emails with my contacts",
        "save": "Save sync settings",
        "saved": "Sync settings saved.",
        "refused": "The server refused the user name or password.",
    },
}


def empty_inbox(servers, port):
    client = imaplib.IMAP4(servers.host, port)
    client.login(servers.user, servers.password)
    _typ, data = client.select("INBOX")
    if int(data[0] or 0):
        client.store("1:*", "+FLAGS", "(\\Deleted)")
        client.expunge()
    return client


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280)])
def test_a_rep_sees_their_mailbox_sync(
    browser, live_server, seller, mail_settings, language, width
):
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = "" if language == "fr" else "-en"
    servers = mail_settings
    dovecot = servers.require_dovecot()
    mailbox = Mailbox.objects.create(
        user=seller,
        email_address=servers.user,
        smtp_host=servers.host,
        smtp_port=servers.smtp_plain_port,
        smtp_security="none",
        imap_host=servers.host,
        imap_port=dovecot.port,
        imap_security="none",
        imap_username=servers.user,
        imap_password=servers.password,
    )
    make_contact(email="anne@client.fr", firstname="Anne")
    outbound = sending.compose(
        seller, Draft(to="anne@client.fr", subject="Votre devis", html="<p>Bonjour</p>")
    )
    delivery.deliver(outbound.pk)
    imap = empty_inbox(servers, dovecot.port)
    reply = (
        f"From: Anne <anne@client.fr>\r\nTo: {servers.user}\r\nSubject: Re: Votre devis\r\n"
        f"Message-ID: <reply-{width}{shot}@client.fr>\r\nIn-Reply-To: {outbound.message_id}\r\n"
        "\r\nD'accord !\r\n"
    )
    imap.append("INBOX", None, imaplib.Time2Internaldate(time.time()), reply.encode())
    imap.logout()
    sync.sync_mailbox(mailbox.pk)  # what the worker's periodic job runs
    assert InboundMessage.objects.count() == 1

    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=w["locale"], **phone
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/settings/email/")
    state = page.get_by_role("region", name=w["sync"])
    expect(state).to_contain_text(w["last"])
    expect(state).to_contain_text(w["logged"])
    expect(state.locator("dd").nth(1)).to_have_text("1")
    expect(state).not_to_contain_text(w["failed"])
    switch = state.get_by_label(w["switch"])
    expect(switch).not_to_be_checked()
    switch.check()
    state.get_by_role("button", name=w["save"]).click()
    expect(page.get_by_text(w["saved"])).to_be_visible()
    expect(page.get_by_role("region", name=w["sync"]).get_by_label(w["switch"])).to_be_checked()
    assert Mailbox.objects.get(pk=mailbox.pk).log_contact_emails is True
    screenshot(page, ("mailbox-sync" if width == 1280 else "mailbox-sync-390") + shot)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The password changed at the provider: the next sync says so in words.
    stored = Mailbox.objects.get(pk=mailbox.pk)
    stored.imap_password = "plus-le-bon"
    stored.save()
    sync.sync_mailbox(mailbox.pk)
    page.reload()
    state = page.get_by_role("region", name=w["sync"])
    expect(state.get_by_role("alert")).to_contain_text(w["failed"])
    expect(state.get_by_role("alert")).to_contain_text(w["refused"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
