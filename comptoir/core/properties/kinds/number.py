"""Numbers: JSON numbers within ±10^15, decimal columns, babel formatting."""

from decimal import Decimal

from babel import numbers as babel_numbers
from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.properties.cells import parse_number_cell
from comptoir.core.properties.coercion import parse_number
from comptoir.core.properties.kinds.base import PropertyKind


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
