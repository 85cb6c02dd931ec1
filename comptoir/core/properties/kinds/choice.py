"""Enumerations (one option, or several joined by `;` for multiple checkboxes) and
booleans (true or false, shown Yes or No)."""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.inputs import check_text
from comptoir.core.properties.cells import BOOL_WORDS, fold
from comptoir.core.properties.coercion import as_text, parse_bool
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.kinds.base import PropertyKind

ME = "me"  # the owner filters' "me": whoever looks at the list


def _pick(defn, text, choices, unknown_message):
    """A picked or typed option: its value, or its label in any case and accents."""
    text = str(text).strip()
    values = {value for value, _label in choices}
    if text in values:
        return text
    wanted = fold(text)
    for value, label in choices:
        if fold(label) == wanted:
            return value
    raise PropertyError(defn.name, "INVALID_OPTION", unknown_message % {"value": text}, text)


class EnumerationKind(PropertyKind):
    name = "enumeration"
    field_types = frozenset({"select", "radio", "checkbox", "booleancheckbox"})
    settings_choices = (
        ("select", _lazy("Dropdown select"), "select"),
        ("radio", _lazy("Radio select"), "radio"),
        ("checkbox", _lazy("Multiple checkboxes"), "checkbox"),
    )
    takes_options = True
    widget_name = "select"

    def is_multi(self, defn) -> bool:
        return defn.field_type == "checkbox"

    def coerce(self, defn, raw, option_values=None):
        name = defn.name
        allowed = option_values if option_values is not None else defn.option_values()
        text = check_text(name, as_text(raw, name)).strip()
        multi = self.is_multi(defn)
        values = [v for v in text.split(";") if v != ""] if multi else [text]
        for value in values:
            if value not in allowed:
                shown = ", ".join(list(allowed)[:20]) + (", …" if len(allowed) > 20 else "")
                raise PropertyError(
                    name,
                    "INVALID_OPTION",
                    f"{value!r} was not one of the allowed options: [{shown}]",
                    value,
                )
        return ";".join(dict.fromkeys(values)) if multi else values[0]

    def _id_from_column(self, value):
        return str(value)  # owner and record ids are option values, strings

    def display(self, defn, value, shown) -> str:
        if self.is_multi(defn):
            return ", ".join(shown.option_label(defn, v) for v in str(value).split(";"))
        return shown.option_label(defn, str(value))

    def filter_text(self, defn, raw, shown) -> str:
        return shown.option_label(defn, str(raw))

    # The options picker lists labels ("Lead", "Alyssa Haynes"); filters store values.
    filter_input = "options"
    filter_operator_codes = ("EQ", "NEQ", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")

    def _owners(self, defn) -> bool:
        return defn.options_source == "owners"

    def filter_choices(self, defn, ctx):
        choices = list(ctx.choices(defn))
        if self._owners(defn):
            return [(ME, _("Me")), *choices]
        return choices

    def parse_filter(self, defn, text, ctx):
        if self._owners(defn):
            message = _("“%(value)s” is not one of the users.")
        else:
            message = _("“%(value)s” is not one of the options.")
        return _pick(defn, text, self.filter_choices(defn, ctx), message)

    def filter_label(self, defn, value, ctx) -> str:
        return dict(self.filter_choices(defn, ctx)).get(str(value), str(value))

    def resolve_filter(self, defn, flt, ctx, me):
        if not self._owners(defn):
            return flt
        if flt.get("value") == ME:
            flt = {**flt, "value": me}
        if ME in (flt.get("values") or ()):
            flt = {**flt, "values": [me if v == ME else v for v in flt["values"]]}
        return flt

    def import_cell(self, defn, value, cells):
        parts = str(value).split(";") if self.is_multi(defn) else [str(value)]
        return ";".join(cells.labels.get(fold(p), p.strip()) for p in parts if p.strip())


class BoolKind(PropertyKind):
    name = "bool"
    field_types = frozenset({"booleancheckbox", "select", "radio"})
    settings_choices = (("booleancheckbox", _lazy("Single checkbox"), "booleancheckbox"),)
    fixed_options: list = [
        {
            "label": "Yes",
            "label_fr": "Oui",
            "value": "true",
            "displayOrder": 0,
            "hidden": False,
            "description": "",
        },
        {
            "label": "No",
            "label_fr": "Non",
            "value": "false",
            "displayOrder": 1,
            "hidden": False,
            "description": "",
        },
    ]
    pg_cast = "boolean"
    output_field = models.BooleanField
    widget_name = "select"

    def coerce(self, defn, raw, option_values=None):
        return parse_bool(raw, defn.name)

    def filter_value(self, defn, raw, *, column: bool):
        return parse_bool(raw, defn.name)

    filter_input = "options"
    filter_operator_codes = ("EQ", "NEQ", "HAS_PROPERTY", "NOT_HAS_PROPERTY")

    def filter_choices(self, defn, ctx):
        return [("true", _("Yes")), ("false", _("No"))]

    def parse_filter(self, defn, text, ctx):
        word = BOOL_WORDS.get(str(text).strip().lower())
        if word is not None:
            return "true" if word else "false"
        return _pick(defn, text, self.filter_choices(defn, ctx), _("“%(value)s” is not yes or no."))

    def filter_label(self, defn, value, ctx) -> str:
        return _("Yes") if value in (True, "true") else _("No")

    def filter_input_value(self, defn, value, ctx) -> str:
        return "true" if value in (True, "true") else "false"

    def choices(self, defn, option_label) -> list[tuple[str, str]]:
        return [("true", _("Yes")), ("false", _("No"))]

    def input_value(self, defn, canonical, tz: str) -> str:
        return "true" if canonical in (True, "true") else "false"

    def display(self, defn, value, shown) -> str:
        return _("Yes") if value in (True, "true") else _("No")

    def import_cell(self, defn, value, cells):
        found = BOOL_WORDS.get(str(value).strip().lower())
        if found is None:
            raise PropertyError(defn.name, "INVALID_BOOLEAN", f"{value!r} is not yes or no", value)
        return found
