"""Reading a received message (mailbox sync, BCC and forwarding addresses) into plain
values, whatever the sender's software wrote: headers in raw 8-bit, charsets Python does
not know, broken MIME. What cannot be read at all raises ParseError with the reason in
words; what can be read partly is read, and `problems` says what was wrong.

Also: delivery status notifications (RFC 3464, `multipart/report; report-type=
delivery-status`) and forwarded messages (a `message/rfc822` attachment, or the
"Forwarded message" blocks of Gmail, Outlook and Apple Mail, in English and French)."""

import email
import email.header
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from django.utils.translation import gettext as _

from comptoir.core.ui.richtext import clean_html

# The text of a message kept on its engagement (the raw message keeps everything).
MAX_TEXT = 200_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MSGID = re.compile(r"<[^<>\s]+>")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


class ParseError(Exception):
    """The message cannot be read at all (the reason, in words)."""


@dataclass
class Forwarded:
    """The original message found inside a forwarded one."""

    sender: tuple[str, str] = ("", "")
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    message_id: str = ""
    text: str = ""
    html: str = ""


@dataclass
class Parsed:
    message_id: str  # "<...>"; made from the bytes when the message has none
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: tuple[str, str] = ("", "")  # (name, lower-case address)
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    html: str = ""  # cleaned with nh3 (comptoir.core.ui.richtext.clean_html)
    attachments: list[tuple[str, int]] = field(default_factory=list)  # (name, bytes)
    problems: list[str] = field(default_factory=list)
    # A delivery report: the Message-ID it is about and the reason it failed.
    bounce_of: str = ""
    bounce_reason: str = ""
    forwarded: Forwarded | None = None

    def correspondents(self) -> list[str]:
        return list(dict.fromkeys(a for _n, a in [self.sender, *self.to, *self.cc] if a))

    def thread_ids(self) -> list[str]:
        return list(
            dict.fromkeys(
                [*self.references, self.in_reply_to] if self.in_reply_to else self.references
            )
        )


def text_of(value) -> str:
    """A header or body as text that any database stores: raw 8-bit bytes (kept by the
    parser as surrogates) read as UTF-8, else as Windows-1252; no control characters."""
    text = str(value or "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    return _CONTROL.sub("", text)


def one_line(value, limit: int = 998) -> str:
    return " ".join(text_of(value).split())[:limit]


def made_id(raw: bytes) -> str:
    """The Message-ID of a message that has none: the same bytes always get the same."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.comptoir.invalid>"


def message_ids(value) -> list[str]:
    return [m[:255] for m in _MSGID.findall(text_of(value))]


def _raw_header(message, name: str):
    return next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)


def _header(message, name: str) -> str:
    """A header's value: decoded (RFC 2047), raw 8-bit text read as UTF-8 or Windows-1252
    (text_of), the raw text when the parser cannot make sense of it."""
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    if isinstance(raw, str) and not raw.isascii():  # 8-bit bytes in a header
        text = text_of(raw)
        try:
            return text_of(str(email.header.make_header(email.header.decode_header(text))))
        except Exception:  # a broken encoded word: the text as it is
            return text
    try:
        value = message.get(name)
    except Exception:  # a header so broken the policy's parser gives up
        value = raw
    return text_of(value) if value is not None else ""


def _addresses(message, *names: str) -> list[tuple[str, str]]:
    values = [_header(message, name) for name in names]
    found = []
    for name, address in email.utils.getaddresses([v for v in values if v]):
        address = one_line(address, 320).lower()
        if "@" in address:
            found.append((one_line(name, 200), address))
    return list(dict.fromkeys(found))


def _date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if when is not None and when.tzinfo is None:
        return None
    return when


def _part_text(part, problems: list[str]) -> str:
    """A text part's content; an unknown or lying charset is read as UTF-8 (said in
    `problems`) rather than lost; 8-bit text with no charset as UTF-8 or Windows-1252."""
    if (part.get_content_charset() or "us-ascii") in ("us-ascii", "ascii"):
        payload = part.get_payload(decode=True) or b""
        return text_of(payload.decode("ascii", "surrogateescape"))
    try:
        return text_of(part.get_content())
    except LookupError:
        charset = part.get_content_charset() or "?"
        problems.append(
            _("Unknown character set “%(charset)s”: read as UTF-8.")
            % {"charset": one_line(charset, 40)}
        )
    except Exception:  # a broken transfer encoding, a header that lies
        problems.append(_("A part of the message could not be decoded: read as it is."))
    payload = part.get_payload(decode=True) or b""
    return text_of(payload.decode("utf-8", "replace"))


def _body(message, problems: list[str]) -> tuple[str, str, list[tuple[str, int]]]:
    text, html, attachments = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        if kind in ("message/rfc822", "message/global", "message/delivery-status"):
            continue
        name = part.get_filename()
        if disposition == "attachment" or name or not kind.startswith("text/"):
            payload = part.get_payload(decode=True) or b""
            attachments.append((one_line(name or kind, 255), len(payload)))
            continue
        if kind == "text/html":
            html.append(_part_text(part, problems))
        elif kind == "text/plain":
            text.append(_part_text(part, problems))
    return "\n".join(text)[:MAX_TEXT], "\n".join(html)[:MAX_TEXT], attachments


def _walk_message_parts(message):
    """The messages attached to this one (message/rfc822), without walking into them."""
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, EmailMessage | email.message.Message):
                yield inner


def _bounce(message) -> tuple[str, str]:
    """(the Message-ID a delivery report says failed, the reason), or ("", "")."""
    if message.get_content_type() != "multipart/report":
        return "", ""
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return "", ""
    failed, reason, original = False, "", ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload() or []:
                if not hasattr(block, "get"):
                    continue
                if _header(block, "Action").strip().lower() == "failed":
                    failed = True
                    diagnostic = _header(block, "Diagnostic-Code")
                    status = _header(block, "Status")
                    recipient = _header(block, "Final-Recipient").rpartition(";")[2].strip()
                    reason = reason or one_line(
                        " ".join(
                            x
                            for x in (recipient, status, diagnostic.partition(";")[2] or diagnostic)
                            if x
                        ),
                        500,
                    )
        elif kind in ("message/rfc822", "message/global") and not original:
            inner = next(_walk_message_parts(part), None)
            if inner is not None:
                original = (message_ids(_header(inner, "Message-ID")) or [""])[0]
        elif kind == "text/rfc822-headers" and not original:
            headers = email.message_from_bytes(
                part.get_payload(decode=True) or b"", policy=email.policy.default
            )
            original = (message_ids(_header(headers, "Message-ID")) or [""])[0]
    if not failed or not original:
        return "", ""
    return original, reason


# -- forwarded messages ---------------------------------------------------------------------

_MARKERS = re.compile(
    r"^[ >]*(?:-{2,}\s*(?:Forwarded message|Message transféré|Original Message|"
    r"Message d'origine|Message original)\s*-{2,}|Begin forwarded message\s*:|"
    r"Début du message réexpédié\s*:|_{10,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_KEYS = {
    "from": "from",
    "de": "from",
    "to": "to",
    "à": "to",
    "a": "to",
    "pour": "to",
    "cc": "cc",
    "subject": "subject",
    "objet": "subject",
    "sujet": "subject",
    "date": "date",
    "sent": "date",
    "envoyé": "date",
    "envoyé le": "date",
    "reply-to": "",
    "répondre à": "",
}
_FIELD = re.compile(r"^[ >*]*([A-Za-zÀ-ÿ' -]{1,20}?)\s*[*]?\s*[:\uff1a]\s?[*]?\s*(.*)$")


def _people(text: str) -> list[tuple[str, str]]:
    """Addresses written in a forwarded block: "Name <a@b>", "Name [mailto:a@b]", "a@b"."""
    found = []
    for piece in re.split(r"[,;](?![^<\[]*[>\]])", text):
        match = _EMAIL.search(piece)
        if not match:
            continue
        name = piece[: match.start()].replace("<", "").replace("[mailto:", "").strip(" \"'")
        found.append((one_line(name, 200), match.group(0).lower()))
    return found


def _forwarded_block(text: str) -> Forwarded | None:
    marker = _MARKERS.search(text)
    if marker is None:
        return None
    lines = text[marker.end() :].lstrip("\r\n").splitlines()
    found: dict[str, str] = {}
    last = ""
    index = 0
    for index, line in enumerate(lines):  # noqa: B007 (the body starts after the block)
        clean = line.lstrip("> ")
        if not clean.strip():
            if found:
                break
            continue
        match = _FIELD.match(clean)
        key = _KEYS.get(match.group(1).strip().lower()) if match else None
        if match and key is not None:
            last = key
            if key:
                found[key] = (found.get(key, "") + " " + match.group(2)).strip()
        elif last in ("to", "cc") and _EMAIL.search(clean):  # a list going on
            found[last] += " " + clean.strip()
        elif found:
            break
        else:
            return None
    if "from" not in found:
        return None
    body = "\n".join(line[2:] if line.startswith("> ") else line for line in lines[index:]).strip()
    sender = (_people(found["from"]) or [("", "")])[0]
    return Forwarded(
        sender=sender,
        to=_people(found.get("to", "")),
        cc=_people(found.get("cc", "")),
        subject=one_line(found.get("subject", "")),
        date=_date(found.get("date", "")),
        text=body[:MAX_TEXT],
    )


def _forwarded(message, text: str, html: str) -> Forwarded | None:
    inner = next(_walk_message_parts(message), None)
    if inner is not None:
        problems: list[str] = []
        inner_text, inner_html, _attachments = _body(inner, problems)
        return Forwarded(
            sender=(_addresses(inner, "From") or [("", "")])[0],
            to=_addresses(inner, "To"),
            cc=_addresses(inner, "Cc"),
            subject=one_line(_header(inner, "Subject")),
            date=_date(_header(inner, "Date")),
            message_id=(message_ids(_header(inner, "Message-ID")) or [""])[0],
            text=inner_text,
            html=clean_html(inner_html),
        )
    source = text or re.sub(r"<br\s*/?>|</(?:p|div)>", "\n", html)
    if not text:
        source = re.sub(r"<[^>]+>", "", source)
    return _forwarded_block(source)


# -- the whole message ----------------------------------------------------------------------


def parse(raw: bytes, *, forwarded: bool = False) -> Parsed:
    """Read a raw message; ParseError when it is not an email at all."""
    if not raw or not raw.strip():
        raise ParseError(_("The message is empty."))
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except RecursionError:
        raise ParseError(_("The message nests parts too deeply to be read.")) from None
    except Exception as exc:  # the parser itself gave up
        raise ParseError(
            _("The message could not be read: %(reason)s") % {"reason": one_line(exc, 200)}
        ) from None
    if not message.keys():
        raise ParseError(_("The message has no headers: it is not an email."))
    problems = []
    if message.defects:
        problems.append(
            _("Malformed message (%(defects)s): read as far as possible.")
            % {"defects": ", ".join(sorted({type(d).__name__ for d in message.defects}))[:300]}
        )
    try:
        text, html, attachments = _body(message, problems)
        bounce_of, bounce_reason = _bounce(message)
        inner = _forwarded(message, text, html) if forwarded else None
    except RecursionError:
        raise ParseError(_("The message nests parts too deeply to be read.")) from None
    sender = (_addresses(message, "From") or [("", "")])[0]
    in_reply_to = (message_ids(_header(message, "In-Reply-To")) or [""])[0]
    return Parsed(
        message_id=(message_ids(_header(message, "Message-ID")) or [made_id(raw)])[0],
        in_reply_to=in_reply_to,
        references=message_ids(_header(message, "References"))[-50:],
        subject=one_line(_header(message, "Subject")),
        sender=sender,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        date=_date(_header(message, "Date")),
        text=text,
        html=clean_html(html),
        attachments=attachments,
        problems=problems,
        bounce_of=bounce_of,
        bounce_reason=bounce_reason,
        forwarded=inner,
    )


@dataclass
class Headers:
    """What the sync reads of a message before fetching all of it."""

    message_id: str
    thread_ids: list[str]
    addresses: list[str]
    is_report: bool


def headers(data: bytes, uid: int) -> Headers:
    """The few headers fetched first (comptoir.mail.sync); never raises."""
    try:
        message = email.message_from_bytes(data or b"", policy=email.policy.default)
        refs = message_ids(_header(message, "References")) + message_ids(
            _header(message, "In-Reply-To")
        )
        addresses = [a for _n, a in _addresses(message, "From", "To", "Cc")]
        kind = _header(message, "Content-Type").lower()
        return Headers(
            message_id=(message_ids(_header(message, "Message-ID")) or [""])[0],
            thread_ids=refs,
            addresses=addresses,
            is_report="multipart/report" in kind and "delivery-status" in kind,
        )
    except Exception:  # anything: the full fetch will say what is wrong
        return Headers("", [], [], False)
