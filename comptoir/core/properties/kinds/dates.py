"""Calendar dates (`YYYY-MM-DD`) and instants (fixed-width UTC `...T...Z` strings, datetime
columns), shown in the reader's time zone."""

import datetime as dt
import zoneinfo

from babel import dates as babel_dates
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.inputs import parse_int
from comptoir.core.properties.cells import parse_date_cell
from comptoir.core.properties.coercion import format_datetime, parse_date, parse_instant
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.kinds.base import OPERATOR_LABELS, FilterContext, PropertyKind

# Datetime properties people think of as days (HubSpot shows a deal's close date as a date).
DATE_ONLY = {"closedate"}

# Days as people type them in filters, per language: (import cell order, babel pattern,
# example, placeholder); ISO dates are understood in every language.
DAY_FORMATS = {
    "fr": ("DAY_MONTH_YEAR", "dd/MM/yyyy", "31/12/2026", "jj/mm/aaaa"),
    "en": ("MONTH_DAY_YEAR", "MM/dd/yyyy", "12/31/2026", "mm/dd/yyyy"),
}
MAX_DAYS_AGO = 36_500


def format_moment(local: dt.datetime, locale) -> str:
    """One way to show a date and time everywhere (record cards, timeline, tasks): the
    medium date and the short time, without seconds: “4 déc. 2026 à 14:30”."""
    day = babel_dates.format_date(local.date(), "medium", locale=locale)
    time = babel_dates.format_time(local.time(), "short", locale=locale)
    return _("%(day)s, %(time)s") % {"day": day, "time": time}


# Rolling ranges (the ROLLING operator's values): "last:7", "before:30" and "after:30" take
# a number of days.
RELATIVE_DATES = {
    "today": _lazy("today"),
    "yesterday": _lazy("yesterday"),
    "this_week": _lazy("this week"),
    "this_month": _lazy("this month"),
    "last:7": _lazy("in the last 7 days"),
    "last:30": _lazy("in the last 30 days"),
    "before": _lazy("more than N days ago"),
    "after": _lazy("less than N days ago"),
}


def _formats(ctx: FilterContext):
    return DAY_FORMATS["fr" if ctx.french else "en"]


def rolling_days(value: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """A rolling range → [first day, day after the last) with None for an open end; raises
    ValueError on a value that is not one."""
    key, _sep, count = str(value).partition(":")
    if key in ("today", "yesterday", "this_week", "this_month") and not count:
        start = {
            "today": today,
            "yesterday": today - dt.timedelta(days=1),
            "this_week": today - dt.timedelta(days=today.weekday()),
            "this_month": today.replace(day=1),
        }[key]
        if key == "this_month":
            end = (start + dt.timedelta(days=32)).replace(day=1)
        elif key == "this_week":
            end = start + dt.timedelta(days=7)
        else:
            end = start + dt.timedelta(days=1)
        return start, end
    days = parse_int(count, 1, MAX_DAYS_AGO) if count.strip() == count else None
    if key not in ("last", "before", "after") or days is None:
        raise ValueError(value)
    if key == "last":  # today and the days before it: 7 days in all
        return today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1)
    if key == "before":
        return None, today - dt.timedelta(days=days)
    return today - dt.timedelta(days=days), None


class DayFilters:
    """Filters on days, shared by dates and date-times: typed in the reader's format
    (01/12/2026 in French), or a rolling range kept relative to today."""

    filter_input = "date"
    filter_operator_codes = (
        "EQ",
        "GT",
        "GTE",
        "LT",
        "LTE",
        "BETWEEN",
        "ROLLING",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
    )
    operator_labels = {
        "EQ": _lazy("is on"),
        "GT": _lazy("is after"),
        "GTE": _lazy("is on or after"),
        "LT": _lazy("is before"),
        "LTE": _lazy("is on or before"),
        "ROLLING": _lazy("is in a period"),
    }

    def parse_filter(self, defn, text, ctx):
        order, _pattern, example, _placeholder = _formats(ctx)
        try:
            day, _time = parse_date_cell(str(text).strip(), order, defn.name)
            return parse_date(day, defn.name).isoformat()
        except PropertyError:
            raise PropertyError(
                defn.name,
                "INVALID_DATE",
                _("“%(value)s” is not a date (like %(example)s).")
                % {"value": text, "example": example},
                text,
            ) from None

    def parse_rolling(self, defn, choice: str, days: str = "") -> str:
        """The period picked (and its number of days, for "before"/"after") → a ROLLING value."""
        value = f"{choice}:{str(days).strip()}" if choice in ("before", "after") else choice
        try:
            rolling_days(value, dt.date.today())
        except ValueError:
            if choice in ("before", "after"):
                message = _("Give a number of days between 1 and %(n)d.") % {"n": MAX_DAYS_AGO}
            else:
                message = _("“%(value)s” is not a period.") % {"value": choice}
            raise PropertyError(defn.name, "INVALID_DATE", message, value) from None
        return value

    def rolling_label(self, value: str) -> str:
        key, _sep, count = str(value).partition(":")
        if key == "before":
            return _("more than %(n)s days ago") % {"n": count}
        if key == "after":
            return _("less than %(n)s days ago") % {"n": count}
        return str(RELATIVE_DATES.get(value, value))

    def rolling_choices(self) -> list[tuple[str, str]]:
        return [(k, str(v)) for k, v in RELATIVE_DATES.items()]

    def day_label(self, day: dt.date, ctx) -> str:
        return babel_dates.format_date(day, _formats(ctx)[1], locale=ctx.locale)

    def filter_label(self, defn, value, ctx) -> str:
        try:
            return self.day_label(dt.date.fromisoformat(str(value)), ctx)
        except ValueError:
            return str(value)

    def describe_filter(self, defn, flt, ctx) -> str:
        if flt.get("operator") == "ROLLING":
            return f"{OPERATOR_LABELS['EQ']} {self.rolling_label(flt.get('value', ''))}"
        return super().describe_filter(defn, flt, ctx)

    def resolve_filter(self, defn, flt, ctx, me):
        if flt.get("operator") != "ROLLING":
            return flt
        today = ctx.today or dt.date.today()
        try:
            start, end = rolling_days(flt.get("value", ""), today)
        except ValueError:
            return flt  # the compiler refuses the unknown operator, naming the property
        return self.range_filter(defn.name, start, end, ctx)

    def range_filter(self, name, start, end, ctx) -> dict:
        """[start, end) in days → one HubSpot filter."""
        raise NotImplementedError


class DateKind(DayFilters, PropertyKind):
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

    def range_filter(self, name, start, end, ctx) -> dict:
        if start is None:
            return {"propertyName": name, "operator": "LT", "value": end.isoformat()}
        if end is None:
            return {"propertyName": name, "operator": "GTE", "value": start.isoformat()}
        last = end - dt.timedelta(days=1)
        return {
            "propertyName": name,
            "operator": "BETWEEN",
            "value": start.isoformat(),
            "highValue": last.isoformat(),
        }

    def import_cell(self, defn, value, cells):
        return parse_date_cell(value, cells.date_format, defn.name)[0].isoformat()

    def iso_text(self, defn, value, tz: str) -> str | None:
        return str(value)  # canonical YYYY-MM-DD already


class DateTimeKind(DayFilters, PropertyKind):
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

    def cell_display(self, defn, value, shown) -> str:
        # A list cell shows the day (a date and a time take 180 px a column: six such
        # columns would not fit 1280 px); the time is in the cell's tooltip.
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        local = moment.astimezone(zoneinfo.ZoneInfo(shown.tz))
        return babel_dates.format_date(local.date(), "medium", locale=shown.locale)

    def filter_text(self, defn, raw, shown) -> str:
        return self.display(defn, parse_instant(raw).isoformat(), shown)

    # A filter typed as a day stays a day (`YYYY-MM-DD`) in links and saved views; the
    # query reads it as that day in the report time zone: "after 01/12/2026" is after the
    # end of that day, "on 01/12/2026" between its first and last millisecond.

    def _millis(self, day: dt.date, tz: str) -> int:
        start = dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(tz))
        return int(start.timestamp() * 1000)

    def range_filter(self, name, start, end, ctx) -> dict:
        if start is None:
            return {"propertyName": name, "operator": "LT", "value": self._millis(end, ctx.tz)}
        if end is None:
            return {"propertyName": name, "operator": "GTE", "value": self._millis(start, ctx.tz)}
        return {
            "propertyName": name,
            "operator": "BETWEEN",
            "value": self._millis(start, ctx.tz),
            "highValue": self._millis(end, ctx.tz) - 1,
        }

    def resolve_filter(self, defn, flt, ctx, me):
        flt = super().resolve_filter(defn, flt, ctx, me)
        op = flt.get("operator")
        days = {}
        for key in ("value", "highValue"):
            try:
                days[key] = dt.date.fromisoformat(flt[key]) if len(flt[key]) == 10 else None
            except (KeyError, TypeError, ValueError):
                days[key] = None
        low = days["value"]
        if low is None:
            return flt
        one = dt.timedelta(days=1)
        if op == "EQ":
            return self.range_filter(defn.name, low, low + one, ctx)
        if op == "BETWEEN" and days["highValue"] is not None:
            return self.range_filter(defn.name, low, days["highValue"] + one, ctx)
        start, end = self._millis(low, ctx.tz), self._millis(low + one, ctx.tz) - 1
        moment = {"GT": end, "LTE": end, "GTE": start, "LT": start}.get(op)
        return flt if moment is None else {**flt, "value": moment}

    def filter_label(self, defn, value, ctx) -> str:
        if isinstance(value, str) and len(value) == 10:
            return super().filter_label(defn, value, ctx)
        try:
            moment = parse_instant(value).astimezone(zoneinfo.ZoneInfo(ctx.tz))
        except PropertyError:
            return str(value)
        if moment.time() in (dt.time(), dt.time(23, 59, 59, 999000)):
            return self.day_label(moment.date(), ctx)
        day = self.day_label(moment.date(), ctx)
        return f"{day} {babel_dates.format_time(moment, 'short', locale=ctx.locale)}"

    def iso_text(self, defn, value, tz: str) -> str | None:
        """The instant in `tz`, with its offset (2027-01-01T00:30:00+01:00)."""
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        return moment.astimezone(zoneinfo.ZoneInfo(tz)).isoformat(timespec="seconds")

    def import_cell(self, defn, value, cells):
        date, time = parse_date_cell(value, cells.date_format, defn.name)
        return dt.datetime.combine(date, time or dt.time(), tzinfo=dt.UTC).isoformat()
