"""What every property kind does unless it says otherwise: the behaviour of a value with
no type of its own (a type this version does not know reads and shows as plain text).

Each method takes the definition: a kind's behaviour may also depend on the property's
field type, options source or name (an e-mail address, an owner, a close date). Empty
values (None, "") are handled by the callers, before the kind is asked.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.i18n import wants_french
from comptoir.core.inputs import MAX_ID, check_text, parse_int
from comptoir.core.properties.coercion import format_datetime, parse_number, to_api_string
from comptoir.core.properties.errors import PropertyError

# The list pages' filter operators and how a condition reads ("Phase du cycle de vie est
# Lead"). ROLLING is the pages' own: a date range relative to today (RELATIVE_DATES), kept
# as such in links and saved views so that it rolls, and turned into HubSpot's operators
# just before a query (`resolve_filter`).
OPERATOR_LABELS = {
    "EQ": _lazy("is"),
    "NEQ": _lazy("is not"),
    "CONTAINS_TOKEN": _lazy("contains"),
    "NOT_CONTAINS_TOKEN": _lazy("does not contain"),
    "IN": _lazy("is any of"),
    "NOT_IN": _lazy("is none of"),
    "GT": _lazy("is greater than"),
    "GTE": _lazy("is at least"),
    "LT": _lazy("is less than"),
    "LTE": _lazy("is at most"),
    "BETWEEN": _lazy("is between"),
    "ROLLING": _lazy("is in"),
    "HAS_PROPERTY": _lazy("is known"),
    "NOT_HAS_PROPERTY": _lazy("is unknown"),
}
NO_VALUE = frozenset({"HAS_PROPERTY", "NOT_HAS_PROPERTY"})
LIST_VALUE = frozenset({"IN", "NOT_IN"})


@dataclass
class FilterContext:
    """What reading and showing a filter value needs besides the definition: the reader's
    locale and time zone, the choices of a property with options (owners, stages... as
    the UI lists them) and the day it is."""

    locale: str = "en_US"
    tz: str = "UTC"
    choices: Callable = field(default=lambda defn: [])  # defn -> [(value, label)]
    today: dt.date | None = None

    @property
    def french(self) -> bool:
        return wants_french(self.locale)


# The filter bar's operators, in the order it offers them; a kind's own list puts these
# groups together.
EQUALITY_OPERATORS = ("EQ", "NEQ")
TEXT_OPERATORS = ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN", "IN", "NOT_IN")
RANGE_OPERATORS = ("GT", "GTE", "LT", "LTE", "BETWEEN")
PRESENCE_OPERATORS = ("HAS_PROPERTY", "NOT_HAS_PROPERTY")


class PropertyKind:
    name = ""  # PropertyDefinition.type
    # HubSpot's pairing rules: the field types a property of this kind may be shown with.
    field_types: frozenset = frozenset()
    # Settings > Properties "Field type" choices creating a property of this kind:
    # (key, label, field type), labels translated in comptoir/locale.
    settings_choices: ClassVar[tuple] = ()
    may_be_unique = False  # hasUniqueValue allowed
    takes_options = False  # an admin lists the options (enumerations)
    fixed_options: ClassVar[list | None] = None  # options every property of the kind has
    free_text = False  # compared, sorted and searched case-insensitively, as text
    numeric = False  # lists align it right; error files keep it a number
    pg_cast = ""  # the PostgreSQL type a JSON-stored value is cast to
    output_field: ClassVar[type] = models.TextField
    widget_name = ""  # the form input; "" lets the field type choose

    def __repr__(self) -> str:
        return f"<PropertyKind {self.name or '?'}>"

    def is_multi(self, defn) -> bool:
        """Several values joined by `;`."""
        return False

    # -- the API: incoming values and their string form ---------------------------------

    def coerce(self, defn, raw, option_values=None):
        """A value sent for `defn` (neither None nor "") → its canonical stored form."""
        raise PropertyError(defn.name, "INVALID_TYPE", f"unsupported property type {defn.type!r}")

    def api_string(self, defn, value) -> str | None:
        """Canonical or column value → HubSpot's string form."""
        return to_api_string(defn, value)

    # -- SQL ----------------------------------------------------------------------------

    def json_sql(self, column: str, key: str, vendor: str) -> str:
        """The SQL reading JSON key `key` of `column` as a value of this kind (expression
        indexes are built on this very text)."""
        if vendor == "sqlite":
            return f"json_extract({column}, '$.{key}')"
        sql = f"({column} ->> '{key}')"
        return f"({sql})::{self.pg_cast}" if self.pg_cast else sql

    # -- real columns ----------------------------------------------------------------------

    def from_column(self, defn, value):
        """A column's value → the canonical form (what JSON-stored properties hold)."""
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return format_datetime(value)
        if isinstance(value, Decimal):
            return parse_number(value)
        if defn.options_source == "owners" or defn.name == "hs_object_id":
            return self._id_from_column(value)
        return value

    def _id_from_column(self, value):
        return value

    def to_column(self, defn, value):
        """A canonical value → what the model's column holds."""
        if value is None:
            return None
        if defn.options_source == "owners":
            return int(value)
        return value

    # -- search ----------------------------------------------------------------------------

    def filter_value(self, defn, raw, *, column: bool):
        """A filter value (not None) in the form the stored expression compares against.

        Raises PropertyError, TypeError or ValueError on a value the kind cannot hold."""
        if defn.options_source == "owners" and column:
            owner_id = parse_int(raw, -MAX_ID, MAX_ID)
            if owner_id is None:  # past any id, no owner has it; the database would fail
                raise ValueError(raw)
            return owner_id
        if isinstance(raw, str):
            text = check_text(defn.name, raw)
        elif isinstance(raw, bool):
            text = str(raw).lower()
        else:
            text = str(raw)
        return text.lower() if self.free_text else text

    # -- forms -----------------------------------------------------------------------------

    def widget(self, defn) -> str:
        """The input the UI shows: text, email, tel, number, date, datetime-local, select,
        textarea."""
        if self.widget_name:
            return self.widget_name
        if defn.field_type in ("textarea", "html"):
            return "textarea"
        if defn.field_type == "phonenumber":
            return "tel"
        if defn.name == "email":
            return "email"
        return "text"

    def choices(self, defn, option_label) -> list[tuple[str, str]]:
        """[(value, label)] of a select showing the definition's own (visible) options."""
        return [
            (o["value"], option_label(defn, o["value"]))
            for o in defn.options
            if not o.get("hidden")
        ]

    def form_field(self, defn, *, choices=(), tz: str = "UTC") -> forms.Field:
        """A Django form field with this kind's input, cleaning typed text as `submitted`
        does ("" clears; validation stays in the services: one set of rules). The record
        pages render its widget and clean what it sends (core/ui/fields.py)."""
        return KindFormField(
            defn, tz, label=defn.label, widget=html_widget(self.widget(defn), choices)
        )

    def input_value(self, defn, canonical, tz: str) -> str:
        """A canonical value (not None) → what the input shows."""
        if isinstance(canonical, float) and canonical.is_integer():
            return str(int(canonical))
        return str(canonical)

    strips_submitted = True  # spaces around a typed value are dropped

    def submitted(self, defn, text: str, tz: str):
        """Typed text (stripped as the kind wants, not "") → a value for the services."""
        return text

    # -- display ---------------------------------------------------------------------------

    def display(self, defn, value, shown) -> str:
        """A canonical value (neither None nor "") as people read it; `shown` carries the
        reader's locale, time zone, currency and option labels (core.properties.formatting)."""
        return str(value)

    def cell_display(self, defn, value, shown) -> str:
        """The shorter form a list's table cell shows, where columns share a laptop's width
        (the full form goes in the cell's tooltip when it differs)."""
        return self.display(defn, value, shown)

    def iso_text(self, defn, value, tz: str) -> str | None:
        """A canonical value as machine-readable ISO 8601 text in the time zone `tz`, for
        exports asking for it; None: this kind has no ISO form (not a date)."""
        return None

    def filter_text(self, defn, raw, shown) -> str:
        """A filter's value as a summary sentence shows it."""
        return str(raw)

    # -- the list pages' filters -------------------------------------------------------------
    # The filter bar asks the kind which operators to offer, which input to show, how to
    # read what was typed or picked (into the value the search compiler takes) and how to
    # show a stored value again (a chip, the input). Errors are PropertyErrors whose
    # message people read, in their language.

    filter_input = "text"  # text, number, date or options (a picker of `filter_choices`)
    filter_operator_codes: ClassVar[tuple] = (
        *EQUALITY_OPERATORS,
        *TEXT_OPERATORS,
        *RANGE_OPERATORS,
        *PRESENCE_OPERATORS,
    )
    operator_labels: ClassVar[dict] = {}  # this kind's own words ("is after" for dates)

    def filter_operators(self, defn) -> list[tuple[str, str]]:
        """[(operator, label)] the filter bar offers for this property."""
        return [
            (op, self.operator_labels.get(op) or OPERATOR_LABELS[op])
            for op in self.filter_operator_codes
        ]

    def filter_choices(self, defn, ctx: FilterContext) -> list[tuple[str, str]]:
        """[(value, label)] of an options picker."""
        return list(ctx.choices(defn))

    def parse_filter(self, defn, text: str, ctx: FilterContext):
        """What a person typed or picked (not empty) → the value a filter stores."""
        try:
            return self.filter_value(defn, text, column=False)
        except PropertyError as exc:
            raise PropertyError(
                defn.name, exc.code, _("“%(value)s” is not valid.") % {"value": text}, text
            ) from None

    def filter_label(self, defn, value, ctx: FilterContext) -> str:
        """A stored filter value as a chip shows it."""
        return str(value)

    def filter_input_value(self, defn, value, ctx: FilterContext) -> str:
        """A stored filter value as its input shows it again."""
        return self.filter_label(defn, value, ctx)

    def describe_filter(self, defn, flt: dict, ctx: FilterContext) -> str:
        """A condition without its property, as a chip reads: "is Lead", "is between 1 and
        5", "is any of Lead, Customer"."""
        op = flt.get("operator", "")
        if op in LIST_VALUE and len(flt.get("values") or ()) == 1:  # "is Lead", one value
            op, flt = ("EQ" if op == "IN" else "NEQ"), {**flt, "value": flt["values"][0]}
        words = str(self.operator_labels.get(op) or OPERATOR_LABELS.get(op, op))
        if op in NO_VALUE:
            return words
        if op in LIST_VALUE:
            shown = ", ".join(self.filter_label(defn, v, ctx) for v in flt.get("values") or ())
            return f"{words} {shown}"
        low = self.filter_label(defn, flt.get("value", ""), ctx)
        if op == "BETWEEN":
            high = self.filter_label(defn, flt.get("highValue", ""), ctx)
            return _("%(is_between)s %(low)s and %(high)s") % {
                "is_between": words,
                "low": low,
                "high": high,
            }
        return f"{words} {low}"

    def resolve_filter(self, defn, flt: dict, ctx: FilterContext, me: str) -> dict:
        """A stored filter → one the search compiler takes: relative values (a rolling date
        range, the owner "me") become the values they mean today, for this user."""
        return flt

    # -- imports ---------------------------------------------------------------------------

    def import_cell(self, defn, value, cells):
        """A spreadsheet cell (not empty) → a value for the services; `cells` carries the
        file's date format, decimal comma and the option labels (imports.values)."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number or postcode read from XLSX as a number
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        text = str(value)
        return text.strip() if defn.name in ("email", "domain", "website") else text


def html_widget(widget: str, choices=()) -> forms.Widget:
    """The Django widget of an input named as `PropertyKind.widget` names them: a select
    (an empty "—" first), a textarea, or an <input> of that type (numbers take any step)."""
    if widget == "select":
        return forms.Select(choices=[("", "—"), *choices])
    if widget == "textarea":
        # No cols and rows: the stylesheet sizes it.
        return forms.Textarea(attrs={"cols": False, "rows": False})
    field_widget = forms.TextInput(attrs={"step": "any"} if widget == "number" else {})
    field_widget.input_type = widget
    return field_widget


class KindFormField(forms.Field):
    """A property's form field: typed text → the value the record services accept (a NUL
    or a bad date included: the services refuse it naming the property)."""

    def __init__(self, defn, tz: str, **kwargs):
        self.defn, self.tz = defn, tz
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return ""
        kind = self.defn.kind
        text = value.strip() if kind.strips_submitted else value
        return kind.submitted(self.defn, text, self.tz) if text else ""
