"""Calendar dates (`YYYY-MM-DD`) and instants (fixed-width UTC `...T...Z` strings, datetime
columns), shown in the reader's time zone."""

import datetime as dt
import zoneinfo

from babel import dates as babel_dates
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.properties.cells import parse_date_cell
from comptoir.core.properties.coercion import format_datetime, parse_date, parse_instant
from comptoir.core.properties.kinds.base import PropertyKind

# Datetime properties people think of as days (HubSpot shows a deal's close date as a date).
DATE_ONLY = {"closedate"}


def format_moment(local: dt.datetime, locale) -> str:
    """One way to show a date and time everywhere (record cards, timeline, tasks): the
    medium date and the short time, without seconds: “4 déc. 2026 à 14:30”."""
    day = babel_dates.format_date(local.date(), "medium", locale=locale)
    time = babel_dates.format_time(local.time(), "short", locale=locale)
    return _("%(day)s, %(time)s") % {"day": day, "time": time}


class DateKind(PropertyKind):
    name = "date"
    field_types = frozenset({"date"})
    settings_choices = (("date", _lazy("Date picker"), "date"),)
    widget_name = "date"

    def coerce(self, defn, raw, option_values=None):
        # HubSpot stores a date as midnight UTC and refuses any other time of day.
        return parse_date(raw, defn.name, midnight=True).isoformat()

    def filter_value(self, defn, raw, *, column: bool):
        return parse_date(raw, defn.name).isoformat()

    def display(self, defn, value, shown) -> str:
        return babel_dates.format_date(
            dt.date.fromisoformat(str(value)), "medium", locale=shown.locale
        )

    def import_cell(self, defn, value, cells):
        return parse_date_cell(value, cells.date_format, defn.name)[0].isoformat()

    def iso_text(self, defn, value, tz: str) -> str | None:
        return str(value)  # canonical YYYY-MM-DD already


class DateTimeKind(PropertyKind):
    name = "datetime"
    field_types = frozenset({"date"})
    settings_choices = (("datetime", _lazy("Date and time"), "date"),)
    widget_name = "datetime-local"

    def coerce(self, defn, raw, option_values=None):
        return format_datetime(parse_instant(raw, defn.name))

    def to_column(self, defn, value):
        return None if value is None else dt.datetime.fromisoformat(value)

    def filter_value(self, defn, raw, *, column: bool):
        instant = parse_instant(raw, defn.name)
        return instant if column else format_datetime(instant)

    def widget(self, defn) -> str:
        # A close date is a day: a date picker, as on HubSpot.
        return "date" if defn.name in DATE_ONLY else self.widget_name

    def input_value(self, defn, canonical, tz: str) -> str:
        moment = dt.datetime.fromisoformat(str(canonical)).astimezone(zoneinfo.ZoneInfo(tz))
        if defn.name in DATE_ONLY:
            return moment.strftime("%Y-%m-%d")
        return moment.strftime("%Y-%m-%dT%H:%M")

    def submitted(self, defn, text: str, tz: str):
        try:
            naive = dt.datetime.fromisoformat(text)
        except ValueError:
            return text  # the service names the problem
        if naive.tzinfo is None:
            naive = naive.replace(tzinfo=zoneinfo.ZoneInfo(tz))
        return naive.isoformat()

    def display(self, defn, value, shown) -> str:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        local = moment.astimezone(zoneinfo.ZoneInfo(shown.tz))
        if defn.name in DATE_ONLY:
            return babel_dates.format_date(local.date(), "medium", locale=shown.locale)
        return format_moment(local, shown.locale)

    def filter_text(self, defn, raw, shown) -> str:
        return self.display(defn, parse_instant(raw).isoformat(), shown)

    def iso_text(self, defn, value, tz: str) -> str | None:
        """The instant in `tz`, with its offset (2027-01-01T00:30:00+01:00)."""
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        return moment.astimezone(zoneinfo.ZoneInfo(tz)).isoformat(timespec="seconds")

    def import_cell(self, defn, value, cells):
        date, time = parse_date_cell(value, cells.date_format, defn.name)
        return dt.datetime.combine(date, time or dt.time(), tzinfo=dt.UTC).isoformat()
