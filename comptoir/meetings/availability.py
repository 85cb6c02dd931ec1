"""When a host can be booked (TOOL-7): the link's working hours in the host's time zone,
minus what keeps the host busy (CRM meetings they own, confirmed bookings; later their own
calendar), each widened by the link's buffers, from the minimum notice to the horizon.

Everything is computed in UTC from local wall-clock windows, so a day when clocks change
gives its real hours (a 9:00-17:00 day is 8 hours long either side of the change).

A team link's times (`link_slots`) come from each member's: a round robin offers a time
while one member is free (their union), a group link when every member is (their
intersection)."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from comptoir.core.properties import registry
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import base_queryset, read_value
from comptoir.core.search.compiler import compile_filter_groups
from comptoir.meetings.models import WEEKDAYS, Booking, MeetingLink

UTC = dt.UTC
INCREMENT = dt.timedelta(minutes=15)  # HubSpot's default "start time increment"
NOT_HAPPENING = ("CANCELED", "RESCHEDULED")  # meeting outcomes that keep nobody busy


@dataclass(frozen=True)
class Interval:
    start: dt.datetime
    end: dt.datetime

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _local(day: dt.date, clock: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A wall-clock time of `day` as an aware UTC instant (a time the clocks skip moves on)."""
    naive = dt.datetime.combine(day, clock)
    return naive.replace(tzinfo=tz).astimezone(UTC)


def windows(link: MeetingLink, day: dt.date) -> list[Interval]:
    """The link's working hours on `day` (the host's calendar day)."""
    tz = zoneinfo.ZoneInfo(link.time_zone)
    out = []
    for start, end in link.hours.get(WEEKDAYS[day.weekday()], []):
        begin = _local(day, _clock(start), tz)
        finish = (
            _local(day, _clock(end), tz)
            if end != "24:00"
            else _local(day + dt.timedelta(days=1), dt.time(0), tz)
        )
        if finish > begin:
            out.append(Interval(begin, finish))
    return out


def busy(link: MeetingLink, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """What keeps the host busy between `start` and `end`: confirmed bookings and the CRM
    meetings they own (whoever logged them), but for those canceled or rescheduled."""
    found = [
        Interval(b.start, b.end)
        for b in Booking.objects.filter(
            host=link.user, status=Booking.CONFIRMED, start__lt=end, end__gt=start
        )
    ]
    owner = getattr(link.user, "owner", None)
    if owner is not None:
        groups = [
            {
                "filters": [
                    {"propertyName": "hubspot_owner_id", "operator": "EQ", "value": str(owner.pk)},
                    {"propertyName": "hs_meeting_start_time", "operator": "LT",
                     "value": format_datetime(end)},
                    {"propertyName": "hs_meeting_end_time", "operator": "GT",
                     "value": format_datetime(start)},
                ]
            }
        ]  # fmt: skip
        meetings = base_queryset("meetings").filter(compile_filter_groups("meetings", groups))
        defs = registry.definitions("meetings")
        for meeting in meetings:
            if read_value(meeting, defs["hs_meeting_outcome"]) in NOT_HAPPENING:
                continue
            begin = _instant(read_value(meeting, defs["hs_meeting_start_time"]))
            finish = _instant(read_value(meeting, defs["hs_meeting_end_time"]))
            if begin and finish and finish > begin:
                found.append(Interval(begin, finish))
    return found


def _instant(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def slots(
    link: MeetingLink, first_day: dt.date, days: int, *, now: dt.datetime, extra_busy=()
) -> dict[dt.date, list[dt.datetime]]:
    """{host's day: [free start times, UTC]} for `days` days from `first_day`."""
    duration = dt.timedelta(minutes=link.duration_minutes)
    before = dt.timedelta(minutes=link.buffer_before_minutes)
    after = dt.timedelta(minutes=link.buffer_after_minutes)
    earliest = now + dt.timedelta(minutes=link.minimum_notice_minutes)
    latest = now + dt.timedelta(days=link.horizon_days)
    day_windows = {
        first_day + dt.timedelta(days=n): windows(link, first_day + dt.timedelta(days=n))
        for n in range(days)
    }
    all_windows = [w for ws in day_windows.values() for w in ws]
    if not all_windows:
        return {day: [] for day in day_windows}
    span_start = min(w.start for w in all_windows) - before
    span_end = max(w.end for w in all_windows) + after
    taken = [*busy(link, span_start - duration, span_end + duration), *extra_busy]
    result = {}
    for day, ws in day_windows.items():
        free = []
        for window in ws:
            start = window.start
            while start + duration <= window.end:
                padded = Interval(start - before, start + duration + after)
                if earliest <= start <= latest and not any(padded.overlaps(b) for b in taken):
                    free.append(start)
                start += INCREMENT
        result[day] = free
    return result


def is_free(link: MeetingLink, start: dt.datetime, *, now: dt.datetime, extra_busy=()) -> bool:
    """Whether `start` is one of the link's free start times (checked again at booking);
    `extra_busy`: the host's calendar's busy times, read before the transaction."""
    tz = zoneinfo.ZoneInfo(link.time_zone)
    day = start.astimezone(tz).date()
    return start in slots(link, day, 1, now=now, extra_busy=extra_busy).get(day, [])


def link_slots(
    link: MeetingLink, first_day: dt.date, days: int, *, now: dt.datetime, busy=None
) -> dict[dt.date, list[dt.datetime]]:
    """{day: [free start times, UTC]} of the link for whoever it books (`link.hosts()`):
    its user's; a round robin's while one member is free; a group's when all of them are.
    `busy`: {user id: the busy times of their own calendar}."""
    busy = busy or {}
    group = link.kind == MeetingLink.GROUP
    found: dict[dt.date, set[dt.datetime]] = {}
    for n, host in enumerate(link.hosts()):
        free = slots(
            link.for_host(host), first_day, days, now=now, extra_busy=busy.get(host.pk, ())
        )
        for day, starts in free.items():
            if n == 0:
                found[day] = set(starts)
            elif group:
                found[day] &= set(starts)
            else:
                found[day] |= set(starts)
    return {day: sorted(starts) for day, starts in found.items()}
