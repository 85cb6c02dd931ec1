"""Keeping the dashboard's counters equal to the records: per-day activity counters
(models.ActivityDayCount), per-day deal counters (DealDayCount) and live contacts per owner
(ContactOwnerCount).

The write services describe each activity before and after a write with `snapshot()`
(plain values, no query) and hand both to `changed()`, in the write's transaction; it
adds the difference to the counters of the days concerned. What one counter counts is
decided in `counted()`, the same rules as the dashboard's click-through filters
(figures.activity_groups): calls made, emails sent, meetings held by their activity date,
tasks completed by their completion date, archived ones not at all.

Days are report-time-zone days. The zone is stored beside the counters (CountState); a
portal whose report time zone changed reads its figures live until `rebuild()` cut the
days again (a worker job, the `rebuild_dashboard_counts` command, and migrate).
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection, models, transaction

from comptoir.contacts.models import Contact
from comptoir.core.portal.models import PortalSettings
from comptoir.core.records.observers import WriteObserver
from comptoir.dashboard.models import ActivityDayCount, ContactOwnerCount, CountState, DealDayCount
from comptoir.deals.models import Deal

KINDS = ("calls", "emails", "meetings", "tasks")
# Meetings that did not take place are not "held".
NOT_HELD = ("CANCELED", "NO_SHOW", "RESCHEDULED")
_PROPS = ("hs_email_direction", "hs_meeting_outcome", "hs_task_status", "hs_task_completion_date")


# -- what one activity counts --------------------------------------------------------------------


def snapshot(record) -> tuple | None:
    """What the counters need to know of an activity (None for notes)."""
    kind = record.object_type_name
    if kind not in KINDS:
        return None
    props = record.properties or {}
    return (
        kind,
        record.archived,
        record.hubspot_owner_id,
        record.hs_timestamp,
        *(props.get(name) for name in _PROPS),
    )


def snapshot_values(kind: str, values: dict) -> tuple | None:
    """snapshot() of a new, live activity from its canonical values (bulk creates)."""
    if kind not in KINDS:
        return None
    owner = values.get("hubspot_owner_id")
    return (
        kind,
        False,
        int(owner) if owner not in (None, "") else None,
        values.get("hs_timestamp"),
        *(values.get(name) for name in _PROPS),
    )


def _instant(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def counted(snap: tuple | None, zone) -> tuple | None:
    """(local day, owner id or 0, kind) the activity counts in, or None."""
    if snap is None:
        return None
    kind, archived, owner, when, direction, outcome, status, completed = snap
    if archived:
        return None
    if kind == "tasks":
        if status != "COMPLETED":
            return None
        when = completed
    elif (kind == "emails" and direction != "EMAIL") or (
        kind == "meetings" and outcome in NOT_HELD
    ):
        return None  # emails received, meetings that did not take place
    when = _instant(when)
    if when is None:
        return None
    return when.astimezone(zone).date(), owner or 0, kind


# -- the write side ------------------------------------------------------------------------------


def kept_zone() -> str | None:
    """The zone the counters are kept in (None: not kept). On PostgreSQL the state row is
    read FOR SHARE: a rebuild running meanwhile (FOR UPDATE) is waited for, so a write
    lands either in what it recounts or after it, never in between."""
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT time_zone FROM dashboard_countstate WHERE id = 1{lock}")
        row = cursor.fetchone()
    return row[0] if row and row[0] else None


def changed(before: list, after: list) -> None:
    """Activities went from the `before` snapshots to the `after` ones (None: did not
    exist, or not an activity that counts): add the difference to the counters."""
    if not any(before) and not any(after):
        return  # notes: no query at all
    zone_name = kept_zone()
    if zone_name is None:
        return
    zone = zoneinfo.ZoneInfo(zone_name)
    deltas: dict = defaultdict(lambda: [0, 0, 0, 0])
    for snaps, sign in ((before, -1), (after, 1)):
        for snap in snaps:
            key = counted(snap, zone)
            if key is not None:
                day, owner, kind = key
                deltas[(day, owner)][KINDS.index(kind)] += sign
    _add(deltas)


def _add(deltas: dict) -> None:
    rows = [
        (day.isoformat(), owner, *counts) for (day, owner), counts in deltas.items() if any(counts)
    ]
    _add_to("dashboard_activitydaycount", ("day", "owner_id"), KINDS, rows)


def _add_to(table: str, keys: tuple, counters: tuple, rows: list) -> None:
    """Add each row's counters to the row of the same keys, creating it at zero first:
    rows = [(*keys, *counters)]."""
    if not rows:
        return
    columns = ", ".join((*keys, *counters))
    marks = ", ".join(["%s"] * (len(keys) + len(counters)))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}",
            rows,
        )


# -- recounting from the activities --------------------------------------------------------------


def recount(zone_name: str) -> dict:
    """{(day, owner id or 0): [calls, emails, meetings, tasks]} recomputed from the live
    activities in one grouped query: what the counters must equal (rebuilds, tests)."""
    kind_sql = (
        "(object_type_name = 'calls' AND hs_timestamp IS NOT NULL)"
        " OR (object_type_name = 'emails' AND hs_timestamp IS NOT NULL AND {dir} = 'EMAIL')"
        " OR (object_type_name = 'meetings' AND hs_timestamp IS NOT NULL"
        " AND COALESCE({outcome}, '') NOT IN ('CANCELED', 'NO_SHOW', 'RESCHEDULED'))"
        " OR (object_type_name = 'tasks' AND {status} = 'COMPLETED' AND {done} IS NOT NULL)"
    )
    if connection.vendor == "postgresql":

        def prop(name):
            return f"(properties ->> '{name}')"

        day = (
            f"((CASE WHEN object_type_name = 'tasks' THEN {prop('hs_task_completion_date')}"
            "::timestamptz ELSE hs_timestamp END) AT TIME ZONE %s)::date"
        )
        params = [zone_name]
        archived = "archived = false"
    else:

        def prop(name):
            return f"json_extract(properties, '$.{name}')"

        column_offset, json_offset = _sqlite_offsets(zone_name)
        day = (
            f"CASE WHEN object_type_name = 'tasks' THEN "
            f"date({prop('hs_task_completion_date')}, {json_offset}) "
            f"ELSE date(hs_timestamp, {column_offset}) END"
        )
        params = []
        archived = "archived = 0"
    where = kind_sql.format(
        dir=prop("hs_email_direction"),
        outcome=prop("hs_meeting_outcome"),
        status=prop("hs_task_status"),
        done=prop("hs_task_completion_date"),
    )
    sql = (
        f"SELECT {day} AS d, COALESCE(hubspot_owner_id, 0), object_type_name, COUNT(*) "
        f"FROM activities_activity WHERE {archived} AND ({where}) GROUP BY 1, 2, 3"
    )
    result: dict = defaultdict(lambda: [0, 0, 0, 0])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for day_value, owner, kind, n in cursor.fetchall():
            if isinstance(day_value, str):
                day_value = dt.date.fromisoformat(day_value)
            result[(day_value, owner)][KINDS.index(kind)] += n
    return dict(result)


def _sqlite_offsets(zone_name: str) -> tuple[str, str]:
    """SQLite has no time zones: the zone's UTC offset as a CASE over its transitions
    within the activities' dates, once for the timestamp column's text form and once for
    the canonical form of the JSON properties ("2026-03-29T01:00:00.000Z")."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(hs_timestamp), MAX(hs_timestamp), "
            "MIN(json_extract(properties, '$.hs_task_completion_date')), "
            "MAX(json_extract(properties, '$.hs_task_completion_date')) "
            "FROM activities_activity"
        )
        found = [_parse_sqlite(v) for v in cursor.fetchone() if v]
    zone = zoneinfo.ZoneInfo(zone_name)
    now = dt.datetime.now(dt.UTC)
    segments = _transitions(zone, min(found, default=now), max(found, default=now))

    def case(fmt):
        parts = [
            f"WHEN {{x}} < '{start.strftime(fmt)}' THEN '{previous:+d} minutes'"
            for start, previous in segments[1:]
        ]
        return f"CASE {' '.join(parts)} ELSE '{segments[-1][1]:+d} minutes' END"

    return (
        case("%Y-%m-%d %H:%M:%S").replace("{x}", "hs_timestamp"),
        case("%Y-%m-%dT%H:%M:%S.000Z").replace(
            "{x}", "json_extract(properties, '$.hs_task_completion_date')"
        ),
    )


def _parse_sqlite(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _minutes(zone, instant: dt.datetime) -> int:
    return int(instant.astimezone(zone).utcoffset().total_seconds() // 60)


def _transitions(zone, low: dt.datetime, high: dt.datetime) -> list[tuple]:
    """[(start, offset minutes before start)...]: the first entry is (low, offset at low);
    each next one a UTC instant where the offset changes, with the offset before it.
    Found day by day, then to the second by bisection."""
    low = low.replace(microsecond=0) - dt.timedelta(days=1)
    high = high + dt.timedelta(days=1)
    segments = [(low, _minutes(zone, low))]
    current = _minutes(zone, low)
    t = low
    while t < high:
        step = t + dt.timedelta(days=1)
        if _minutes(zone, step) != current:
            a, b = t, step
            while b - a > dt.timedelta(seconds=1):
                mid = a + (b - a) / 2
                mid = mid.replace(microsecond=0)
                if _minutes(zone, mid) == current:
                    a = mid
                else:
                    b = mid
            segments.append((b, current))
            current = _minutes(zone, b)
        t = step
    segments.append((high, current))  # sentinel: the offset after the last transition
    return segments


def rebuild(zone_name: str | None = None, *, deals: bool = True) -> int:
    """Recount every day counter (activities and deals) in the report time zone (or
    `zone_name`); returns the number of activity rows. Holds the state row FOR UPDATE:
    writers wait (see kept_zone). `deals=False`: for the migration that predates them."""
    with transaction.atomic():
        CountState.objects.get_or_create(pk=1)
        state = CountState.objects.select_for_update().get(pk=1)
        if zone_name is None:
            settings = PortalSettings.objects.filter(pk=1).first() or PortalSettings()
            zone_name = settings.report_time_zone
        ActivityDayCount.objects.all().delete()
        rows = [
            ActivityDayCount(day=day, owner_id=owner, **dict(zip(KINDS, counts, strict=True)))
            for (day, owner), counts in recount(zone_name).items()
        ]
        ActivityDayCount.objects.bulk_create(rows, batch_size=2000)
        if deals:
            _rebuild_deals(zone_name)
        state.time_zone = zone_name
        state.save(update_fields=["time_zone"])
    return len(rows)


def stored() -> dict:
    """The counters as recount() gives them (zero rows left out): for the tests."""
    return {
        (r.day, r.owner_id): [r.calls, r.emails, r.meetings, r.tasks]
        for r in ActivityDayCount.objects.all()
        if any((r.calls, r.emails, r.meetings, r.tasks))
    }


# -- contacts per owner --------------------------------------------------------------------------


def contact_snapshot(record) -> tuple:
    return (record.archived, record.hubspot_owner_id)


def contacts_changed(before: list, after: list) -> None:
    """Contacts went from the `before` snapshots to the `after` ones (None: did not exist)."""
    deltas: dict = defaultdict(int)
    for snaps, sign in ((before, -1), (after, 1)):
        for snap in snaps:
            if snap is not None and not snap[0]:
                deltas[snap[1] or 0] += sign
    rows = [(owner, n) for owner, n in deltas.items() if n]
    _add_to("dashboard_contactownercount", ("owner_id",), ("contacts",), rows)


def contact_recount() -> dict:
    """{owner id or 0: live contacts} from the contacts (rebuilds, tests)."""
    rows = (
        Contact.objects.filter(archived=False)
        .order_by()
        .values_list("hubspot_owner_id")
        .annotate(n=models.Count("pk"))
    )
    return {owner or 0: n for owner, n in rows}


def rebuild_contacts() -> None:
    with transaction.atomic():
        ContactOwnerCount.objects.all().delete()
        ContactOwnerCount.objects.bulk_create(
            ContactOwnerCount(owner_id=owner, contacts=n) for owner, n in contact_recount().items()
        )


def contacts_stored() -> dict:
    return {r.owner_id: r.contacts for r in ContactOwnerCount.objects.filter(contacts__gt=0)}


# -- deals per day -------------------------------------------------------------------------------

_CENT = Decimal("0.01")


def _cents(amount) -> int:
    """A deal amount as stored (2 decimal places, Django's rounding) in cents."""
    if amount in (None, ""):
        return 0
    return int(Decimal(str(amount)).quantize(_CENT, rounding=ROUND_HALF_EVEN) * 100)


def deal_snapshot(record) -> tuple:
    return (
        record.archived,
        record.pipeline,
        record.dealstage,
        record.hubspot_owner_id,
        record.closedate,
        record.created_at,
        record.amount,
    )


def deal_snapshot_values(values: dict, created_at) -> tuple:
    """deal_snapshot() of a new, live deal from its canonical values (bulk creates)."""
    owner = values.get("hubspot_owner_id")
    return (
        False,
        values.get("pipeline"),
        values.get("dealstage"),
        int(owner) if owner not in (None, "") else None,
        values.get("closedate"),
        created_at,
        values.get("amount"),
    )


def deal_counted(snap: tuple | None, zone) -> list:
    """[(counter key, (closing, closing cents, created))] a deal adds to: the day and the
    month rows of its close date and of its creation date (archived deals count nowhere).
    A key is (pipeline, month?, day, stage, owner or 0)."""
    if snap is None or snap[0]:
        return []
    _archived, pipeline, stage, owner, close, created, amount = snap
    counted = []
    for when, values in ((close, (1, _cents(amount), 0)), (created, (0, 0, 1))):
        when = _instant(when)
        if when is None:
            continue
        day = when.astimezone(zone).date()
        for month, row_day in ((False, day), (True, day.replace(day=1))):
            counted.append(((pipeline or "", month, row_day, stage or "", owner or 0), values))
    return counted


def _deal_totals(snaps_and_signs, zone) -> dict:
    totals: dict = defaultdict(lambda: [0, 0, 0])
    for snap, sign in snaps_and_signs:
        for key, values in deal_counted(snap, zone):
            row = totals[key]
            for i, value in enumerate(values):
                row[i] += sign * value
    return totals


def deals_changed(before: list, after: list) -> None:
    """Deals went from the `before` snapshots to the `after` ones (None: did not exist)."""
    zone_name = kept_zone()
    if zone_name is None:
        return
    pairs = [(s, -1) for s in before] + [(s, 1) for s in after]
    rows = [
        (pipeline, month, day.isoformat(), stage, owner, *values)
        for (pipeline, month, day, stage, owner), values in _deal_totals(
            pairs, zoneinfo.ZoneInfo(zone_name)
        ).items()
        if any(values)
    ]
    _add_to(
        "dashboard_dealdaycount",
        ("pipeline", "month", "day", "dealstage", "owner_id"),
        ("closing", "closing_cents", "created"),
        rows,
    )


def deal_recount(zone_name: str) -> dict:
    """{(pipeline, month?, day, stage, owner or 0): [closing, cents, created]} from the deals
    (rebuilds, tests): 200,000 deals take a couple of seconds."""
    fields = (
        "archived",
        "pipeline",
        "dealstage",
        "hubspot_owner_id",
        "closedate",
        "created_at",
        "amount",
    )
    snaps = Deal.objects.filter(archived=False).order_by().values_list(*fields).iterator(5000)
    totals = _deal_totals(((snap, 1) for snap in snaps), zoneinfo.ZoneInfo(zone_name))
    return {key: values for key, values in totals.items() if any(values)}


def _rebuild_deals(zone_name: str) -> None:
    DealDayCount.objects.all().delete()
    DealDayCount.objects.bulk_create(
        (
            DealDayCount(
                pipeline=pipeline,
                month=month,
                day=day,
                dealstage=stage,
                owner_id=owner,
                closing=closing,
                closing_cents=cents,
                created=created,
            )
            for (pipeline, month, day, stage, owner), (closing, cents, created) in deal_recount(
                zone_name
            ).items()
        ),
        batch_size=2000,
    )


def deals_stored() -> dict:
    return {
        (r.pipeline, r.month, r.day, r.dealstage, r.owner_id): [
            r.closing,
            r.closing_cents,
            r.created,
        ]
        for r in DealDayCount.objects.all()
        if any((r.closing, r.closing_cents, r.created))
    }


# -- what the write services call ----------------------------------------------------------------


def counted_type(ot) -> bool:
    return (ot.is_activity and ot.name in KINDS) or ot.name in ("contacts", "deals")


def snap(ot, record) -> tuple | None:
    """The counted state of a record of any type (None: the type is not counted)."""
    if ot.is_activity:
        return snapshot(record)
    if ot.name == "contacts":
        return contact_snapshot(record)
    if ot.name == "deals":
        return deal_snapshot(record)
    return None


def snap_values(ot, values: dict, created_at) -> tuple | None:
    """snap() of a new record from its canonical values (bulk creates)."""
    if ot.name == "deals":
        return deal_snapshot_values(values, created_at)
    if ot.is_activity:
        return snapshot_values(ot.name, values)
    if ot.name == "contacts":
        owner = values.get("hubspot_owner_id")
        return (False, int(owner) if owner not in (None, "") else None)
    return None


def apply(ot, before: list, after: list) -> None:
    """Records of `ot` went from `before` to `after` (snap() values, None: did not exist)."""
    if ot.is_activity:
        changed(before, after)
    elif ot.name == "contacts":
        contacts_changed(before, after)
    elif ot.name == "deals":
        deals_changed(before, after)


class DayCounters(WriteObserver):
    """Keeps the counters up to date with every write (registered in apps.py)."""

    name = "dashboard.counts"
    follows_state = True

    def watches(self, ot) -> bool:
        return counted_type(ot)

    def note(self, ot, record):
        return snap(ot, record)

    def written(self, ot, changes, source) -> None:
        before = [c.before[self.name] for c in changes if c.before is not None]
        after = [
            snap(ot, c.record) if c.record is not None else snap_values(ot, c.values, c.at)
            for c in changes
            if not c.left
        ]
        apply(ot, before, after)
