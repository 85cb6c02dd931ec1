"""Personalization tokens of email templates (TOOL-3): their syntax and what each may name.

The syntax, the only one a template may use:

    {{ contact.firstname }}
    {{ contact.firstname | default:"there" }}     (or default:'there')

`object.property`, where object is `contact`, `company` (the contact's primary company),
`deal`, `owner` (the contact's owner) or `sender` (the user sending), and property an
internal property name (contact, company and deal properties come from the property
registry). The fallback is used when the record has no value. Nothing else is ever
interpreted: no filters, no expressions, no code. A template is only split into literal
text and tokens (`split`), and a token is only looked up (rendering.py).

The scan is linear: each `{{` is matched with the next `}}`; a `{{` followed by another
`{{` before any `}}` is stray (stays literal text, and refused when saved).
"""

import html
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.i18n import localised_label
from comptoir.core.properties import registry

OPEN, CLOSE = "{{", "}}"
MAX_TOKEN = 300  # characters between the braces; longer is not a token
_BODY = re.compile(
    r"""\s*(?P<object>[a-z_]+)\.(?P<property>[A-Za-z0-9_]+)\s*
        (?:\|\s*default\s*:\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'))?\s*\Z""",
    re.VERBOSE,
)

# object → the CRM type its properties come from (None: a fixed list below).
OBJECTS = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "owner": None,
    "sender": None,
}
OBJECT_LABELS = {
    "contact": _lazy("Contact"),
    "company": _lazy("Company"),
    "deal": _lazy("Deal"),
    "owner": _lazy("Contact owner"),
    "sender": _lazy("Sender"),
}
# People's tokens: name → label (the owner is an Owner row, the sender a User).
OWNER_FIELDS = {
    "firstname": _lazy("First name"),
    "lastname": _lazy("Last name"),
    "fullname": _lazy("Full name"),
    "email": _lazy("Email"),
}
SENDER_FIELDS = {
    **OWNER_FIELDS,
    "jobtitle": _lazy("Job title"),
    "phone": _lazy("Phone number"),
    "company": _lazy("Company name"),
    "meetinglink": _lazy("Meeting link"),
}
PEOPLE = {"owner": OWNER_FIELDS, "sender": SENDER_FIELDS}


@dataclass(frozen=True)
class Token:
    source: str  # as written, braces included
    object: str
    property: str
    fallback: str | None

    @property
    def name(self) -> str:
        return f"{self.object}.{self.property}"


@dataclass(frozen=True)
class Malformed:
    """A `{{ … }}` that is not a token, or a `{{` with no `}}`: `text` as written (kept
    literally when rendered), `source` the piece an error message quotes."""

    source: str
    text: str
    unclosed: bool = False


def split(text: str) -> list:
    """`text` as a list of literal strings, Tokens and Malformed pieces, in order.

    Token bodies found in HTML are read with their entities decoded (nh3 writes a quote
    inside an attribute as &quot;)."""
    parts: list = []
    pos, n = 0, len(text)
    while pos < n:
        start = text.find(OPEN, pos)
        if start < 0:
            break
        if pos < start:
            parts.append(text[pos:start])
        end = text.find(CLOSE, start + 2)
        if end < 0:  # no `}}` anywhere after: the rest is literal
            parts.append(Malformed(_quote(text, start), text[start:], unclosed=True))
            return parts
        inner_open = text.rfind(OPEN, start + 2, end)
        if inner_open >= 0:  # `{{ {{ x }}`: the first `{{` is stray, the last may open a token
            parts.append(Malformed(_quote(text, start), text[start:inner_open], unclosed=True))
            pos = inner_open
            continue
        source = text[start : end + 2]
        parts.append(_token(source, text[start + 2 : end]))
        pos = end + 2
    if pos < n:
        parts.append(text[pos:])
    return parts


def _quote(text: str, start: int) -> str:
    return html.unescape(text[start : start + 24]).strip()


def _token(source: str, body: str):
    if len(body) > MAX_TOKEN:
        return Malformed(html.unescape(source[:40]) + "…", source)
    match = _BODY.match(html.unescape(body))
    if match is None:
        return Malformed(html.unescape(source), source)
    fallback = match["dq"] if match["dq"] is not None else match["sq"]
    return Token(html.unescape(source), match["object"], match["property"], fallback)


def known(token: Token) -> bool:
    """Whether the token names an object and a property that exist (archived ones do not)."""
    if token.object not in OBJECTS:
        return False
    people = PEOPLE.get(token.object)
    if people is not None:
        return token.property in people
    return token.property in registry.definitions(OBJECTS[token.object])


def problems(text: str) -> list[str]:
    """What is wrong with the tokens of `text`, one sentence each naming the token."""
    found = []
    for part in split(text):
        if isinstance(part, Malformed):
            if part.unclosed:
                found.append(
                    _("“%(text)s”: an opening {{ has no closing }}.") % {"text": part.source}
                )
            else:
                found.append(
                    _(
                        "“%(text)s” is not a token: write {{ object.property }} or "
                        '{{ object.property | default:"text" }}.'
                    )
                    % {"text": part.source}
                )
        elif isinstance(part, Token) and not known(part):
            found.append(_unknown(part))
    return list(dict.fromkeys(found))


def _unknown(token: Token) -> str:
    if token.object not in OBJECTS:
        return _("Unknown token “%(token)s”: use contact, company, deal, owner or sender.") % {
            "token": token.source
        }
    return _("Unknown token “%(token)s”: %(object)s has no property “%(property)s”.") % {
        "token": token.source,
        "object": OBJECT_LABELS[token.object],
        "property": token.property,
    }


def tokens_in(*texts: str) -> list[Token]:
    return [part for text in texts for part in split(text) if isinstance(part, Token)]


def label(name: str) -> str:
    """ "Contact: First name" for "contact.firstname" (the name itself when unknown)."""
    obj, _dot, prop = name.partition(".")
    if obj not in OBJECTS:
        return name
    people = PEOPLE.get(obj)
    if people is not None:
        prop_label = people.get(prop)
    else:
        defn = registry.definitions(OBJECTS[obj]).get(prop)
        prop_label = localised_label(defn) if defn else None
    return _("%(object)s: %(property)s") % {
        "object": OBJECT_LABELS[obj],
        "property": prop_label or prop,
    }


def catalogue() -> list[dict]:
    """The tokens offered by the editor's inserter, grouped by object:
    [{"object", "label", "tokens": [{"token", "label"}]}]."""
    groups = []
    for obj, type_name in OBJECTS.items():
        if type_name is None:
            rows = [(prop, str(text)) for prop, text in PEOPLE[obj].items()]
        else:
            defs = registry.definitions(type_name)
            rows = sorted(
                ((name, localised_label(d)) for name, d in defs.items() if not d.hidden),
                key=lambda row: row[1].lower(),
            )
        groups.append(
            {
                "object": obj,
                "label": str(OBJECT_LABELS[obj]),
                "tokens": [
                    {"token": "{{ %s.%s }}" % (obj, prop), "label": text}  # noqa: UP031
                    for prop, text in rows
                ],
            }
        )
    return groups
