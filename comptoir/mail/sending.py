"""Sending email from the CRM (TOOL-1): an `OutboundEmail` row and its `emails`
engagement are made together (`compose`); the worker sends it (comptoir/mail/delivery.py,
`deliver`); the author lists, changes and cancels what is not sent yet.

The state machine, and why it never sends twice nor drops an email:

    scheduled --claim--> sending --250--> (accepted_at) --> sent
        ^                   |  \\--4xx / network, attempts left--> scheduled (back-off)
        |                   |   \\--5xx, or no attempts left----> failed (sender notified)
        |                   \\--worker died (claim older than COMPTOIR_MAIL_SEND_STALL)-->
        |                        accepted_at set: sent, nothing sent again
        \\------------------------ accepted_at empty: scheduled again, same Message-ID
    scheduled --cancel (the author, before the claim)--> cancelled

- The row (with its Message-ID, made once) and the engagement are written in one
  transaction before anything is sent: a crash before the commit leaves neither, after it
  the worker will find the row.
- A claim is a conditional UPDATE (`status=scheduled AND send_at<=now` to `sending`): of two
  workers, one sends; a cancel is the same UPDATE from `scheduled`, so a claimed email can
  no longer be cancelled and a cancelled one is never claimed.
- The server's acceptance of DATA (its 250) is written (`accepted_at`) before anything
  else, before QUIT even. A worker killed after that point leaves an email that recovery
  marks sent without sending it again.
- A worker killed before the server accepted DATA (connecting, in the middle of DATA)
  leaves `sending` with no `accepted_at`: the server has not taken the message (a server
  must not deliver a message whose DATA it has not acknowledged), so recovery sends it
  again, with the SAME Message-ID. The one window left is between the server's 250 and the
  UPDATE of `accepted_at` (one statement): a kill there sends the message twice, with one
  Message-ID, which receivers (Gmail, Outlook, mailing software) take as one message.
  Dropping the email instead would be worse; this is at-least-once with an idempotency
  key, the strongest SMTP allows.
"""

import datetime as dt
import email.policy
import email.utils
import html as html_lib
import json
import logging
import mimetypes
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.accounts import owner_model
from comptoir.core.associations.services import associated_ids, primary_company_id
from comptoir.core.history.source import ChangeSource
from comptoir.core.inputs import storable
from comptoir.core.pipelines.queries import stages
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import archive_record, create_record, update_record
from comptoir.core.ui.richtext import clean_html, text_to_html
from comptoir.mail import services
from comptoir.mail.delivery import address_of
from comptoir.mail.models import OutboundAttachment, OutboundEmail, OutboundStatus
from comptoir.mail.tasks import send_email

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
MAX_ATTACHMENTS = 20
MAX_SUBJECT = 998 - len("Subject: ")


class ComposeError(Exception):
    """The email cannot be sent as written: {form field: message}."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Draft:
    """What the composer submits (text as typed; addresses comma-separated)."""

    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    html: str = ""
    send_at: dt.datetime | None = None  # None: now
    reply_to: int | None = None  # the emails engagement answered
    template_id: int | None = None
    record: tuple[str, int] | None = None  # (object type, id) the composer is on
    attachments: list = field(default_factory=list)  # uploaded files


# -- reading what was typed --------------------------------------------------------------------

_BREAKS = re.compile(r"[\r\n\x00]")
# One address between commas, a quoted name holding commas included.
_PIECES = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^,])+')


def _unstorable(draft: Draft) -> dict:
    """{field: message} for the texts no database can store (NUL, lone surrogates)."""
    texts = {"to": draft.to, "cc": draft.cc, "bcc": draft.bcc, "subject": draft.subject}
    texts["body"] = draft.html
    return {
        name: _("This text holds characters that cannot be stored.")
        for name, text in texts.items()
        if not storable(text or "")
    }


def max_attachments_size() -> int:
    return settings.COMPTOIR_MAIL_ATTACHMENTS_MB * 1024 * 1024


def _check_attachments(files) -> str:
    """The error of the attachments field, or "" (checked here, whatever the browser said)."""
    if len(files) > MAX_ATTACHMENTS:
        return _("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}
    if sum(f.size or 0 for f in files) > max_attachments_size():
        return _("The attachments weigh more than %(mb)d MB in all.") % {
            "mb": settings.COMPTOIR_MAIL_ATTACHMENTS_MB
        }
    for f in files:
        if not storable(f.name or "") or _BREAKS.search(f.name or ""):
            return _("An attachment's name holds characters that cannot be used.")
    return ""


def attachment_name(name: str) -> str:
    """The file's own name, without any folder a browser may send, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1].strip() or "attachment"
    return base[-200:]


def parse_addresses(text: str, field_name: str) -> list[str]:
    """Comma- or semicolon-separated addresses ("Name <a@b.fr>" or "a@b.fr") → formatted
    addresses; ComposeError naming the field for a line break or a bad address."""
    if _BREAKS.search(text or ""):
        raise ComposeError({field_name: _("An address cannot contain a line break.")})
    found = []
    for piece in _PIECES.findall((text or "").replace(";", ",")):
        piece = piece.strip()
        if not piece:
            continue
        name, address = email.utils.parseaddr(piece)  # ("", "") when unreadable
        try:
            validate_email(address)
        except ValidationError:
            raise ComposeError(
                {field_name: _("“%(address)s” is not a valid email address.") % {"address": piece}}
            ) from None
        found.append(email.utils.formataddr((name.strip(), address.strip())))
    return list(dict.fromkeys(found))


def html_to_text(html: str) -> str:
    """The plain-text alternative of the (cleaned) HTML body: paragraphs, lines, links."""
    text = re.sub(r"<a [^>]*href=\"([^\"]+)\"[^>]*>(.*?)</a>", r"\2 (\1)", html, flags=re.S)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"</(p|div|li|ul|ol)>", "\n", text)
    text = re.sub(r"<li>", "- ", text)
    text = re.sub(r"<[^>]+>", "", text)
    lines = [" ".join(line.split()) for line in html_lib.unescape(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def signature_html(user) -> str:
    signature = (getattr(user, "email_signature", "") or "").strip()
    if not signature:
        return ""
    return '<div class="signature">' + clean_html(text_to_html(signature)) + "</div>"


# -- composing -----------------------------------------------------------------------------------


def headers_json(from_address: str, sender: str, to, cc, bcc) -> str:
    """hs_email_headers as HubSpot writes it."""

    def one(formatted: str) -> dict:
        name, address = email.utils.parseaddr(formatted)
        entry = {"email": address}
        if name:
            first, _sep, last = name.partition(" ")
            entry.update(firstName=first, lastName=last)
        return entry

    return json.dumps(
        {
            "from": one(from_address),
            "sender": one(sender),
            "to": [one(a) for a in to],
            "cc": [one(a) for a in cc],
            "bcc": [one(a) for a in bcc],
        },
        ensure_ascii=False,
    )


def _thread(user, engagement_id) -> tuple[str, str, str]:
    """(In-Reply-To, References, subject) of a reply to an emails engagement the user may
    see; ComposeError when it is not one."""
    found = base_queryset("emails", user=user).filter(pk=engagement_id).first()
    if found is None:
        raise ComposeError({"__all__": _("The email you answer no longer exists.")})
    subject = found.properties.get("hs_email_subject") or ""
    parent = OutboundEmail.objects.filter(engagement_id=engagement_id).first()
    if parent is None:  # a logged email: no Message-ID known
        return "", "", subject
    references = " ".join([*parent.references.split(), parent.message_id][-20:])
    return parent.message_id, references, subject


def associations_for(user, recipients: list[str], record) -> list[tuple[str, int, None]]:
    """The recipients that are contacts, their primary companies and open deals, and the
    record written from: each only if the user may see it."""
    addresses = [address_of(a) for a in recipients]
    contacts = list(
        base_queryset("contacts", user=user)
        .filter(email__in=addresses)
        .values_list("pk", flat=True)
    )
    if record is not None and record[0] == "contacts" and record[1] not in contacts:
        contacts.append(record[1])
    companies, deals = set(), set()
    for contact_id in contacts:
        company = primary_company_id("contacts", contact_id)
        if company is not None:
            companies.add(company)
        deals.update(associated_ids("contacts", contact_id, "deals"))
    open_stages = [s for s, info in stages("deals").items() if not info.is_closed]
    links = [("contacts", pk) for pk in contacts]
    links += [
        ("companies", pk)
        for pk in base_queryset("companies", user=user)
        .filter(pk__in=companies)
        .values_list("pk", flat=True)
    ]
    links += [
        ("deals", pk)
        for pk in base_queryset("deals", user=user)
        .filter(pk__in=deals, dealstage__in=open_stages)
        .values_list("pk", flat=True)
    ]
    if record is not None and record not in links:
        links.append(record)
    return [(ot, pk, None) for ot, pk in links]


def _from_header(user, sender) -> tuple[str, str]:
    """(From, Reply-To): the user's name with the sending account's address; through the
    portal's account, replies go to the user."""
    name = " ".join(_BREAKS.sub(" ", user.get_full_name() or "").split())
    if sender.source == "mailbox":
        return email.utils.formataddr((name, sender.from_address)), ""
    return email.utils.formataddr((name, sender.from_address)), user.email


def _checked(draft: Draft) -> tuple[dict, dict, str, str]:
    """(errors, {to/cc/bcc: addresses}, subject, cleaned body) of what was typed."""
    errors = _unstorable(draft)
    lists = {}
    for name in ("to", "cc", "bcc"):
        if name in errors:
            continue
        try:
            lists[name] = parse_addresses(getattr(draft, name), name)
        except ComposeError as exc:
            errors.update(exc.errors)
    subject = draft.subject or ""
    if "subject" in errors:
        pass
    elif _BREAKS.search(subject):
        errors["subject"] = _("The subject cannot contain a line break.")
    elif not subject.strip():
        errors["subject"] = _("Write a subject.")
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = _("The subject is too long.")
    body = "" if "body" in errors else clean_html(draft.html)
    if "body" in errors:
        pass
    elif not body or not html_to_text(body).strip():
        errors["body"] = _("Write the email first.")
    if "to" not in errors and not lists.get("to"):
        errors["to"] = _("Enter at least one recipient.")
    if sum(len(v) for v in lists.values()) > MAX_RECIPIENTS:
        errors["to"] = _("At most %(n)d recipients.") % {"n": MAX_RECIPIENTS}
    attachments_error = _check_attachments(draft.attachments)
    if attachments_error:
        errors["attachments"] = attachments_error
    return errors, lists, subject, body


def compose(user, draft: Draft) -> OutboundEmail:
    """Check the draft, then write the OutboundEmail and its engagement (SCHEDULED, or
    SENDING for now) in one transaction; the worker is asked to send it after the commit.
    ComposeError({field: message}) when the draft cannot go."""
    errors, lists, subject, body = _checked(draft)
    now = timezone.now()
    if draft.send_at is not None and draft.send_at < now - dt.timedelta(minutes=1):
        errors["send_at"] = _("Choose a time in the future.")
    sender = services.sender_for(user)
    if sender is None:
        errors["__all__"] = _("You have no mailbox connected and the portal has no email account.")
    in_reply_to, references = "", ""
    if draft.reply_to is not None and "__all__" not in errors:
        try:
            in_reply_to, references, _subject = _thread(user, draft.reply_to)
        except ComposeError as exc:
            errors.update(exc.errors)
    if errors:
        raise ComposeError(errors)
    subject = " ".join(subject.split())
    html = body + signature_html(user)
    text = html_to_text(html)
    from_address, reply_to = _from_header(user, sender)
    send_at = max(draft.send_at or now, now)
    later = draft.send_at is not None and draft.send_at > now + dt.timedelta(minutes=1)
    domain = sender.from_address.rpartition("@")[2] or "comptoir.invalid"
    message_id = email.utils.make_msgid(domain=domain)
    recipients = [*lists["to"], *lists["cc"], *lists["bcc"]]
    props = {
        "hs_email_direction": "EMAIL",
        "hs_email_status": "SCHEDULED" if later else "SENDING",
        "hs_email_subject": subject,
        "hs_email_html": html,
        "hs_email_text": text,
        "hs_email_headers": headers_json(
            from_address, sender.from_address, lists["to"], lists["cc"], lists["bcc"]
        ),
        "hs_timestamp": format_datetime(send_at),
    }
    owner = owner_id_of(user)
    if owner:
        props["hubspot_owner_id"] = str(owner)
    source = ChangeSource.for_user(user)
    with transaction.atomic():
        engagement = create_record(
            "emails",
            props,
            source=source,
            associations=associations_for(user, recipients, draft.record),
            user=user,
        )
        outbound = OutboundEmail.objects.create(
            user=user,
            status=OutboundStatus.SCHEDULED,
            message_id=message_id,
            sender_source=sender.source,
            from_address=from_address,
            reply_to=reply_to,
            to=lists["to"],
            cc=lists["cc"],
            bcc=lists["bcc"],
            subject=subject,
            html=html,
            text=text,
            in_reply_to=in_reply_to,
            references=references,
            template_id=draft.template_id,
            engagement_id=engagement.pk,
            send_at=send_at,
        )
        for upload in draft.attachments:
            name = attachment_name(upload.name)
            attachment = OutboundAttachment(
                outbound=outbound,
                filename=name,
                content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                size=upload.size or 0,
            )
            attachment.file.save(name, upload, save=False)
            attachment.save()
        if not later:
            transaction.on_commit(lambda: _enqueue(outbound.pk))
    log.info("Email %s composed by user %s (%s).", outbound.pk, user.pk, outbound.status)
    return outbound


def owner_id_of(user):
    return owner_model().objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def _enqueue(pk: int) -> None:
    send_email.enqueue(pk)


# -- the author's own list ----------------------------------------------------------------------


def scheduled_for(user):
    """The user's emails not sent yet (scheduled, sending) and the failed ones."""
    return OutboundEmail.objects.filter(
        user=user,
        status__in=[OutboundStatus.SCHEDULED, OutboundStatus.SENDING, OutboundStatus.FAILED],
    ).order_by("send_at", "pk")


def own(user, pk) -> OutboundEmail | None:
    """The user's email with this id; None for someone else's (answered as missing)."""
    return OutboundEmail.objects.filter(user=user, pk=pk).first()


def cancel(user, pk) -> bool:
    """scheduled → cancelled (the author only, before a worker claims it); the engagement
    is archived: an email never sent is not on the timelines."""
    with transaction.atomic():
        done = OutboundEmail.objects.filter(
            user=user, pk=pk, status=OutboundStatus.SCHEDULED
        ).update(status=OutboundStatus.CANCELLED)
        if not done:
            return False
        outbound = OutboundEmail.objects.get(pk=pk)
        if (
            outbound.engagement_id
            and base_queryset("emails").filter(pk=outbound.engagement_id).exists()
        ):
            archive_record("emails", outbound.engagement_id, source=ChangeSource.for_user(user))
    return True


def reschedule(user, pk, draft: Draft) -> OutboundEmail:
    """Change a scheduled email (the author only, before it is claimed): its recipients,
    subject, body and time. ComposeError when it cannot (gone, claimed, bad input)."""
    errors, lists, subject, body = _checked(draft)
    now = timezone.now()
    if draft.send_at is None or draft.send_at < now:
        errors["send_at"] = _("Choose a time in the future.")
    if errors:
        raise ComposeError(errors)
    subject = " ".join(subject.split())
    text = html_to_text(body)
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(user=user, pk=pk).first()
        if outbound is None or outbound.status != OutboundStatus.SCHEDULED:
            raise ComposeError(
                {"__all__": _("This email is no longer scheduled: it cannot be changed.")}
            )
        changed = OutboundEmail.objects.filter(pk=pk, status=OutboundStatus.SCHEDULED).update(
            to=lists["to"],
            cc=lists["cc"],
            bcc=lists["bcc"],
            subject=subject,
            html=body,
            text=text,
            send_at=draft.send_at,
        )
        if not changed:
            raise ComposeError(
                {"__all__": _("This email is no longer scheduled: it cannot be changed.")}
            )
        outbound.refresh_from_db()
        if (
            outbound.engagement_id
            and base_queryset("emails").filter(pk=outbound.engagement_id).exists()
        ):
            update_record(
                "emails",
                outbound.engagement_id,
                {
                    "hs_email_subject": subject,
                    "hs_email_html": body,
                    "hs_email_text": text,
                    "hs_timestamp": format_datetime(draft.send_at),
                    "hs_email_headers": headers_json(
                        outbound.from_address,
                        outbound.from_address,
                        lists["to"],
                        lists["cc"],
                        lists["bcc"],
                    ),
                },
                source=ChangeSource.for_user(user),
            )
    return outbound
