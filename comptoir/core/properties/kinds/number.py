"""Numbers: JSON numbers within ±10^15, decimal columns, babel formatting."""

from decimal import Decimal

from babel import numbers as babel_numbers
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.properties.cells import parse_number_cell
from comptoir.core.properties.coercion import parse_number
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.kinds.base import (
    EQUALITY_OPERATORS,
    PRESENCE_OPERATORS,
    RANGE_OPERATORS,
    PropertyKind,
)


class NumberKind(PropertyKind):
    name = "number"
    field_types = frozenset({"number", "calculation_equation"})
    settings_choices = (("number", _lazy("Number"), "number"),)
    may_be_unique = True
    numeric = True
    pg_cast = "numeric"
    output_field = models.FloatField
    widget_name = "number"

    def coerce(self, defn, raw, option_values=None):
        return parse_number(raw, defn.name)

    def to_column(self, defn, value):
        return None if value is None else Decimal(str(value))

    def filter_value(self, defn, raw, *, column: bool):
        return parse_number(raw, defn.name)

    filter_input = "number"
    filter_operator_codes = (*EQUALITY_OPERATORS, *RANGE_OPERATORS, *PRESENCE_OPERATORS)

    def parse_filter(self, defn, text, ctx):
        """ "1 234,5" in French, "1,234.5" in English, "1234.5" in both."""
        raw = str(text).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
        if ctx.french:
            raw = raw.replace(",", ".")
        elif "." in raw or raw.count(",") > 1 or raw[-4:-3] == ",":
            raw = raw.replace(",", "")
        try:
            return parse_number(raw, defn.name)
        except PropertyError:
            raise PropertyError(
                defn.name,
                "INVALID_NUMBER",
                _("“%(value)s” is not a number.") % {"value": text},
                text,
            ) from None

    def filter_label(self, defn, value, ctx) -> str:
        return babel_numbers.format_decimal(Decimal(str(value)), locale=ctx.locale)

    def filter_input_value(self, defn, value, ctx) -> str:
        text = format(Decimal(str(value)).normalize(), "f")
        return text.replace(".", ",") if ctx.french else text

    def submitted(self, defn, text: str, tz: str):
        return text.replace("\u202f", "").replace(" ", "").replace(",", ".")

    def display(self, defn, value, shown) -> str:
        if defn.show_currency_symbol:
            return babel_numbers.format_currency(
                Decimal(str(value)), shown.currency, locale=shown.locale
            )
        if defn.name == "hs_deal_stage_probability":
            return babel_numbers.format_percent(Decimal(str(value)), locale=shown.locale)
        return babel_numbers.format_decimal(Decimal(str(value)), locale=shown.locale)

    def import_cell(self, defn, value, cells):
        return parse_number_cell(value, cells.decimal_comma, defn.name)
