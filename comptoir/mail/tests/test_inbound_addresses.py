"""The BCC and forwarding addresses (issue 17, point 6): what a user BCCs is logged on its
recipients' timelines, what they forward is logged against the original correspondents
(Gmail, Outlook, Apple Mail and attached messages), senders who are not users are refused
and reported to admins; the SMTP listener (`comptoir mailserver`) takes only its own
addresses, refuses what is too big and keeps running through bad input."""

import smtplib

import pytest
from django.core.management import call_command

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.core.testing.mailservers import HOST, free_port
from comptoir.mail import inbound, mailserver
from comptoir.mail.models import InboundMessage, InboundSettings, InboundStatus
from comptoir.notifications.models import Notification

BCC, FORWARD = "log@crm.example.fr", "forward@crm.example.fr"


@pytest.fixture
def conf(db):
    return InboundSettings.objects.create(pk=1, bcc_address=BCC, forward_address=FORWARD)


@pytest.fixture
def rep(db):
    return make_user(email="rita@comptoir.example", first_name="Rita")


def message(body="Bonjour Anne,\r\nVoici le devis.", **headers):
    lines = {
        "From": "Rita <rita@comptoir.example>",
        "To": "Anne <anne@client.fr>, Bob <bob@new.fr>",
        "Subject": "Votre devis",
        "Date": "Sat, 05 Dec 2026 09:00:00 +0100",
        "Message-ID": "<m1@comptoir.example>",
        "Content-Type": "text/plain; charset=utf-8",
        **headers,
    }
    head = "".join(f"{k}: {v}\r\n" for k, v in lines.items() if v is not None)
    return (head + "\r\n" + body + "\r\n").encode()


def engagement(msg):
    return base_queryset("emails").get(pk=msg.engagement_id)


@pytest.mark.django_db
def test_a_bcc_is_logged_on_its_recipients_that_are_contacts(conf, rep):
    company = make_company(name="Boulangerie")
    anne = make_contact(email="anne@client.fr", associations=[("companies", company.pk, None)])
    reply = inbound.receive(message(), "rita@comptoir.example", [BCC])
    assert (reply.code, reply.text) == (250, "2.0.0 Logged")
    logged = InboundMessage.objects.get()
    props = engagement(logged).properties
    assert props["hs_email_direction"] == "EMAIL" and props["hs_email_status"] == "SENT"
    assert engagement(logged).hubspot_owner_id == rep.owner.pk
    assert associated_ids("emails", logged.engagement_id, "contacts") == [anne.pk]
    assert associated_ids("emails", logged.engagement_id, "companies") == [company.pk]
    assert not base_queryset("contacts").filter(email="bob@new.fr").exists()
    # The same message again (two BCC copies, a retry of the sending server): once.
    assert inbound.receive(message(), "rita@comptoir.example", [BCC]).text == "2.0.0 Logged already"
    assert base_queryset("emails").count() == 1


@pytest.mark.django_db
def test_the_portal_option_creates_the_missing_contacts(conf, rep):
    InboundSettings.objects.filter(pk=1).update(create_contacts=True)
    assert inbound.receive(message(), "rita@comptoir.example", [BCC]).code == 250
    bob = base_queryset("contacts").get(email="bob@new.fr")
    assert (bob.firstname, bob.hubspot_owner_id) == ("Bob", rep.owner.pk)
    anne = base_queryset("contacts").get(email="anne@client.fr")
    logged = InboundMessage.objects.get()
    assert associated_ids("emails", logged.engagement_id, "contacts") == sorted([anne.pk, bob.pk])


@pytest.mark.django_db
def test_nothing_to_log_it_on_is_kept_with_the_reason(conf, rep):
    reply = inbound.receive(message(), "rita@comptoir.example", [BCC])
    assert reply.code == 250
    kept = InboundMessage.objects.get()
    assert kept.status == InboundStatus.SKIPPED and "None of its correspondents" in kept.parse_error
    assert not base_queryset("emails").exists()


GMAIL = """Pour info, voir ci-dessous.

---------- Forwarded message ---------
From: Anne Martin <anne@client.fr>
Date: Fri, Dec 4, 2026 at 6:12 PM
Subject: Commande de pains
To: Rita <rita@comptoir.example>
Cc: Compta <compta@client.fr>

Bonjour Rita,
Nous voudrions 40 baguettes par jour.
"""
OUTLOOK_FR = """FYI

________________________________
De : Anne Martin <anne@client.fr>
Envoyé : vendredi 4 décembre 2026 18:12
À : Rita <rita@comptoir.example>
Objet : Commande de pains

Bonjour Rita,
Nous voudrions 40 baguettes par jour.
"""
APPLE = """Début du message réexpédié :

De: Anne Martin <anne@client.fr>
Objet: Commande de pains
Date: 4 décembre 2026 à 18:12:00 UTC+1
À: Rita <rita@comptoir.example>

Bonjour Rita,
Nous voudrions 40 baguettes par jour.
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [GMAIL, OUTLOOK_FR, APPLE], ids=["gmail", "outlook-fr", "apple-fr"]
)
def test_a_forward_is_logged_against_the_original_correspondents(conf, rep, body):
    anne = make_contact(email="anne@client.fr")
    raw = message(body.replace("\n", "\r\n"), To=FORWARD, Subject="Fwd: Commande de pains")
    assert inbound.receive(raw, "rita@comptoir.example", [FORWARD]).code == 250
    logged = InboundMessage.objects.get()
    props = engagement(logged).properties
    assert props["hs_email_direction"] == "INCOMING_EMAIL"
    assert props["hs_email_subject"] == "Commande de pains"
    assert "40 baguettes" in props["hs_email_text"] and "Pour info" not in props["hs_email_text"]
    assert logged.from_address == "anne@client.fr"
    assert associated_ids("emails", logged.engagement_id, "contacts") == [anne.pk]


@pytest.mark.django_db
def test_a_forward_as_an_attached_message(conf, rep):
    anne = make_contact(email="anne@client.fr")
    original = message(
        "Nous voudrions 40 baguettes.",
        From="Anne <anne@client.fr>",
        To="rita@comptoir.example",
        Subject="Commande",
        **{"Message-ID": "<orig@client.fr>"},
    )
    raw = (
        b"From: rita@comptoir.example\r\nTo: "
        + FORWARD.encode()
        + b"\r\nSubject: Fwd: Commande\r\n"
        b"Message-ID: <fwd@comptoir.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nVoir\r\n"
        b"--B\r\nContent-Type: message/rfc822\r\n\r\n" + original + b"\r\n--B--\r\n"
    )
    assert inbound.receive(raw, "rita@comptoir.example", [FORWARD]).code == 250
    logged = InboundMessage.objects.get()
    assert logged.message_id == "<orig@client.fr>"  # the original's: logged once, however found
    assert associated_ids("emails", logged.engagement_id, "contacts") == [anne.pk]
    assert engagement(logged).properties["hs_email_subject"] == "Commande"


@pytest.mark.django_db
def test_a_forward_with_nothing_forwarded_in_it(conf, rep):
    make_contact(email="anne@client.fr")
    reply = inbound.receive(message("Juste un mot", To=FORWARD), "rita@comptoir.example", [FORWARD])
    assert "no forwarded message" in reply.text
    assert InboundMessage.objects.get().status == InboundStatus.SKIPPED


@pytest.mark.django_db
def test_a_sender_who_is_not_a_user_is_refused_and_reported_to_admins(
    conf, rep, django_capture_on_commit_callbacks
):
    admin = make_user(role="Super admin")
    make_contact(email="anne@client.fr")
    raw = message(From="Spammer <spam@evil.example>")
    with django_capture_on_commit_callbacks(execute=True):
        reply = inbound.receive(raw, "spam@evil.example", [BCC])
    assert reply.code == 550
    kept = InboundMessage.objects.get()
    assert kept.status == InboundStatus.REFUSED and kept.from_address == "spam@evil.example"
    notice = Notification.objects.get(kind="inbound_refused")
    assert notice.recipient == admin and "spam@evil.example" in notice.title
    assert not Notification.objects.filter(recipient=rep).exists()
    # A spam run is one notice a day; the refused message does not take its Message-ID
    # from a real one: the rep's own message with that id is still logged.
    with django_capture_on_commit_callbacks(execute=True):
        again = message(From="spam@evil.example", Subject="Encore")
        assert inbound.receive(again, "spam@evil.example", [BCC]).code == 550
    assert InboundMessage.objects.filter(status=InboundStatus.REFUSED).count() == 2
    assert Notification.objects.filter(kind="inbound_refused").count() == 1
    assert inbound.receive(message(), "rita@comptoir.example", [BCC]).text == "2.0.0 Logged"
    # A deactivated user is no longer a user who may log mail.
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert (
        inbound.receive(message(**{"Message-ID": "<m2@x>"}), "rita@comptoir.example", [BCC]).code
        == 550
    )


@pytest.mark.django_db
def test_an_unreadable_message_is_kept_with_its_reason(conf, rep):
    reply = inbound.receive(b"\r\n\r\n", "rita@comptoir.example", [BCC])
    assert reply.code == 250 and "could not be read" in reply.text
    kept = InboundMessage.objects.get()
    assert kept.status == InboundStatus.FAILED and kept.parse_error == "The message is empty."


@pytest.fixture
def listener(conf):
    server = mailserver.controller(HOST, free_port())
    server.start()
    yield server
    server.stop()


def smtp(listener):
    return smtplib.SMTP(HOST, listener.port, timeout=10)


@pytest.mark.django_db(transaction=True)
def test_the_listener_takes_only_its_addresses_and_keeps_running(listener, rep):
    make_contact(email="anne@client.fr")
    with smtp(listener) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("rita@comptoir.example", ["someone@else.org"], message())
        assert refused.value.recipients["someone@else.org"][0] == 550
    with smtp(listener) as client:
        # A malformed message, then a good one: the listener answers both.
        client.sendmail("rita@comptoir.example", [BCC], b"\xff\xfe garbage with no headers\r\n")
        assert client.sendmail("rita@comptoir.example", [BCC], message()) == {}
    assert InboundMessage.objects.filter(status=InboundStatus.LOGGED).count() == 1
    with smtp(listener) as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail(
                "spam@evil.example",
                [BCC],
                message(From="spam@evil.example", **{"Message-ID": "<s@e>"}),
            )
        assert refused.value.smtp_code == 550


@pytest.mark.django_db(transaction=True)
def test_the_listener_refuses_a_message_over_the_size_limit(conf, rep, settings):
    settings.COMPTOIR_MAIL_INBOUND_MB = 1
    small = mailserver.controller(HOST, free_port())
    small.start()
    big = message("x" * 1200 * 1024, **{"Message-ID": "<big@x>"})
    try:
        with smtplib.SMTP(HOST, small.port, timeout=10) as client:
            with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
                client.sendmail("rita@comptoir.example", [BCC], big)
            assert refused.value.smtp_code == 552
    finally:
        small.stop()
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_a_bad_address():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="host:port"):
        call_command("mailserver", bind="nowhere")


@pytest.mark.django_db
def test_a_catch_all_imap_box_instead_of_the_listener(conf, rep, imap_box, mail_settings):
    """The worker polls the portal's catch-all box (the mailbox sync's code): a BCC'd copy
    is logged, a stranger's message refused, each once however often the box is read."""
    from comptoir.mail import sync

    anne = make_contact(email="anne@client.fr")
    InboundSettings.objects.filter(pk=1).update(
        imap_host=mail_settings.host,
        imap_port=imap_box.port,
        imap_security="none",
        imap_username=mail_settings.user,
    )
    stored = InboundSettings.objects.get(pk=1)
    stored.imap_password = mail_settings.password
    stored.save()
    imap_box.append(message())
    imap_box.append(message(From="spam@evil.example", **{"Message-ID": "<spam@evil.example>"}))
    result = sync.sync_inbound_box()
    assert result.counts == {"logged": 1, "refused": 1}
    logged = InboundMessage.objects.get(status=InboundStatus.LOGGED)
    assert associated_ids("emails", logged.engagement_id, "contacts") == [anne.pk]
    assert InboundMessage.objects.get(status=InboundStatus.REFUSED).from_address == (
        "spam@evil.example"
    )
    assert sync.sync_inbound_box().seen == 0  # incremental
    state = InboundSettings.objects.get(pk=1)
    assert state.sync_error == {} and state.last_synced_at is not None
