"""Dashboard periods (DASH-1), computed in the portal's report time zone.

A period is a half-open interval [start, end) of aware datetimes: a deal closing at
23:30 on the last day of a quarter, local time, is inside that quarter. Weeks start on
Monday, as in French calendars (and ISO 8601)."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERIODS = {
    "today": _("Today"),
    "this_week": _("This week"),
    "this_month": _("This month"),
    "this_quarter": _("This quarter"),
    "this_year": _("This year"),
    "last_month": _("Last month"),
    "last_quarter": _("Last quarter"),
    "custom": _("Custom range"),
}
DEFAULT_PERIOD = "this_month"
MAX_CUSTOM_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    key: str
    first_day: dt.date  # local dates, both included
    last_day: dt.date
    tz: str

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.first_day, self.tz)

    @property
    def end(self) -> dt.datetime:
        """Midnight after the last day: the interval is [start, end)."""
        return local_midnight(self.last_day + dt.timedelta(days=1), self.tz)

    def weeks(self) -> list[dt.date]:
        """The Mondays of the weeks the period touches."""
        monday = self.first_day - dt.timedelta(days=self.first_day.weekday())
        weeks = []
        while monday <= self.last_day:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
        return weeks


def local_midnight(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(tz))


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after day's month (day is a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_for(
    key: str,
    tz: str,
    *,
    now: dt.datetime | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Period:
    """The period `key` around `now`; "custom" uses first/last (local dates, included)."""
    today = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(tz)).date()
    one_day = dt.timedelta(days=1)
    if key == "custom":
        if first is None or last is None:
            raise ValueError("a custom range needs a first and a last day")
        return Period(key, first, last, tz)
    if key == "today":
        return Period(key, today, today, tz)
    if key == "this_week":
        monday = today - dt.timedelta(days=today.weekday())
        return Period(key, monday, monday + dt.timedelta(days=6), tz)
    month = today.replace(day=1)
    if key == "this_month":
        return Period(key, month, _add_months(month, 1) - one_day, tz)
    if key == "last_month":
        return Period(key, _add_months(month, -1), month - one_day, tz)
    quarter = _quarter_start(today)
    if key == "this_quarter":
        return Period(key, quarter, _add_months(quarter, 3) - one_day, tz)
    if key == "last_quarter":
        return Period(key, _add_months(quarter, -3), quarter - one_day, tz)
    if key == "this_year":
        return Period(key, dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), tz)
    raise ValueError(f"unknown period {key!r}")
