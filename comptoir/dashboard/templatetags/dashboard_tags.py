from functools import lru_cache

from babel import Locale
from babel import numbers as babel_numbers
from django import template

from comptoir.core.i18n import babel_locale

register = template.Library()


@register.filter
def money(value, currency="EUR") -> str:
    """An amount without cents, in the locale's currency pattern (a dashboard reads at a
    glance; the lists behind it show the exact amounts)."""
    locale = babel_locale()
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    pattern = pattern.replace(".00", "")
    return babel_numbers.format_currency(
        value or 0, currency, format=pattern, locale=locale, currency_digits=False
    )


@lru_cache(maxsize=8)
def _group_separator(locale: str) -> str:
    return babel_numbers.get_group_symbol(locale)


@register.filter
def number(value) -> str:
    """A count with the locale's thousands separator (cheap: the page shows hundreds)."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", _group_separator(babel_locale()))
    return babel_numbers.format_decimal(value or 0, locale=babel_locale())


@register.filter
def percent(value) -> str:
    if value is None:
        return "–"  # noqa: RUF001
    return babel_numbers.format_percent(value / 100, "#,##0.#%", locale=babel_locale())


@register.filter
def probability(value) -> str:
    """A stage probability (0..1) as a percentage."""
    return babel_numbers.format_percent(value or 0, locale=babel_locale())


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
