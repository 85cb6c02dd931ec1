"""Mailbox sync (issue 17, point 7) against the real Dovecot: replies to CRM emails are
logged on the same thread and records, once; other emails with contacts only when the
user switches it on; bounces mark the email BOUNCED and tell the sender; the sync is
incremental, survives a UIDVALIDITY change and a server that drops the connection in the
middle, and keeps what it cannot read with the reason."""

import contextlib
import socket
import threading

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.mail import delivery, sending, sync
from comptoir.mail.models import (
    InboundMessage,
    InboundStatus,
    Mailbox,
    OutboundEmail,
    OutboundStatus,
    SyncFolder,
)
from comptoir.mail.sending import Draft
from comptoir.notifications.models import Notification

pytestmark = pytest.mark.django_db


def connect(user, servers, port, **extra):
    return Mailbox.objects.create(
        user=user,
        email_address=servers.user,
        smtp_host=servers.host,
        smtp_port=servers.smtp_plain_port,
        smtp_security="none",
        smtp_username="",
        smtp_password="",
        imap_host=servers.host,
        imap_port=port,
        imap_security="none",
        imap_username=servers.user,
        imap_password=servers.password,
        **extra,
    )


@pytest.fixture
def rep(imap_box, mail_settings):
    user = make_user(email="rita@comptoir.example", first_name="Rita", last_name="Moreau")
    connect(user, mail_settings, imap_box.port)
    return user


@pytest.fixture
def sent(rep, mail_settings, django_capture_on_commit_callbacks):
    """An email sent from the CRM to a contact of a company, through aiosmtpd."""
    company = make_company(name="Boulangerie")
    contact = make_contact(
        email="anne@client.fr", firstname="Anne", associations=[("companies", company.pk, None)]
    )
    outbound = sending.compose(
        rep, Draft(to="Anne <anne@client.fr>", subject="Votre devis", html="<p>Bonjour</p>")
    )
    delivery.deliver(outbound.pk)
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SENT
    return outbound, contact, company


def reply_to(outbound, body="Merci, c'est d'accord.", message_id="<reply-1@client.fr>", **headers):
    lines = {
        "From": "Anne <anne@client.fr>",
        "To": "rep@example.com",
        "Subject": "Re: Votre devis",
        "Date": "Sat, 05 Dec 2026 09:00:00 +0100",
        "Message-ID": message_id,
        "In-Reply-To": outbound.message_id,
        "References": outbound.message_id,
        "Content-Type": "text/plain; charset=utf-8",
        **headers,
    }
    head = "".join(f"{k}: {v}\r\n" for k, v in lines.items() if v is not None)
    return (head + "\r\n" + body + "\r\n").encode()


def simple(sender, subject, message_id, body="x", to="rep@example.com") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n\r\n{body}\r\n"
    ).encode()


def run(rep, execute=None):
    return sync.sync_mailbox(rep.mailbox.pk)


def test_a_reply_is_logged_once_on_the_thread_and_records(
    rep, sent, imap_box, django_capture_on_commit_callbacks
):
    outbound, contact, company = sent
    imap_box.append(simple("someone@else.org", "Hello", "<x@else.org>", "Unrelated"))
    imap_box.append(reply_to(outbound))
    with django_capture_on_commit_callbacks(execute=True):
        result = run(rep)
    assert result.seen == 2 and result.fetched == 1  # the unrelated one is never read whole
    message = InboundMessage.objects.get()
    assert (message.status, message.outbound_id, message.message_id) == (
        InboundStatus.LOGGED,
        outbound.pk,
        "<reply-1@client.fr>",
    )
    assert b"Merci, c'est d'accord." in bytes(message.raw)
    email_ = base_queryset("emails").get(pk=message.engagement_id)
    assert email_.properties["hs_email_direction"] == "INCOMING_EMAIL"
    assert email_.properties["hs_email_subject"] == "Re: Votre devis"
    assert "Merci" in email_.properties["hs_email_text"]
    assert associated_ids("emails", email_.pk, "contacts") == [contact.pk]
    assert associated_ids("emails", email_.pk, "companies") == [company.pk]
    rep.mailbox.refresh_from_db()
    assert rep.mailbox.last_synced_at is not None and rep.mailbox.sync_error == {}

    # Nothing new: the next run reads nothing again (incremental), logs nothing twice.
    again = run(rep)
    assert (again.seen, again.fetched) == (0, 0)
    # The server renumbered the folder: read again from the start, still logged once.
    SyncFolder.objects.filter(name="INBOX").update(uidvalidity=1)
    again = run(rep)
    assert (again.seen == 2 and again.counts == {"duplicate": 1}) or again.fetched == 0
    assert InboundMessage.objects.count() == 1
    assert base_queryset("emails").count() == 2


def test_the_reply_shows_in_the_thread_on_the_timeline(client, rep, sent, imap_box):
    outbound, contact, _company = sent
    imap_box.append(reply_to(outbound))
    run(rep)
    client.force_login(rep)
    timeline = client.get(f"/contacts/{contact.pk}/timeline/").content.decode()
    reply = InboundMessage.objects.get().engagement_id
    item = timeline.split(f'id="activity-{reply}"')[1].split("</li>")[0]
    assert "Re: Votre devis" in item and "Merci" in item
    assert f'<a href="#activity-{outbound.engagement_id}">In the thread “Votre devis”</a>' in item


def test_a_reply_to_a_reply_and_the_users_own_sent_copy(rep, sent, imap_box):
    outbound, contact, _company = sent
    imap_box.append(reply_to(outbound))
    # The CRM's own email in the Sent folder is recognised (its Message-ID), not logged.
    imap_box.append(
        simple("rep@example.com", "Votre devis", outbound.message_id, "Bonjour", "anne@client.fr"),
        "Sent",
    )
    # The rep's answer from their own mail software, in the same thread.
    imap_box.append(
        reply_to(
            outbound,
            body="Parfait, je vous envoie le contrat.",
            message_id="<answer@example.com>",
            From="Rita <rita@comptoir.example>",
            To="anne@client.fr",
            References=f"{outbound.message_id} <reply-1@client.fr>",
            **{"In-Reply-To": "<reply-1@client.fr>"},
        ),
        "Sent",
    )
    result = run(rep)
    assert result.counts == {"logged": 2}
    answer = InboundMessage.objects.get(message_id="<answer@example.com>")
    props = base_queryset("emails").get(pk=answer.engagement_id).properties
    assert props["hs_email_direction"] == "EMAIL" and props["hs_email_status"] == "SENT"
    assert associated_ids("emails", answer.engagement_id, "contacts") == [contact.pk]


def test_other_emails_with_contacts_only_when_switched_on(rep, imap_box):
    contact = make_contact(email="paul@client.fr")
    raw = simple("Paul <paul@client.fr>", "Question", "<q@client.fr>", "Une question")
    imap_box.append(raw)
    assert run(rep).fetched == 0
    assert not InboundMessage.objects.exists()
    Mailbox.objects.filter(pk=rep.mailbox.pk).update(log_contact_emails=True)
    SyncFolder.objects.all().delete()  # as a new mailbox: the messages are read again
    rep.refresh_from_db()
    assert run(rep).counts == {"logged": 1}
    engagement = InboundMessage.objects.get().engagement_id
    assert associated_ids("emails", engagement, "contacts") == [contact.pk]


def test_the_switch_logs_only_contacts_the_user_may_see(imap_box, mail_settings):
    seller = make_user(email="solo@comptoir.example", role="Sales rep \u2013 private")
    connect(seller, mail_settings, imap_box.port, log_contact_emails=True)
    boss = make_user()
    make_contact(email="secret@client.fr", hubspot_owner_id=str(boss.owner.pk))
    imap_box.append(simple("secret@client.fr", "Hi", "<s@client.fr>"))
    result = sync.sync_mailbox(seller.mailbox.pk)
    assert result.fetched == 0 and not InboundMessage.objects.exists()


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.client.fr>
To: rep@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@mx.client.fr>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.client.fr

Final-Recipient: rfc822; anne@client.fr
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <anne@client.fr>: Recipient address rejected: User unknown

--B
Content-Type: text/rfc822-headers

From: rep@example.com
To: anne@client.fr
Subject: Votre devis
Message-ID: {message_id}

--B--
"""


def test_a_bounce_marks_the_email_bounced_and_tells_the_sender(
    rep, sent, imap_box, django_capture_on_commit_callbacks
):
    outbound, _contact, _company = sent
    imap_box.append(DSN.format(message_id=outbound.message_id).replace("\n", "\r\n").encode())
    with django_capture_on_commit_callbacks(execute=True):
        assert run(rep).counts == {"bounce": 1}
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.BOUNCED
    assert "User unknown" in outbound.error and "anne@client.fr" in outbound.error
    props = base_queryset("emails").get(pk=outbound.engagement_id).properties
    assert props["hs_email_status"] == "BOUNCED"
    notice = Notification.objects.get(recipient=rep, kind="email_bounced")
    assert "User unknown" in notice.body
    # A report about an email not sent from the CRM is not kept.
    imap_box.append(
        DSN.format(message_id="<other@example.com>")
        .replace("dsn-1", "dsn-2")
        .replace("\n", "\r\n")
        .encode()
    )
    assert run(rep).counts == {"ignored": 1}


def test_bad_input_is_kept_with_its_reason_and_the_run_goes_on(rep, sent, imap_box):
    outbound, _contact, _company = sent
    eight_bit = reply_to(
        outbound,
        message_id="<8bit@client.fr>",
        Subject="Re: Devis \xe9t\xe9".encode("latin-1").decode("latin-1"),
    )
    eight_bit = eight_bit.replace("Devis \xe9t\xe9".encode(), "Devis été".encode("latin-1"))
    imap_box.append(eight_bit)
    imap_box.append(
        reply_to(
            outbound,
            body="Bonjour",
            message_id="<charset@client.fr>",
            **{"Content-Type": "text/plain; charset=x-klingon"},
        )
    )
    imap_box.append(
        reply_to(
            outbound,
            message_id="<html@client.fr>",
            body="<p>Bonjour<script>alert(1)</script><img src=x onerror=alert(2)></p>",
            **{"Content-Type": "text/html; charset=utf-8"},
        )
    )
    imap_box.append(
        reply_to(
            outbound,
            message_id="<mime@client.fr>",
            body="--nope\r\nContent-Type: text/plain\r\n\r\nCassé",
            **{"Content-Type": 'multipart/mixed; boundary="missing"', "MIME-Version": "1.0"},
        )
    )
    nested = "".join(
        f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n' for i in range(3000)
    )
    imap_box.append(
        reply_to(
            outbound,
            message_id="<deep@client.fr>",
            body=nested,
            **{"Content-Type": 'multipart/mixed; boundary="b0"', "MIME-Version": "1.0"},
        )
    )
    result = run(rep)
    assert sum(result.counts.values()) == 5
    by_id = {m.message_id: m for m in InboundMessage.objects.all()}
    subject = (
        base_queryset("emails")
        .get(pk=by_id["<8bit@client.fr>"].engagement_id)
        .properties["hs_email_subject"]
    )
    assert subject == "Re: Devis été"
    assert "x-klingon" in by_id["<charset@client.fr>"].parse_error
    html = (
        base_queryset("emails")
        .get(pk=by_id["<html@client.fr>"].engagement_id)
        .properties["hs_email_html"]
    )
    assert "script" not in html and "onerror" not in html and "Bonjour" in html
    assert "Malformed" in by_id["<mime@client.fr>"].parse_error
    deep = by_id["<deep@client.fr>"]
    assert deep.status == InboundStatus.FAILED
    assert deep.engagement_id is None and "too deeply" in deep.parse_error
    assert bytes(deep.raw).startswith(b"From:")


def test_a_huge_message_is_kept_up_to_the_limit(rep, sent, imap_box, settings):
    settings.COMPTOIR_MAIL_INBOUND_MB = 1
    outbound, _contact, _company = sent
    attachment = ("A" * 76 + "\r\n") * 20_000  # 1.5 MB of base64
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nVoir la pièce jointe\r\n"
        "--b\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename=plan.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + attachment + "--b--"
    )
    imap_box.append(
        reply_to(
            outbound,
            body=body,
            **{"Content-Type": 'multipart/mixed; boundary="b"', "MIME-Version": "1.0"},
        )
    )
    assert run(rep).counts == {"logged": 1}
    message = InboundMessage.objects.get()
    assert message.size == 1024 * 1024
    assert "only its first 1 MB were kept" in message.parse_error
    text = base_queryset("emails").get(pk=message.engagement_id).properties["hs_email_text"]
    assert "Voir la pièce jointe" in text


class DroppingProxy:
    """A TCP proxy in front of Dovecot that closes both sides once the server has sent
    `limit` bytes: a mailbox that disconnects in the middle of a sync."""

    def __init__(self, host, port, limit):
        self.target, self.limit = (host, port), limit
        self.server = socket.socket()
        self.server.bind((host, 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, self.limit), daemon=True
            ).start()

    @staticmethod
    def _pipe(source, target, limit):
        sent = 0
        try:
            while True:
                data = source.recv(4096)
                if not data:
                    break
                if limit is not None and sent + len(data) > limit:
                    target.sendall(data[: limit - sent])
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self):
        self.server.close()


def test_a_server_that_drops_the_connection_mid_sync(rep, sent, imap_box, settings, mail_settings):
    settings.COMPTOIR_MAIL_SYNC_BATCH = 2
    outbound, _contact, _company = sent
    for n in range(6):
        imap_box.append(
            reply_to(outbound, body=f"Réponse {n} " + "x" * 2000, message_id=f"<r{n}@client.fr>")
        )
    # How many bytes a whole run takes, through a proxy that never cuts.
    whole = DroppingProxy(mail_settings.host, imap_box.port, None)
    counter = []
    original = DroppingProxy._pipe

    def counting(source, target, limit):
        counter.append(1)
        original(source, target, limit)

    dropping = DroppingProxy(mail_settings.host, imap_box.port, 9000)
    Mailbox.objects.filter(pk=rep.mailbox.pk).update(imap_port=dropping.port)
    result = run(rep)
    dropping.close()
    whole.close()
    rep.mailbox.refresh_from_db()
    assert rep.mailbox.sync_error["code"] == "closed"
    assert rep.mailbox.sync_started_at is None  # the claim is let go
    logged = InboundMessage.objects.count()
    assert 0 < logged < 6 and result.fetched < 6
    state = SyncFolder.objects.get(account=f"mailbox:{rep.mailbox.pk}", name="INBOX")
    assert state.last_uid > 0
    # Every message logged was logged whole (no engagement without its message, or back).
    assert base_queryset("emails").count() == 1 + logged
    # The next run, with the server back, goes on from where it stopped: 6, once each.
    Mailbox.objects.filter(pk=rep.mailbox.pk).update(imap_port=imap_box.port)
    run(rep)
    assert InboundMessage.objects.count() == 6
    assert base_queryset("emails").count() == 7
    rep.mailbox.refresh_from_db()
    assert rep.mailbox.sync_error == {}


def test_wrong_password_is_said_in_words(rep):
    Mailbox.objects.filter(pk=rep.mailbox.pk).update(imap_password="wrong")
    Mailbox.objects.get(pk=rep.mailbox.pk)
    mailbox = Mailbox.objects.get(pk=rep.mailbox.pk)
    mailbox.imap_password = "wrong"
    mailbox.save()
    run(rep)
    mailbox.refresh_from_db()
    assert (
        sync.describe_error(mailbox.sync_error) == "The server refused the user name or password."
    )


def test_one_run_at_a_time(rep, imap_box):
    from django.utils import timezone

    Mailbox.objects.filter(pk=rep.mailbox.pk).update(sync_started_at=timezone.now())
    assert run(rep) is None


def test_queries_per_batch_do_not_grow_with_the_messages(rep, sent, imap_box, settings):
    settings.COMPTOIR_MAIL_SYNC_BATCH = 50
    run(rep)  # the folders' rows made
    for n in range(10):
        imap_box.append(simple(f"x{n}@else.org", str(n), f"<u{n}@else.org>"))
    with CaptureQueriesContext(db_connection) as ten:
        run(rep)
    for n in range(10, 40):
        imap_box.append(simple(f"x{n}@else.org", str(n), f"<u{n}@else.org>"))
    with CaptureQueriesContext(db_connection) as forty:
        run(rep)
    assert len(forty.captured_queries) == len(ten.captured_queries), [
        q["sql"][:90] for q in forty.captured_queries
    ]
    assert OutboundEmail.objects.count() == 1
