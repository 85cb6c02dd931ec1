"""Sending from the CRM (issue 17, point 2) against the real aiosmtpd servers: the message,
its headers and threading, the engagement with its properties, associations and history,
the state machine (retries, failures, recovery) and what one user may do to another's."""

import datetime as dt
import email
import email.policy
import json

import pytest
from aiosmtpd.controller import Controller
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comptoir.core.associations.services import associated_ids
from comptoir.core.history.models import PropertyChange
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact, make_deal, make_user
from comptoir.core.testing.mailservers import HOST, free_port
from comptoir.mail import delivery, sending, services
from comptoir.mail.models import OutboundEmail, OutboundStatus
from comptoir.mail.sending import ComposeError, Draft
from comptoir.notifications.models import Notification
from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db


def connect(user, servers, port=None, security="starttls"):
    return services.connect_mailbox(
        user,
        {
            "email_address": "rep@example.com",
            "provider": "",
            "smtp_host": servers.host,
            "smtp_port": port or servers.smtp_starttls_port,
            "smtp_security": security,
            "smtp_username": "" if security == "none" else servers.user,
            "smtp_password": "" if security == "none" else servers.password,
            "imap_host": servers.host,
            "imap_port": 993,
            "imap_security": "ssl",
        },
    )


def received(servers, before):
    assert len(servers.inbox.messages) == before + 1
    return email.message_from_bytes(servers.inbox.messages[-1], policy=email.policy.default)


@pytest.fixture
def rep(mail_settings):
    user = make_user(first_name="Rita", last_name="Moreau")
    user.email_signature = "Rita\nComptoir"
    user.save(update_fields=["email_signature"])
    connect(user, mail_settings)
    return user


def engagement(outbound):
    return base_queryset("emails").get(pk=outbound.engagement_id)


def test_an_email_is_sent_with_its_parts_headers_engagement_and_history(rep, mail_settings):
    company = make_company(name="Boulangerie")
    contact = make_contact(
        email="anne@client.fr",
        firstname="Anne",
        associations=[("companies", company.pk, None)],
    )
    deal = make_deal(associations=[("contacts", contact.pk, None)])
    won = make_deal(dealstage="closedwon", associations=[("contacts", contact.pk, None)])
    outbound = sending.compose(
        rep,
        Draft(
            to="Anne <anne@client.fr>",
            cc="boss@client.fr",
            bcc="archive@example.org",
            subject="Votre devis",
            html='<p>Bonjour <b>Anne</b></p><script>alert(1)</script><p onclick="x()">Voir '
            '<a href="https://ex.fr/devis">le devis</a></p>',
            record=("contacts", contact.pk),
        ),
    )
    # Written before any sending: the row with its Message-ID, the engagement SENDING.
    assert outbound.status == OutboundStatus.SCHEDULED and outbound.message_id.endswith(
        "@example.com>"
    )
    assert engagement(outbound).properties["hs_email_status"] == "SENDING"
    before = len(mail_settings.inbox.messages)
    assert delivery.deliver(outbound.pk, "test") == OutboundStatus.SENT
    message = received(mail_settings, before)
    assert message["Message-ID"] == outbound.message_id
    assert message["From"] == "Rita Moreau <rep@example.com>"
    assert message["To"] == "Anne <anne@client.fr>" and message["Cc"] == "boss@client.fr"
    assert message["Bcc"] is None and "archive@example.org" not in str(message)
    assert message["Subject"] == "Votre devis"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "<b>Anne</b>" in html and "script" not in html and "onclick" not in html
    assert "Rita<br>Comptoir" in html  # the profile's signature
    assert "Bonjour Anne" in text and "le devis (https://ex.fr/devis)" in text
    assert "Comptoir" in text
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SENT and outbound.accepted_at and outbound.sent_at
    email_record = engagement(outbound)
    props = email_record.properties
    assert props["hs_email_status"] == "SENT" and props["hs_email_direction"] == "EMAIL"
    assert props["hs_email_subject"] == "Votre devis"
    assert "<b>Anne</b>" in props["hs_email_html"] and "Bonjour Anne" in props["hs_email_text"]
    headers = json.loads(props["hs_email_headers"])
    assert headers["from"] == {
        "email": "rep@example.com",
        "firstName": "Rita",
        "lastName": "Moreau",
    }
    assert [h["email"] for h in headers["to"]] == ["anne@client.fr"]
    assert [h["email"] for h in headers["cc"]] == ["boss@client.fr"]
    assert [h["email"] for h in headers["bcc"]] == ["archive@example.org"]
    assert email_record.hs_timestamp == outbound.sent_at.replace(microsecond=0) or abs(
        email_record.hs_timestamp - outbound.sent_at
    ) < dt.timedelta(seconds=1)
    # On the timelines of its contact, the contact's company and open deal; not the won one.
    assert associated_ids("emails", email_record.pk, "contacts") == [contact.pk]
    assert associated_ids("emails", email_record.pk, "companies") == [company.pk]
    assert associated_ids("emails", email_record.pk, "deals") == [deal.pk]
    assert won.pk not in associated_ids("emails", email_record.pk, "deals")
    statuses = list(
        PropertyChange.objects.filter(
            object_id=email_record.pk, property="hs_email_status"
        ).values_list("value", "source_type", "actor_id")
    )
    assert statuses == [("SENDING", "CRM_UI", rep.pk), ("SENT", "SALES", rep.pk)]


def test_a_reply_carries_in_reply_to_and_references(rep, mail_settings):
    contact = make_contact(email="paul@client.fr")
    first = sending.compose(
        rep, Draft(to="paul@client.fr", subject="Rendez-vous", html="<p>Mardi ?</p>")
    )
    delivery.deliver(first.pk)
    second = sending.compose(
        rep,
        Draft(
            to="paul@client.fr",
            subject="Re: Rendez-vous",
            html="<p>Ou mercredi ?</p>",
            reply_to=first.engagement_id,
        ),
    )
    delivery.deliver(second.pk)
    third = sending.compose(
        rep,
        Draft(
            to="paul@client.fr",
            subject="Re: Rendez-vous",
            html="<p>Alors ?</p>",
            reply_to=second.engagement_id,
        ),
    )
    before = len(mail_settings.inbox.messages)
    delivery.deliver(third.pk)
    message = received(mail_settings, before)
    assert message["In-Reply-To"] == second.message_id
    assert message["References"].split() == [first.message_id, second.message_id]
    assert {first.message_id, second.message_id, third.message_id}.__len__() == 3
    for outbound in (first, second, third):
        assert associated_ids("emails", outbound.engagement_id, "contacts") == [contact.pk]


def test_without_a_mailbox_the_portal_account_sends_with_reply_to_the_user(mail_settings):
    user = make_user(first_name="Léa", last_name="Petit", email="lea@comptoir.example")
    services.save_portal_account(
        {
            "email_address": "crm@example.com",
            "smtp_host": mail_settings.host,
            "smtp_port": mail_settings.smtps_port,
            "smtp_security": "ssl",
            "smtp_username": mail_settings.user,
            "smtp_password": mail_settings.password,
        }
    )
    outbound = sending.compose(user, Draft(to="x@client.fr", subject="Hé", html="<p>Coucou</p>"))
    before = len(mail_settings.inbox.messages)
    assert delivery.deliver(outbound.pk) == OutboundStatus.SENT
    message = received(mail_settings, before)
    assert message["From"] == "Léa Petit <crm@example.com>"
    assert message["Reply-To"] == "lea@comptoir.example"


def test_no_account_at_all_is_said_before_anything_is_written(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "comptoir.mail.backend.PortalBackend", "OPTIONS": {}}
    }
    user = make_user()
    with pytest.raises(ComposeError) as caught:
        sending.compose(user, Draft(to="x@client.fr", subject="Hé", html="<p>Coucou</p>"))
    assert "no mailbox" in caught.value.errors["__all__"]
    assert not OutboundEmail.objects.exists() and not base_queryset("emails").exists()


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (Draft(to="a@b.fr", subject="Hi\r\nBcc: victim@evil.test", html="x"), "subject"),
        (Draft(to="a@b.fr", subject="Hi\nX-Injected: 1", html="x"), "subject"),
        (Draft(to="a@b.fr\r\nBcc: victim@evil.test", subject="Hi", html="x"), "to"),
        (Draft(to="a@b.fr", cc="c@d.fr\nBcc: v@evil.test", subject="Hi", html="x"), "cc"),
        (Draft(to="a@b.fr", bcc="not an address", subject="Hi", html="x"), "bcc"),
        (Draft(to="a@b.fr", cc="ok@b.fr, <script>@x", subject="Hi", html="x"), "cc"),
        (Draft(to="a@b.fr", subject="\ud800", html="x"), "subject"),
        (Draft(to="a@b.fr", subject="Hi", html="<p>\x00</p>"), "body"),
        (Draft(to="a@b.fr\x00", subject="Hi", html="x"), "to"),
        (Draft(to="", subject="Hi", html="x"), "to"),
        (Draft(to="a@b.fr", subject="", html="x"), "subject"),
        (Draft(to="a@b.fr", subject="Hi", html="<script>alert(1)</script>"), "body"),
        (Draft(to="a@b.fr", subject="x" * 1200, html="x"), "subject"),
        (
            Draft(
                to="a@b.fr", subject="Hi", html="x", send_at=timezone.now() - dt.timedelta(hours=1)
            ),
            "send_at",
        ),
        (Draft(to="a@b.fr", subject="Hi", html="x", reply_to=999999), "__all__"),
    ],
)
def test_hostile_or_wrong_input_is_refused_naming_the_field(rep, draft, field):
    with pytest.raises(ComposeError) as caught:
        sending.compose(rep, draft)
    assert field in caught.value.errors
    assert not OutboundEmail.objects.exists() and not base_queryset("emails").exists()


def test_a_scheduled_email_waits_for_its_time_then_goes(rep, mail_settings):
    later = timezone.now() + dt.timedelta(hours=2)
    outbound = sending.compose(
        rep, Draft(to="a@client.fr", subject="Plus tard", html="<p>x</p>", send_at=later)
    )
    assert engagement(outbound).properties["hs_email_status"] == "SCHEDULED"
    assert delivery.deliver(outbound.pk) == "" and delivery.send_due() == 0
    before = len(mail_settings.inbox.messages)
    assert delivery.send_due(now=later + dt.timedelta(seconds=1)) == 1
    assert received(mail_settings, before)["Subject"] == "Plus tard"
    assert engagement(outbound).properties["hs_email_status"] == "SENT"


def test_the_author_edits_and_cancels_a_scheduled_email_nobody_else_can(rep, mail_settings):
    other = make_user()
    later = timezone.now() + dt.timedelta(hours=2)
    outbound = sending.compose(
        rep, Draft(to="a@client.fr", subject="Plus tard", html="<p>x</p>", send_at=later)
    )
    assert sending.own(other, outbound.pk) is None
    assert list(sending.scheduled_for(other)) == []
    assert sending.cancel(other, outbound.pk) is False
    with pytest.raises(ComposeError):
        sending.reschedule(
            other, outbound.pk, Draft(to="evil@x.fr", subject="Pwn", html="<p>y</p>", send_at=later)
        )
    sending.reschedule(
        rep,
        outbound.pk,
        Draft(
            to="b@client.fr",
            subject="Changé",
            html="<p>y</p>",
            send_at=later + dt.timedelta(hours=1),
        ),
    )
    outbound.refresh_from_db()
    assert (outbound.to, outbound.subject) == (["b@client.fr"], "Changé")
    assert engagement(outbound).properties["hs_email_subject"] == "Changé"
    assert sending.cancel(rep, outbound.pk) is True
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.CANCELLED
    assert not base_queryset("emails").filter(pk=outbound.engagement_id).exists()
    assert delivery.send_due(now=later + dt.timedelta(days=1)) == 0
    assert sending.cancel(rep, outbound.pk) is False  # once


class Answer:
    """An SMTP server answering DATA with a fixed reply."""

    def __init__(self, reply):
        self.reply, self.calls = reply, 0

    async def handle_DATA(self, server, session, envelope):
        self.calls += 1
        return self.reply


@pytest.fixture
def answering(mail_settings):
    controllers = []

    def start(reply):
        handler = Answer(reply)
        controller = Controller(handler, hostname=HOST, port=free_port())
        controller.start()
        controllers.append(controller)
        return handler, controller.port

    yield start
    for controller in controllers:
        controller.stop()


def test_a_temporary_refusal_is_retried_with_back_off_then_fails(mail_settings, answering):
    handler, port = answering("451 4.3.0 Try again later")
    user = make_user()
    connect(user, mail_settings, port=port, security="none")
    outbound = sending.compose(user, Draft(to="a@client.fr", subject="Hé", html="<p>x</p>"))
    now = timezone.now()
    assert delivery.deliver(outbound.pk) == OutboundStatus.SCHEDULED
    outbound.refresh_from_db()
    assert outbound.attempts == 1 and "451" in outbound.error
    assert outbound.send_at >= now + delivery.BACKOFF[0]
    assert delivery.send_due() == 0  # not before the back-off
    moment = outbound.send_at
    for attempt in range(2, delivery.MAX_ATTEMPTS + 1):
        moment += dt.timedelta(hours=5)
        delivery.send_due(now=moment)
        outbound.refresh_from_db()
        assert outbound.attempts == attempt
    assert outbound.status == OutboundStatus.FAILED and handler.calls == delivery.MAX_ATTEMPTS
    assert engagement(outbound).properties["hs_email_status"] == "FAILED"


def test_a_permanent_refusal_fails_at_once_with_the_reason_and_tells_the_sender(
    mail_settings, answering, django_capture_on_commit_callbacks
):
    handler, port = answering("550 5.7.1 Relaying denied for this sender")
    user = make_user()
    connect(user, mail_settings, port=port, security="none")
    outbound = sending.compose(user, Draft(to="a@client.fr", subject="Devis", html="<p>x</p>"))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.deliver(outbound.pk) == OutboundStatus.FAILED
    outbound.refresh_from_db()
    assert outbound.error == "550 5.7.1 Relaying denied for this sender" and handler.calls == 1
    assert engagement(outbound).properties["hs_email_status"] == "FAILED"
    notice = Notification.objects.get(recipient=user, kind="email_failed")
    assert "Relaying denied" in notice.body and notice.params["record"] == "Devis"


def test_two_workers_claim_one_email_once(rep, mail_settings):
    outbound = sending.compose(rep, Draft(to="a@client.fr", subject="Une fois", html="<p>x</p>"))
    assert delivery.claim(outbound.pk, "w1") is True
    assert delivery.claim(outbound.pk, "w2") is False
    assert delivery.deliver(outbound.pk, "w3") == ""


def test_recovery_after_acceptance_marks_sent_and_sends_nothing_again(rep, mail_settings):
    """A worker killed after the server's 250 was recorded and before `sent`."""
    outbound = sending.compose(rep, Draft(to="a@client.fr", subject="Une fois", html="<p>x</p>"))
    long_ago = timezone.now() - delivery.stall() - dt.timedelta(seconds=5)
    assert delivery.claim(outbound.pk, "dead")
    OutboundEmail.objects.filter(pk=outbound.pk).update(claimed_at=long_ago, accepted_at=long_ago)
    before = len(mail_settings.inbox.messages)
    assert delivery.interrupted() == []
    assert len(mail_settings.inbox.messages) == before
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SENT and outbound.sent_at == long_ago
    assert engagement(outbound).properties["hs_email_status"] == "SENT"


def test_recovery_before_acceptance_sends_again_with_the_same_message_id(rep, mail_settings):
    outbound = sending.compose(rep, Draft(to="a@client.fr", subject="Reprise", html="<p>x</p>"))
    recent = timezone.now()
    assert delivery.claim(outbound.pk, "alive", now=recent)
    assert delivery.interrupted() == []  # a live claim is left alone
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        claimed_at=recent - delivery.stall() - dt.timedelta(seconds=1)
    )
    assert delivery.interrupted() == [outbound.pk]
    before = len(mail_settings.inbox.messages)
    assert delivery.deliver(outbound.pk) == OutboundStatus.SENT
    assert received(mail_settings, before)["Message-ID"] == outbound.message_id


def test_attachments_go_with_the_message_within_the_size_limit(
    rep, mail_settings, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.COMPTOIR_MAIL_ATTACHMENTS_MB = 1
    pdf = SimpleUploadedFile("C:\\Users\\rita\\devis 42.pdf", b"%PDF-1.4 devis", "application/pdf")
    outbound = sending.compose(
        rep, Draft(to="a@client.fr", subject="Devis", html="<p>Ci-joint</p>", attachments=[pdf])
    )
    before = len(mail_settings.inbox.messages)
    assert delivery.deliver(outbound.pk) == OutboundStatus.SENT
    message = received(mail_settings, before)
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "devis 42.pdf" and part.get_content_type() == "application/pdf"
    assert part.get_content() == b"%PDF-1.4 devis"
    assert "Ci-joint" in message.get_body(("html",)).get_content()
    big = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ComposeError) as caught:
        sending.compose(
            rep, Draft(to="a@client.fr", subject="Gros", html="<p>x</p>", attachments=[big])
        )
    assert "1 MB" in caught.value.errors["attachments"]
    assert OutboundEmail.objects.count() == 1


def test_a_name_with_line_breaks_cannot_add_headers(mail_settings):
    user = make_user(first_name="Eve\r\nBcc: victim@evil.test", last_name="X")
    connect(user, mail_settings)
    outbound = sending.compose(user, Draft(to="a@client.fr", subject="Hi", html="<p>x</p>"))
    before = len(mail_settings.inbox.messages)
    assert delivery.deliver(outbound.pk) == OutboundStatus.SENT
    message = received(mail_settings, before)
    assert message["Bcc"] is None and "\n" not in message["From"]
    assert message["From"].addresses[0].addr_spec == "rep@example.com"


def test_a_message_that_cannot_be_made_fails_instead_of_looping(rep, mail_settings):
    from django.core.files.storage import default_storage

    pdf = SimpleUploadedFile("devis.pdf", b"%PDF", "application/pdf")
    outbound = sending.compose(
        rep, Draft(to="a@client.fr", subject="Devis", html="<p>x</p>", attachments=[pdf])
    )
    for attachment in outbound.attachments.all():
        default_storage.delete(attachment.file.name)  # the file went missing from the store
    assert delivery.deliver(outbound.pk) == OutboundStatus.FAILED
    outbound.refresh_from_db()
    assert "could not be made" in outbound.error


def test_the_sent_email_reads_through_the_api_as_hubspot_shows_it(rep, mail_settings, client):
    contact = make_contact(email="anne@client.fr")
    outbound = sending.compose(
        rep, Draft(to="Anne <anne@client.fr>", subject="Devis", html="<p>Bonjour</p>")
    )
    delivery.deliver(outbound.pk)
    token = create_token(make_user(role="Super admin"), "tests")[1]
    response = client.get(
        f"/crm/v3/objects/emails/{outbound.engagement_id}",
        {
            "properties": "hs_email_status,hs_email_subject,hs_email_headers,hs_email_direction",
            "associations": "contacts",
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    body = response.json()
    props = body["properties"]
    assert (props["hs_email_status"], props["hs_email_subject"]) == ("SENT", "Devis")
    assert props["hs_email_direction"] == "EMAIL"
    assert json.loads(props["hs_email_headers"])["to"] == [
        {"email": "anne@client.fr", "firstName": "Anne", "lastName": ""}
    ]
    linked = body["associations"]["contacts"]["results"]
    assert [int(item["id"]) for item in linked] == [contact.pk]
