"""The worker's side of sending (comptoir/mail/sending.py describes the state machine):
the MIME message, the claim, the SMTP conversation, the outcome, and the recovery of
emails whose worker died."""

import datetime as dt
import email.policy
import email.utils
import logging
import smtplib
import time
from email.message import EmailMessage

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import update_record
from comptoir.mail import connection, services
from comptoir.mail.models import OutboundEmail, OutboundStatus

log = logging.getLogger(__name__)

# Back-off after a temporary failure (4xx, network): the n-th retry waits BACKOFF[n - 1].
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
DUE_BATCH = 100
SEND_DUE_SECONDS = 50  # a periodic run's time; the job comes back every minute
# Connection failures that may pass (retried); the others need someone to act.
TEMPORARY_FAILURES = {"timeout", "refused", "unreachable", "closed", "oauth_unavailable"}
# Called, in order, after an email failed for good: f(outbound). The notifications app
# tells the sender (added in its AppConfig.ready()).
FAILURE_OBSERVERS: list = []


def address_of(formatted: str) -> str:
    return email.utils.parseaddr(formatted)[1].lower()


# -- the message ---------------------------------------------------------------------------------


def build_message(outbound: OutboundEmail) -> EmailMessage:
    """The MIME message: text and HTML alternatives, threading headers, no Bcc header."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = outbound.from_address
    if outbound.reply_to:
        message["Reply-To"] = outbound.reply_to
    message["To"] = ", ".join(outbound.to)
    if outbound.cc:
        message["Cc"] = ", ".join(outbound.cc)
    message["Subject"] = outbound.subject
    message["Date"] = email.utils.format_datetime(outbound.send_at)
    message["Message-ID"] = outbound.message_id
    if outbound.in_reply_to:
        message["In-Reply-To"] = outbound.in_reply_to
        message["References"] = outbound.references or outbound.in_reply_to
    message["X-Mailer"] = "Comptoir"
    message.set_content(outbound.text)
    page = f"<!DOCTYPE html><html><body>{outbound.html}</body></html>"
    message.add_alternative(page, subtype="html")
    for attachment in outbound.attachments.all():
        maintype, _sep, subtype = attachment.content_type.partition("/")
        with attachment.file.open("rb") as handle:
            message.add_attachment(
                handle.read(),
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
    return message


# -- the worker ------------------------------------------------------------------------------------


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def _endpoint(outbound: OutboundEmail):
    if outbound.sender_source == "mailbox":
        mailbox = services.mailbox_of(outbound.user)
        if mailbox is None:
            raise PermanentFailure(_("The sender's mailbox was disconnected."))
        return mailbox.email_address, services.smtp_endpoint(mailbox)
    sender = services.portal_sender()
    if sender is None:
        raise PermanentFailure(_("The portal has no email account any more."))
    return sender.from_address, sender.smtp


def _reply_text(code, message) -> str:
    return f"{code} {connection.server_text(message)}".strip()


def _transmit(outbound: OutboundEmail) -> dict:
    """Send through SMTP; write `accepted_at` as soon as the server accepts DATA. Returns
    the recipients refused ({address: (code, text)}), raises Temporary/PermanentFailure."""
    try:
        envelope_from, endpoint = _endpoint(outbound)
    except connection.MailFailure as failure:  # an OAuth2 token that could not be renewed
        text = connection.describe(failure.as_dict())
        if failure.code in TEMPORARY_FAILURES:
            raise TemporaryFailure(text) from None
        raise PermanentFailure(text) from None
    recipients = [address_of(a) for a in (*outbound.to, *outbound.cc, *outbound.bcc)]
    try:
        data = build_message(outbound).as_bytes()
    except (ValueError, OSError) as exc:  # a header it cannot write, a file gone
        raise PermanentFailure(
            _("The message could not be made: %(reason)s") % {"reason": exc}
        ) from None
    try:
        with connection.smtp_session(endpoint) as client:
            refused = client.sendmail(envelope_from, recipients, data)
            OutboundEmail.objects.filter(pk=outbound.pk, status=OutboundStatus.SENDING).update(
                accepted_at=timezone.now()
            )
            return refused
    except connection.MailFailure as failure:
        text = connection.describe(failure.as_dict())
        if failure.code in TEMPORARY_FAILURES:
            raise TemporaryFailure(text) from None
        raise PermanentFailure(text) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        text = "; ".join(
            f"{address}: {_reply_text(code, msg)}"
            for address, (code, msg) in exc.recipients.items()
        )
        if all(500 <= code < 600 for code in codes):
            raise PermanentFailure(text) from None
        raise TemporaryFailure(text) from None
    except smtplib.SMTPResponseException as exc:
        text = _reply_text(exc.smtp_code, exc.smtp_error)
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(text) from None
        raise TemporaryFailure(text) from None
    except (smtplib.SMTPException, OSError) as exc:  # the connection went away midway
        raise TemporaryFailure(
            connection.describe(connection.network_failure(exc, endpoint).as_dict())
        ) from None


def _system_source(outbound) -> ChangeSource:
    return ChangeSource.for_user(outbound.user, SourceType.SALES, f"outbound-email:{outbound.pk}")


def _set_engagement(outbound: OutboundEmail, status: str, at=None) -> None:
    if outbound.engagement_id is None:
        return
    props = {"hs_email_status": status}
    if at is not None:
        props["hs_timestamp"] = format_datetime(at)
    exists = base_queryset("emails").filter(pk=outbound.engagement_id).exists()
    if exists:
        update_record("emails", outbound.engagement_id, props, source=_system_source(outbound))


def mark_sent(pk: int, refused: dict | None = None) -> bool:
    """sending → sent, and the engagement SENT at the time the server accepted it."""
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=pk).first()
        if outbound is None or outbound.status != OutboundStatus.SENDING:
            return False
        at = outbound.accepted_at or timezone.now()
        outbound.status = OutboundStatus.SENT
        outbound.sent_at = at
        outbound.claimed_at = None
        outbound.error = "; ".join(
            f"{address}: {_reply_text(code, msg)}"
            for address, (code, msg) in (refused or {}).items()
        )
        outbound.save(update_fields=["status", "sent_at", "claimed_at", "error", "updated_at"])
        _set_engagement(outbound, "SENT", at)
    return True


def _fail(pk: int, reason: str) -> None:
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=pk).first()
        if outbound is None or outbound.status != OutboundStatus.SENDING:
            return
        outbound.status = OutboundStatus.FAILED
        outbound.claimed_at = None
        outbound.error = reason[:2000]
        outbound.save(update_fields=["status", "claimed_at", "error", "updated_at"])
        _set_engagement(outbound, "FAILED")
        for observer in FAILURE_OBSERVERS:
            transaction.on_commit(lambda o=observer: o(outbound), robust=True)
    log.warning("Email %s failed: %s", pk, reason)


def _retry_later(pk: int, attempts: int, reason: str, now) -> None:
    if attempts >= MAX_ATTEMPTS:
        _fail(pk, reason)
        return
    OutboundEmail.objects.filter(pk=pk, status=OutboundStatus.SENDING).update(
        status=OutboundStatus.SCHEDULED,
        send_at=now + BACKOFF[attempts - 1],
        claimed_at=None,
        claimed_by="",
        error=reason[:2000],
    )
    log.info("Email %s: temporary failure (%s), attempt %s", pk, reason, attempts)


def claim(pk: int, worker_id: str, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        OutboundEmail.objects.filter(
            pk=pk, status=OutboundStatus.SCHEDULED, send_at__lte=now
        ).update(
            status=OutboundStatus.SENDING,
            claimed_at=now,
            claimed_by=worker_id[:100],
            accepted_at=None,
            attempts=F("attempts") + 1,
        )
    )


def deliver(pk: int, worker_id: str = "", now=None) -> str:
    """Claim this email and send it; returns the status it ends in ("" when another worker
    has it, or it is not due, or cancelled)."""
    now = now or timezone.now()
    if not claim(pk, worker_id, now):
        return ""
    outbound = OutboundEmail.objects.select_related("user").get(pk=pk)
    try:
        refused = _transmit(outbound)
    except TemporaryFailure as exc:
        _retry_later(pk, outbound.attempts, str(exc), now)
        return OutboundEmail.objects.get(pk=pk).status
    except PermanentFailure as exc:
        _fail(pk, str(exc))
        return OutboundStatus.FAILED
    mark_sent(pk, refused)
    return OutboundStatus.SENT


def send_due(worker_id: str = "", now=None) -> int:
    """Send the scheduled emails whose time came (the periodic job), batch after batch for
    at most SEND_DUE_SECONDS; the next run goes on. Each email is claimed on its own, so
    several workers share the work."""
    now = now or timezone.now()
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < SEND_DUE_SECONDS:
        due = list(
            OutboundEmail.objects.filter(status=OutboundStatus.SCHEDULED, send_at__lte=now)
            .order_by("send_at", "pk")
            .values_list("pk", flat=True)[:DUE_BATCH]
        )
        if not due:
            break
        sent += sum(1 for pk in due if deliver(pk, worker_id, now) == OutboundStatus.SENT)
    return sent


def stall() -> dt.timedelta:
    return dt.timedelta(seconds=settings.COMPTOIR_MAIL_SEND_STALL)


def interrupted(now=None) -> list[int]:
    """Emails whose worker died while sending (claim older than the stall): accepted by the
    server → sent; not accepted → scheduled again now, same Message-ID (see the module's
    docstring): their ids, to queue. Each is taken by a conditional UPDATE on the claim read."""
    now = now or timezone.now()
    resumed = []
    stuck = OutboundEmail.objects.filter(
        status=OutboundStatus.SENDING, claimed_at__lt=now - stall()
    ).values_list("pk", "claimed_at", "accepted_at", "attempts")
    for pk, claimed_at, accepted_at, attempts in stuck:
        if accepted_at is not None:
            if mark_sent(pk):
                log.warning("Email %s: its worker died after the server accepted it.", pk)
            continue
        if attempts >= MAX_ATTEMPTS:
            _fail(pk, _("The sending was interrupted %(n)d times.") % {"n": attempts})
            continue
        taken = OutboundEmail.objects.filter(
            pk=pk, status=OutboundStatus.SENDING, claimed_at=claimed_at, accepted_at__isnull=True
        ).update(status=OutboundStatus.SCHEDULED, send_at=now, claimed_at=None, claimed_by="")
        if taken:
            log.warning("Email %s: its worker died while sending; sending it again.", pk)
            resumed.append(pk)
    return resumed
