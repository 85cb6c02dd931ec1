"""Property values as people read them: option labels, owner names, dates, numbers
and amounts in the user's language (UI-7). Used by the pages and by the exports alike, so it
lives below the UI."""

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from comptoir.core.accounts import owner_model
from comptoir.core.i18n import babel_locale, is_french, localised_label
from comptoir.core.pipelines.queries import pipeline_labels, stages
from comptoir.core.properties.kinds.dates import format_moment
from comptoir.core.properties.registry import cached


def stage_label(stage) -> str:
    """A pipeline stage's name in the user's language."""
    return localised_label(stage)


def pipeline_names(object_type) -> dict[str, str]:
    """{pipeline id: name in the user's language}."""
    return pipeline_labels(object_type, french=is_french())


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
    for option in defn.options:
        if option["value"] == value:
            return localised_label(option)
    return value


def format_amount(value, currency: str) -> str:
    return babel_numbers.format_currency(Decimal(str(value)), currency, locale=babel_locale())


@dataclass(frozen=True)
class Shown:
    """How the reader sees values: what property kinds format with (PropertyKind.display)."""

    locale: str
    tz: str = "UTC"
    currency: str = "EUR"
    option_label: Callable = option_label


def shown(*, tz: str = "UTC", currency: str = "EUR") -> Shown:
    return Shown(babel_locale(), tz, currency)


def format_value(defn, value, *, tz: str = "UTC", currency: str = "EUR") -> str:
    """Display form of a canonical value ("" when empty)."""
    if value is None or value == "":
        return ""
    return defn.kind.display(defn, value, shown(tz=tz, currency=currency))


def format_cell(defn, value, *, tz: str = "UTC", currency: str = "EUR") -> tuple[str, str]:
    """(what a list's table cell shows, its tooltip: the full form when it differs, else "")."""
    if value is None or value == "":
        return "", ""
    reader = shown(tz=tz, currency=currency)
    short = defn.kind.cell_display(defn, value, reader)
    full = defn.kind.display(defn, value, reader)
    return short, "" if full == short else full


def format_datetime_short(moment: dt.datetime, tz: str = "UTC") -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    return format_moment(local, babel_locale())


def format_date(moment, tz: str = "UTC") -> str:
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(zoneinfo.ZoneInfo(tz)).date()
    return babel_dates.format_date(moment, "medium", locale=babel_locale())
