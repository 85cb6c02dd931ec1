"""Property values as people read them: option labels, owner names, dates, numbers and
amounts in the user's language (UI-7)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.core.accounts import owner_model
from comptoir.core.pipelines.queries import pipeline_labels, stages
from comptoir.core.properties.models import PropertyType
from comptoir.core.properties.registry import cached

BABEL_LOCALES = {"fr": "fr_FR", "en": "en_US"}
# Datetime properties people think of as days (HubSpot shows a deal's close date as a date).
DATE_ONLY = {"closedate"}


def babel_locale() -> str:
    return BABEL_LOCALES.get((translation.get_language() or "en")[:2], "en_US")


def stage_label(stage) -> str:
    """A pipeline stage's name in the user's language."""
    french = babel_locale().startswith("fr")
    return (stage.label_fr if french else "") or stage.label


def pipeline_names(object_type) -> dict[str, str]:
    """{pipeline id: name in the user's language}."""
    return pipeline_labels(object_type, french=babel_locale().startswith("fr"))


def owner_names() -> dict[str, str]:
    def load():
        return {
            str(o.pk): (f"{o.first_name} {o.last_name}".strip() or o.email)
            for o in owner_model().objects.all()
        }

    return cached("owner_names", load)


def option_label(defn, value: str) -> str:
    if defn.options_source == "owners":
        return owner_names().get(str(value), str(value))
    if defn.options_source == "stages":
        stage = stages(defn.object_type).get(value)
        return stage_label(stage) if stage else value
    if defn.options_source == "pipelines":
        return pipeline_names(defn.object_type).get(value, value)
    french = babel_locale().startswith("fr")
    for option in defn.options:
        if option["value"] == value:
            return (option.get("label_fr") if french else None) or option["label"]
    return value


def _number(value) -> str:
    return babel_numbers.format_decimal(Decimal(str(value)), locale=babel_locale())


def format_amount(value, currency: str) -> str:
    return babel_numbers.format_currency(Decimal(str(value)), currency, locale=babel_locale())


def format_value(defn, value, *, tz: str = "UTC", currency: str = "EUR") -> str:
    """Display form of a canonical value ("" when empty)."""
    if value is None or value == "":
        return ""
    kind = defn.type
    if kind == PropertyType.ENUMERATION:
        if defn.is_multi:
            return ", ".join(option_label(defn, v) for v in str(value).split(";"))
        return option_label(defn, str(value))
    if kind == PropertyType.BOOL:
        return _("Yes") if value in (True, "true") else _("No")
    if kind == PropertyType.NUMBER:
        if defn.show_currency_symbol:
            return format_amount(value, currency)
        if defn.name == "hs_deal_stage_probability":
            return babel_numbers.format_percent(Decimal(str(value)), locale=babel_locale())
        return _number(value)
    if kind == PropertyType.DATE:
        return babel_dates.format_date(
            dt.date.fromisoformat(str(value)), "medium", locale=babel_locale()
        )
    if kind == PropertyType.DATETIME:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        local = moment.astimezone(zoneinfo.ZoneInfo(tz))
        if defn.name in DATE_ONLY:
            return babel_dates.format_date(local.date(), "medium", locale=babel_locale())
        return babel_dates.format_datetime(local, "medium", locale=babel_locale())
    return str(value)


def format_datetime_short(moment: dt.datetime, tz: str = "UTC") -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    return babel_dates.format_datetime(local, "short", locale=babel_locale())


def format_date(moment, tz: str = "UTC") -> str:
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(zoneinfo.ZoneInfo(tz)).date()
    return babel_dates.format_date(moment, "medium", locale=babel_locale())
