"""Free text and phone numbers: stored as typed, compared and searched case-insensitively."""

from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.inputs import check_text
from comptoir.core.properties.coercion import as_text, normalize_domain, normalize_email
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.kinds.base import (
    EQUALITY_OPERATORS,
    PRESENCE_OPERATORS,
    TEXT_OPERATORS,
    PropertyKind,
)


class StringKind(PropertyKind):
    name = "string"
    field_types = frozenset({"text", "textarea", "html", "phonenumber", "file"})
    settings_choices = (
        ("text", _lazy("Single-line text"), "text"),
        ("textarea", _lazy("Multi-line text"), "textarea"),
    )
    may_be_unique = True
    free_text = True
    strips_submitted = False  # a text keeps the spaces typed around it
    filter_operator_codes = (*EQUALITY_OPERATORS, *TEXT_OPERATORS, *PRESENCE_OPERATORS)

    def coerce(self, defn, raw, option_values=None):
        name = defn.name
        text = check_text(name, as_text(raw, name))
        if len(text) > defn.max_length:
            raise PropertyError(
                name,
                "TOO_LONG",
                f"value is {len(text)} characters long, the maximum is {defn.max_length}",
                text[:50] + "…",
            )
        if name == "email":
            return normalize_email(text, name)
        if name in ("hs_additional_emails",):
            parts = [
                normalize_email(p, name) for p in text.replace(",", ";").split(";") if p.strip()
            ]
            return ";".join(dict.fromkeys(parts)) or None
        if name in ("domain",):
            return normalize_domain(text, name)
        return text


class PhoneNumberKind(StringKind):
    name = "phone_number"
    field_types = frozenset({"phonenumber", "text"})
    settings_choices = (("phone", _lazy("Phone number"), "phonenumber"),)
    may_be_unique = False
    strips_submitted = True
