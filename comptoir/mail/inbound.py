"""Logging received mail on the timelines (SET-8, SET-10): a message found by the mailbox
sync (comptoir/mail/sync.py) or sent to the portal's BCC or forwarding address
(comptoir/mail/mailserver.py) becomes an `emails` engagement, with its raw bytes kept in
an InboundMessage.

- A reply to an email of the CRM (its In-Reply-To or References name the Message-ID of an
  OutboundEmail, or of a message logged already) is always logged: on the same records'
  timelines as the email it answers, in the same thread, and `replies.mark_replied` is
  told. Other messages are logged when they involve known contacts and the caller wants
  them (the mailbox's switch; the BCC and forwarding addresses).
- A delivery report about an email of the CRM marks it bounced (`replies.mark_bounced`).
- One Message-ID is kept once (a unique column; the engagement and the row are written in
  one transaction): the same message found again is recognised, never logged twice.
- A message that cannot be read is kept raw with the reason (status FAILED), nothing else
  written; a sender who is not a Comptoir user is kept (REFUSED) and reported to admins."""

import datetime as dt
import email.utils
import json
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.accounts import user_model
from comptoir.core.associations.services import associated_ids
from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import crm_names
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import create_record
from comptoir.mail import replies
from comptoir.mail.models import (
    InboundMessage,
    InboundSettings,
    InboundSource,
    InboundStatus,
    Mailbox,
    OutboundEmail,
)
from comptoir.mail.parsing import (
    Forwarded,
    Parsed,
    ParseError,
    headers,
    made_id,
    one_line,
    parse,
)
from comptoir.mail.sending import associations_for, html_to_text, owner_id_of

log = logging.getLogger(__name__)
DUPLICATE, IGNORED = "duplicate", "ignored"
# Called after the commit with the InboundMessage of a refused sender (admins are told).
REFUSED_OBSERVERS: list = []


@dataclass
class Outcome:
    status: str  # an InboundStatus, DUPLICATE or IGNORED
    message: InboundMessage | None = None
    reason: str = ""


def inbound_settings() -> InboundSettings | None:
    return InboundSettings.objects.filter(pk=InboundSettings.SINGLETON).first()


def users_by_address(addresses) -> dict[str, object]:
    """{lower-case address: active user} for the addresses that are Comptoir users' (their
    sign-in address or their connected mailbox's)."""
    addresses = {a.lower() for a in addresses if a}
    if not addresses:
        return {}
    users = (
        user_model()
        .objects.annotate(address=Lower("email"))
        .filter(is_active=True, address__in=addresses)
    )
    found = {user.address: user for user in users}
    for mailbox in (
        Mailbox.objects.annotate(address=Lower("email_address"))
        .filter(address__in=addresses - set(found), user__is_active=True)
        .select_related("user")
    ):
        found[mailbox.address] = mailbox.user
    return found


def seen(message_ids) -> set[str]:
    """The Message-IDs among these that are known already (logged, or sent from the CRM)."""
    ids = [m for m in message_ids if m]
    if not ids:
        return set()
    return set(
        InboundMessage.objects.filter(message_id__in=ids).values_list("message_id", flat=True)
    ) | set(OutboundEmail.objects.filter(message_id__in=ids).values_list("message_id", flat=True))


def thread_parents(thread_ids) -> set[str]:
    """The ids among these of emails a reply to which is always logged: sent from the CRM,
    or logged on a timeline."""
    ids = [m for m in thread_ids if m]
    if not ids:
        return set()
    return set(
        OutboundEmail.objects.filter(message_id__in=ids).values_list("message_id", flat=True)
    ) | set(
        InboundMessage.objects.filter(message_id__in=ids, status=InboundStatus.LOGGED).values_list(
            "message_id", flat=True
        )
    )


def _parent(thread_ids: list[str]) -> tuple[OutboundEmail | None, int | None]:
    """(the CRM email a message answers, the engagement of the nearest known email in its
    thread), newest reference first."""
    outbound = None
    for message_id in reversed(thread_ids):
        outbound = OutboundEmail.objects.filter(message_id=message_id).first()
        if outbound is not None:
            break
    for message_id in reversed(thread_ids):
        row = (
            OutboundEmail.objects.filter(message_id=message_id)
            .values_list("engagement_id", flat=True)
            .first()
            or InboundMessage.objects.filter(message_id=message_id, status=InboundStatus.LOGGED)
            .values_list("engagement_id", flat=True)
            .first()
        )
        if row:
            return outbound, row
    return outbound, None


def _thread_links(engagement_id: int | None) -> list[tuple[str, int, None]]:
    if engagement_id is None or not base_queryset("emails").filter(pk=engagement_id).exists():
        return []
    return [
        (kind, pk, None)
        for kind in crm_names()
        for pk in associated_ids("emails", engagement_id, kind)
    ]


def _headers_json(content) -> str:
    def one(pair):
        name, address = pair
        entry = {"email": address}
        if name:
            first, _sep, last = name.partition(" ")
            entry.update(firstName=first, lastName=last)
        return entry

    return json.dumps(
        {
            "from": one(content.sender),
            "to": [one(p) for p in content.to],
            "cc": [one(p) for p in content.cc],
        },
        ensure_ascii=False,
    )


def _source(user, label: str) -> ChangeSource:
    return ChangeSource.for_user(user, SourceType.SALES, label)


def keep_failed(
    raw: bytes,
    reason: str,
    *,
    source: str,
    message_id: str = "",
    user=None,
    mailbox=None,
    status: str = InboundStatus.FAILED,
    **fields,
) -> Outcome:
    """Keep a message that is not logged (unreadable, refused, nothing to log it on), with
    the reason; nothing else is written."""
    message_id = (message_id or made_id(raw))[:255]
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                message_id=message_id,
                source=source,
                status=status,
                user=user,
                mailbox=mailbox,
                raw=raw,
                size=len(raw),
                parse_error=reason[:2000],
                **fields,
            )
    except IntegrityError:
        return Outcome(DUPLICATE)
    log.warning("Inbound message %s (%s) not logged: %s", message.pk, source, reason)
    return Outcome(status, message, reason)


def _create_contacts(people, user, source) -> list[int]:
    """Contacts for these (name, address) pairs; those whose address is taken are skipped."""
    made = []
    for name, address in people:
        first, _sep, last = name.partition(" ")
        props = {"email": address, "firstname": first[:100], "lastname": last[:100]}
        owner = owner_id_of(user) if user is not None else None
        if owner:
            props["hubspot_owner_id"] = str(owner)
        try:
            with transaction.atomic():
                made.append(create_record("contacts", props, source=source).pk)
        except (ValidationError, IntegrityError) as exc:
            log.info("Contact for %s not created: %s", address, exc)
    return made


def log_email(
    raw: bytes,
    parsed: Parsed,
    *,
    source: str,
    user,
    mailbox=None,
    content: Parsed | Forwarded | None = None,
    want_contacts: bool = False,
    create_contacts: bool = False,
    problems: list[str] | None = None,
) -> Outcome:
    """Log a parsed message (or the original inside a forwarded one: `content`) as an
    emails engagement on its thread's records and its correspondents' (contacts, their
    companies and open deals), with its InboundMessage, in one transaction."""
    content = content or parsed
    message_id = getattr(content, "message_id", "") or parsed.message_id
    if seen([message_id]):
        return Outcome(DUPLICATE)
    thread = parsed.thread_ids() if content is parsed else []
    outbound, parent_engagement = _parent(thread)
    users = users_by_address([content.sender[1], *(a for _n, a in [*content.to, *content.cc])])
    own = inbound_settings()
    own_addresses = own.addresses() if own else set()
    people = [
        pair
        for pair in dict.fromkeys([content.sender, *content.to, *content.cc])
        if pair[1] and pair[1] not in users and pair[1] not in own_addresses
    ]
    links = _thread_links(parent_engagement)
    if not links and not want_contacts:
        return Outcome(IGNORED)
    # The correspondents who are contacts (the user's own, for a mailbox's other emails).
    visible_to = user if source == InboundSource.SYNC and parent_engagement is None else None
    recipients = [address for _name, address in people]
    contact_links = associations_for(visible_to, recipients, None) if recipients else []
    has_contacts = any(kind == "contacts" for kind, _pk, _t in contact_links)
    if parent_engagement is None and not has_contacts and not (create_contacts and people):
        if source == InboundSource.SYNC:
            return Outcome(IGNORED)
        return keep_failed(
            raw,
            _("None of its correspondents is a contact: nothing was logged."),
            source=source,
            message_id=made_id(raw),  # not the Message-ID: it may still come to be logged
            user=user,
            status=InboundStatus.SKIPPED,
            from_address=content.sender[1],
            subject=content.subject,
        )
    text = content.text or html_to_text(content.html)
    sender_is_user = content.sender[1] in users
    props = {
        "hs_email_direction": "EMAIL" if sender_is_user else "INCOMING_EMAIL",
        "hs_email_subject": content.subject or _("(no subject)"),
        "hs_email_html": content.html,
        "hs_email_text": text,
        "hs_email_headers": _headers_json(content),
        "hs_timestamp": format_datetime(content.date or parsed.date or timezone.now()),
    }
    if sender_is_user:
        props["hs_email_status"] = "SENT"
    owner = owner_id_of(user) if user is not None else None
    if owner:
        props["hubspot_owner_id"] = str(owner)
    change_source = _source(user, f"inbound:{source}")
    try:
        with transaction.atomic():
            made = []
            if create_contacts:
                known = {
                    e.lower()
                    for e in base_queryset("contacts")
                    .filter(email__in=recipients)
                    .values_list("email", flat=True)
                }
                made = _create_contacts(
                    [p for p in people if p[1] not in known], user, change_source
                )
            if made:
                contact_links = associations_for(None, recipients, None)
            all_links = list(dict.fromkeys([*links, *contact_links]))
            engagement = create_record(
                "emails", props, source=change_source, associations=all_links
            )
            message = InboundMessage.objects.create(
                message_id=message_id[:255],
                source=source,
                status=InboundStatus.LOGGED,
                user=user,
                mailbox=mailbox,
                outbound=outbound,
                engagement_id=engagement.pk,
                from_address=content.sender[1],
                subject=content.subject,
                in_reply_to=parsed.in_reply_to if content is parsed else "",
                references=" ".join(parsed.references) if content is parsed else "",
                raw=raw,
                size=len(raw),
                parse_error="\n".join(problems or parsed.problems)[:2000],
                received_at=content.date or parsed.date,
            )
            if outbound is not None:
                replies.mark_replied(outbound, message)
    except IntegrityError:  # the same Message-ID logged meanwhile by another worker
        return Outcome(DUPLICATE)
    except ValidationError as exc:
        return keep_failed(
            raw,
            _("The email could not be logged: %(reason)s") % {"reason": one_line(exc, 500)},
            source=source,
            message_id=message_id,
            user=user,
            mailbox=mailbox,
        )
    log.info("Inbound message %s logged as engagement %s (%s).", message.pk, engagement.pk, source)
    return Outcome(InboundStatus.LOGGED, message)


def take_bounce(raw: bytes, parsed: Parsed, *, source: str, user=None, mailbox=None) -> Outcome:
    """A delivery report: the CRM email it is about is marked bounced; a report about any
    other email is ignored."""
    outbound = OutboundEmail.objects.filter(message_id=parsed.bounce_of).first()
    if outbound is None:
        return Outcome(IGNORED)
    if seen([parsed.message_id]):
        return Outcome(DUPLICATE)
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                message_id=parsed.message_id,
                source=source,
                status=InboundStatus.BOUNCE,
                user=user,
                mailbox=mailbox,
                outbound=outbound,
                from_address=parsed.sender[1],
                subject=parsed.subject,
                raw=raw,
                size=len(raw),
                parse_error=parsed.bounce_reason,
                received_at=parsed.date,
            )
            replies.mark_bounced(
                outbound, parsed.bounce_reason or _("The receiving server refused it.")
            )
    except IntegrityError:
        return Outcome(DUPLICATE)
    return Outcome(InboundStatus.BOUNCE, message)


def take_synced(raw: bytes, mailbox: Mailbox, *, problems=()) -> Outcome:
    """A message the mailbox sync fetched: a bounce, a reply, or (the mailbox's switch on)
    an email with known contacts; anything else is ignored and not kept."""
    try:
        parsed = parse(raw)
    except ParseError as exc:
        head = headers(raw.partition(b"\r\n\r\n")[0], 0)
        return keep_failed(
            raw,
            str(exc),
            source=InboundSource.SYNC,
            message_id=head.message_id,
            user=mailbox.user,
            mailbox=mailbox,
        )
    if parsed.bounce_of:
        return take_bounce(
            raw, parsed, source=InboundSource.SYNC, user=mailbox.user, mailbox=mailbox
        )
    return log_email(
        raw,
        parsed,
        source=InboundSource.SYNC,
        user=mailbox.user,
        mailbox=mailbox,
        want_contacts=mailbox.log_contact_emails,
        problems=[*problems, *parsed.problems],
    )


# -- the BCC and forwarding addresses ----------------------------------------------------------


@dataclass
class Reply:
    """What the SMTP listener answers."""

    code: int
    text: str

    def __str__(self):
        return f"{self.code} {self.text}"


def receive(raw: bytes, mail_from: str, recipients: list[str]) -> Reply:
    """A message sent to the portal's BCC or forwarding address (`comptoir mailserver`, or
    the catch-all box): logged when its sender is a Comptoir user."""
    conf = inbound_settings()
    own = conf.addresses() if conf else set()
    recipients = [r.lower() for r in recipients]
    forward = bool(conf and conf.forward_address and conf.forward_address.lower() in recipients)
    source = InboundSource.FORWARD if forward else InboundSource.BCC
    envelope = email.utils.parseaddr(mail_from or "")[1].lower()
    try:
        parsed = parse(raw, forwarded=forward)
    except ParseError as exc:
        user = users_by_address([envelope]).get(envelope)
        if user is None:
            return _refuse(raw, envelope, source)
        keep_failed(raw, str(exc), source=source, user=user)
        return Reply(250, "2.0.0 Kept, but it could not be read: " + str(exc))
    sender = parsed.sender[1] or envelope
    user = users_by_address([sender]).get(sender)
    if user is None:
        return _refuse(raw, sender, source, parsed)
    content = parsed
    if forward:
        if parsed.forwarded is None:
            keep_failed(
                raw,
                _("No forwarded message was found in it: nothing was logged."),
                source=source,
                message_id=made_id(raw),  # not the Message-ID: it may still come to be logged
                user=user,
                status=InboundStatus.SKIPPED,
                from_address=sender,
                subject=parsed.subject,
            )
            return Reply(250, "2.0.0 Kept, but no forwarded message was found in it")
        content = parsed.forwarded
    elif not own.intersection(recipients):
        return Reply(550, "5.1.1 Not one of this server's addresses")
    outcome = log_email(
        raw,
        parsed,
        source=source,
        user=user,
        content=content,
        want_contacts=True,
        create_contacts=bool(conf and conf.create_contacts),
    )
    if outcome.status == DUPLICATE:
        return Reply(250, "2.0.0 Logged already")
    if outcome.status == InboundStatus.LOGGED:
        return Reply(250, "2.0.0 Logged")
    return Reply(250, "2.0.0 Kept: " + (outcome.reason or outcome.status))


def _refuse(raw: bytes, sender: str, source: str, parsed: Parsed | None = None) -> Reply:
    """Keep the message (under a Message-ID made from its bytes: an outsider cannot take a
    real message's) and tell the admins, once a day per sender (a spam run is one notice)."""
    told = InboundMessage.objects.filter(
        status=InboundStatus.REFUSED,
        from_address=sender[:320],
        created_at__gte=timezone.now() - dt.timedelta(days=1),
    ).exists()
    outcome = keep_failed(
        raw,
        _("%(sender)s is not a Comptoir user: the message was refused.")
        % {"sender": sender or "?"},
        source=source,
        status=InboundStatus.REFUSED,
        from_address=sender[:320],
        subject=parsed.subject if parsed else "",
    )
    if outcome.message is not None and not told:
        for observer in REFUSED_OBSERVERS:
            transaction.on_commit(lambda o=observer, m=outcome.message: o(m), robust=True)
    return Reply(550, "5.7.1 Only Comptoir users may send to this address")
