"""The email tab's "Send" part on a record page (comptoir/core/ui/composer.SEND_PANELS):
recipients, subject, body, signature, "Send" and "Send later"; and the reading of what it
submits into a sending.Draft."""

import datetime as dt
import json
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.core.associations.types import default_type
from comptoir.core.inputs import MAX_INT, parse_id, parse_int
from comptoir.core.portal.services import portal
from comptoir.core.records.values import base_queryset
from comptoir.core.ui.richtext import clean_html, text_to_html
from comptoir.mail import services
from comptoir.mail.sending import ComposeError, Draft, max_attachments_size

TEMPLATE = "mail/_send_form.html"
# The emailtemplates app's picker in the send form: fills subject and body, sets template_id.
TEMPLATE_PICKER = "emailtemplates/_composer_picker.html"


def _reply(user, reply_to) -> tuple[str, str]:
    """(To, subject) of a reply to an emails engagement the user may see."""
    found = base_queryset("emails", user=user).filter(pk=reply_to).first()
    if found is None:
        return "", ""
    props = found.properties
    subject = props.get("hs_email_subject") or ""
    if subject and not subject.lower().startswith(("re:", "re :")):
        subject = f"Re: {subject}"
    try:
        headers = json.loads(props.get("hs_email_headers") or "{}")
    except ValueError:
        headers = {}
    if props.get("hs_email_direction") == "INCOMING_EMAIL":
        people = [headers.get("from") or {}]
    else:
        people = headers.get("to") or []
    to = ", ".join(p["email"] for p in people if isinstance(p, dict) and p.get("email"))
    return to, subject


def panel(user, ot, record, reply_to=None, *, raw=None, errors=None) -> dict:
    """The template data of the send form (raw: what was typed, kept on errors)."""
    sender = services.sender_for(user)
    to = record.email if ot.name == "contacts" and getattr(record, "email", "") else ""
    subject = ""
    if reply_to is not None:
        to, subject = _reply(user, reply_to) if raw is None else ("", "")
        if raw is None and not to and not subject:
            reply_to = None
    raw = raw or {}
    signature = user.email_signature.strip()
    return {
        "template": TEMPLATE,
        "picker": TEMPLATE_PICKER,
        "url": reverse("mail:send", args=[ot.name, record.pk]),
        "recipients_url": reverse("mail:recipients"),
        "settings_url": reverse("settings:email"),
        "can_send": sender is not None,
        "from": sender.from_address if sender else "",
        "via_portal": sender is not None and sender.source != "mailbox",
        "signature": clean_html(text_to_html(signature)) if signature else "",
        "to": raw.get("to", to),
        "cc": raw.get("cc", ""),
        "bcc": raw.get("bcc", ""),
        "subject": raw.get("subject", subject),
        "body": clean_html(raw.get("body", "")),
        "send_at": raw.get("send_at", ""),
        "reply_to": raw.get("reply_to", reply_to or ""),
        "max_mb": settings.COMPTOIR_MAIL_ATTACHMENTS_MB,
        "max_bytes": max_attachments_size(),
        "errors": errors or {},
        "general_error": (errors or {}).get("__all__", ""),
        "failed": bool(errors),
    }


def offer(user, ot, record, reply_to=None) -> dict | None:
    """composer.SEND_PANELS entry: sending from the records an email can be associated
    with (contacts, companies, deals; not a type without that association)."""
    if ot.is_activity or default_type("emails", ot.name) is None:
        return None
    return panel(user, ot, record, reply_to)


def local_time(text: str, zone: str) -> dt.datetime | None:
    """A `datetime-local` value in the writer's time zone (their browser's, else the
    portal's) → an aware datetime; ComposeError naming send_at when unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(portal().report_time_zone)
    try:
        moment = dt.datetime.fromisoformat(text[:32])
    except ValueError:
        raise ComposeError({"send_at": _("Enter a date and a time.")}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def draft_from(post, *, record=None, later: bool, files=None) -> Draft:
    """The Draft of a submitted send form; ComposeError for a bad date or reply id."""
    send_at = None
    if later:
        send_at = local_time(post.get("send_at", ""), post.get("time_zone", ""))
        if send_at is None:
            raise ComposeError({"send_at": _("Choose when to send it.")})
    reply = post.get("reply_to", "")
    template = post.get("template_id", "")  # the template picker's (emailtemplates app)
    return Draft(
        to=post.get("to", ""),
        cc=post.get("cc", ""),
        bcc=post.get("bcc", ""),
        subject=post.get("subject", ""),
        html=post.get("body", ""),
        send_at=send_at,
        reply_to=parse_id(reply),
        template_id=parse_int(template, 1, MAX_INT),
        record=record,
        attachments=files.getlist("attachments") if files is not None else [],
    )
