"""A contact who replies to a sequence email, or whose email bounces, leaves the sequence
(TOOL-5), end to end: the first email goes out through aiosmtpd, the answer (a reply, a
delivery report) lands in the rep's real Dovecot mailbox, the worker's mailbox sync job
reads it, and the mail app's reply or bounce observer (sequences/hooks.py) ends the
enrolment before the engine looks at it again; the next step never runs."""

import email
import email.policy

import pytest
from django.tasks import task_backends
from django.tasks.backends.immediate import ImmediateBackend

from comptoir.core.associations.services import associated_ids
from comptoir.core.timeline.models import EventType, TimelineEvent
from comptoir.mail import delivery, tasks
from comptoir.mail import services as mail_services
from comptoir.mail.models import OutboundEmail, OutboundStatus
from comptoir.mail.tests.test_sync import DSN
from comptoir.sequences import engine, services, stopping
from comptoir.sequences.models import EnrollmentState, StepExecution
from comptoir.sequences.tests.conftest import TUESDAY_10
from comptoir.sequences.tests.test_engine import paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(rep, imap_box, mail_settings):
    """The rep's mailbox: sends through aiosmtpd (STARTTLS, AUTH), reads the Dovecot box."""
    return mail_services.connect_mailbox(
        rep,
        {
            "email_address": rep.email,
            "provider": "",
            "smtp_host": mail_settings.host,
            "smtp_port": mail_settings.smtp_starttls_port,
            "smtp_security": "starttls",
            "smtp_username": mail_settings.user,
            "smtp_password": mail_settings.password,
            "imap_host": mail_settings.host,
            "imap_port": imap_box.port,
            "imap_security": "none",
            "imap_username": mail_settings.user,
            "imap_password": mail_settings.password,
        },
    )


@pytest.fixture
def worker_tasks():
    """The worker's tasks run at once, in this thread (what `comptoir worker` would run)."""
    task_backends["default"] = ImmediateBackend("default", {})
    yield
    del task_backends["default"]


def first_email_sent(rep, sequence, contact, mail_settings):
    """Enroll the contact, run the first step and deliver its email to aiosmtpd."""
    (enrollment,), _check = services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    before = len(mail_settings.inbox.messages)
    assert engine.run_due(TUESDAY_10) == {"email": 1}
    outbound = OutboundEmail.objects.get()
    delivery.deliver(outbound.pk, "test")
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SENT
    assert len(mail_settings.inbox.messages) == before + 1
    received = email.message_from_bytes(
        mail_settings.inbox.messages[-1], policy=email.policy.default
    )
    assert received["Message-ID"] == outbound.message_id
    assert received["To"] == "Anne Martin <anne@client.fr>"
    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.ACTIVE
    assert enrollment.due_at == paris(2026, 3, 5, 10)  # the follow-up, two business days on
    return enrollment, outbound


def sync_the_mailboxes(capture):
    """The scheduler's `sync_mailboxes` job, as the worker runs it (each mailbox's sync is
    a task of its own), its commits' callbacks (the observers) run."""
    with capture(execute=True):
        assert tasks.sync_mailboxes.call() == 1


def sequence_actions(contact):
    return list(
        TimelineEvent.objects.filter(object_id=contact.pk, event_type=EventType.SEQUENCE)
        .order_by("pk")
        .values_list("data__action", "data__reason")
    )


def assert_nothing_more_runs(enrollment, contact):
    """The follow-up's time comes, and goes: no second email, no call task."""
    for day in (5, 6, 9):
        assert engine.run_due(paris(2026, 3, day, 10)) == {}
    assert OutboundEmail.objects.count() == 1
    assert StepExecution.objects.filter(enrollment=enrollment).count() == 1
    assert associated_ids("contacts", contact.pk, "tasks") == []


def reply_to(outbound) -> bytes:
    head = {
        "From": "Anne Martin <anne@client.fr>",
        "To": "rita@example.com",
        "Subject": f"Re: {outbound.subject}",
        "Date": "Tue, 03 Mar 2026 15:00:00 +0100",
        "Message-ID": "<anne-reply-1@client.fr>",
        "In-Reply-To": outbound.message_id,
        "References": outbound.message_id,
        "Content-Type": "text/plain; charset=utf-8",
    }
    lines = "".join(f"{k}: {v}\r\n" for k, v in head.items())
    return (lines + "\r\nMerci, appelez-moi jeudi.\r\n").encode()


def test_a_reply_in_the_mailbox_ends_the_enrolment(
    rep, mailbox, sequence, contact, imap_box, mail_settings, worker_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    enrollment, outbound = first_email_sent(rep, sequence, contact, mail_settings)
    imap_box.append(reply_to(outbound))

    sync_the_mailboxes(django_capture_on_commit_callbacks)

    # Ended by the reply observer, before the engine looks at the enrolment again.
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == (EnrollmentState.UNENROLLED, "replied")
    assert enrollment.due_at is None and enrollment.ended_at is not None
    assert sequence_actions(contact) == [("enrolled", ""), ("unenrolled", stopping.REPLIED)]
    assert_nothing_more_runs(enrollment, contact)
    figures = services.summaries([sequence])[sequence.pk]
    assert (figures["active"], figures["replied"]) == (0, 1)
    # Found again by the next sync, the reply ends nothing twice.
    sync_the_mailboxes(django_capture_on_commit_callbacks)
    assert len(sequence_actions(contact)) == 2


def test_a_bounce_in_the_mailbox_ends_the_enrolment(
    rep, mailbox, sequence, contact, imap_box, mail_settings, worker_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    enrollment, outbound = first_email_sent(rep, sequence, contact, mail_settings)
    report = DSN.format(message_id=outbound.message_id).replace("\n", "\r\n").encode()
    imap_box.append(report)

    sync_the_mailboxes(django_capture_on_commit_callbacks)

    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.BOUNCED
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == (EnrollmentState.UNENROLLED, "bounced")
    assert enrollment.due_at is None
    assert sequence_actions(contact) == [("enrolled", ""), ("unenrolled", stopping.BOUNCED)]
    assert_nothing_more_runs(enrollment, contact)
    # The bounced contact cannot be enrolled again.
    refused = services.check_contacts(rep, sequence, [contact.pk]).refused
    assert [reason for _c, reason in refused] == ["An email to this contact bounced"]
