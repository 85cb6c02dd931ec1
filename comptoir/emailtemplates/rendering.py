"""A template filled in for one recipient (TOOL-3): tokens replaced by the records' values.

Only tokens are replaced (tokens.split); the template's own text is never evaluated. Values
are formatted as the pages show them (property kinds: dates, numbers, option labels in the
reader's language) and HTML-escaped in the body; the body is cleaned by nh3 again after
filling, so a value can never add markup, a script or a `javascript:` link.
"""

import html
import re
from dataclasses import dataclass, field

from comptoir.core.accounts import owner_model
from comptoir.core.associations.services import primary_company_id
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_value
from comptoir.core.records.values import base_queryset, read_value
from comptoir.core.ui.richtext import clean_html
from comptoir.emailtemplates.tokens import OBJECTS, Malformed, Token, split


@dataclass
class Rendered:
    subject: str
    html: str
    text: str
    # Tokens with no value and no fallback ("contact.firstname"), in order of appearance.
    missing_tokens: list[str] = field(default_factory=list)


def render_template(template, *, contact=None, sender, company=None, deal=None) -> Rendered:
    """`template` (an EmailTemplate, or anything with `subject` and `body`) for `contact`,
    sent by `sender` (a user). The company is the contact's primary company unless given;
    the owner the contact's owner (else the deal's, else the company's). Records passed in
    must be ones `sender` may see; the primary company is read only if `sender` may see it."""
    if company is None and contact is not None:
        company_id = primary_company_id("contacts", contact.pk)
        if company_id is not None:
            company = base_queryset("companies", user=sender).filter(pk=company_id).first()
    values = _Values(
        {"contact": contact, "company": company, "deal": deal},
        owner=_owner(contact, deal, company),
        sender=sender,
    )
    missing: list[str] = []
    subject = _fill(template.subject or "", values, missing, escape=False)
    body = clean_html(_fill(template.body or "", values, missing, escape=True))
    return Rendered(
        subject=_BLANKS.sub(" ", subject.replace("\r", " ").replace("\n", " ")).strip(" "),
        html=body,
        text=html_to_text(body),
        missing_tokens=list(dict.fromkeys(missing)),
    )


def _owner(*records):
    for record in records:
        owner_id = getattr(record, "hubspot_owner_id", None)
        if owner_id:
            return owner_model().objects.filter(pk=owner_id).first()
    return None


def _fill(text: str, values: "_Values", missing: list, *, escape: bool) -> str:
    out = []
    for part in split(text):
        if isinstance(part, Token):
            value = values.get(part)
            if value in (None, ""):
                value = part.fallback or ""
                if part.fallback is None:
                    missing.append(part.name)
            out.append(html.escape(value) if escape else value)
        elif isinstance(part, Malformed):
            out.append(part.text)
        else:
            out.append(part)
    return "".join(out)


class _Values:
    """Each token's value as text, read once per (object, property)."""

    def __init__(self, records: dict, *, owner, sender):
        self.records = records
        self.owner = owner
        self.sender = sender
        settings = portal()
        self.tz, self.currency = settings.report_time_zone, settings.currency
        self._seen: dict[str, str | None] = {}

    def get(self, token: Token) -> str | None:
        if token.name not in self._seen:
            self._seen[token.name] = self._read(token)
        return self._seen[token.name]

    def _read(self, token: Token) -> str | None:
        if token.object == "owner":
            return _person(self.owner, token.property)
        if token.object == "sender":
            return _person(self.sender, token.property)
        type_name = OBJECTS.get(token.object)
        record = self.records.get(token.object)
        if type_name is None or record is None:
            return None
        defn = registry.definitions(type_name).get(token.property)
        if defn is None:  # archived since the template was saved: no value
            return None
        value = read_value(record, defn)
        return format_value(defn, value, tz=self.tz, currency=self.currency) or None


def _person(person, prop: str) -> str | None:
    """An owner's or a user's field (tokens.OWNER_FIELDS, SENDER_FIELDS)."""
    if person is None:
        return None
    first, last = person.first_name or "", person.last_name or ""
    value = {
        "firstname": first,
        "lastname": last,
        "fullname": f"{first} {last}".strip(),
        "email": person.email,
        "jobtitle": getattr(person, "job_title", ""),
        "phone": getattr(person, "phone", ""),
        "company": getattr(person, "company", ""),
        "meetinglink": getattr(person, "meeting_link", ""),
    }.get(prop)
    return value or None


_BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|ul|ol)>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \t\f\v]+")


def html_to_text(body: str) -> str:
    """The plain-text part of an email: one line per paragraph, line break or list item."""
    text = _TAGS.sub("", _BREAKS.sub("\n", body))
    # Runs of ASCII blanks become one space; no-break spaces (French typography) stay.
    lines = [_BLANKS.sub(" ", line).strip(" ") for line in html.unescape(text).splitlines()]
    return "\n".join(line for line in lines if line).strip()
