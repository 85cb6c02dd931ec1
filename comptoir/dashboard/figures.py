"""The dashboard's figures (DASH-2..4), each with the link to exactly the records it counts.

Every figure is a set of records described with the search API's filterGroups; the count
runs `compile_filter_groups` over the user's visible records and the link hands the same
filterGroups to the list page, so what a figure says and what its list shows cannot drift
apart. (Contacts called in the period are the one figure the filters cannot describe: it
links to a dashboard list that recomputes it from the dashboard's own filters.)

Two kinds of figures are read from counters instead, at 1M contacts and 2M activities:
productivity and the weekly chart from per-day activity counters, contacts with an owner
from per-owner contact counters (comptoir.dashboard.counts, kept by the write services and
checked against a recount by the tests); their links are the same filterGroups as ever.
"""

import contextlib
import datetime as dt
import json
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.core.associations.models import Association
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import ALL, owner_id, team_owner_ids, view_scope
from comptoir.core.pipelines.queries import stages
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.properties.formatting import owner_names, stage_label
from comptoir.core.records.values import base_queryset
from comptoir.core.search.compiler import compile_filter_groups
from comptoir.dashboard import counts
from comptoir.dashboard.filters import DashboardFilters
from comptoir.dashboard.models import ActivityDayCount, ContactOwnerCount, CountState, DealDayCount
from comptoir.dashboard.periods import local_midnight

# What each productivity column counts (DASH-3), beyond "owned by the user".
ACTIVITY_KINDS = {
    "calls": _("Calls made"),
    "emails": _("Emails sent"),
    "meetings": _("Meetings held"),
    "tasks": _("Tasks completed"),
}
NOT_HELD = list(counts.NOT_HELD)  # meetings that did not take place are not "held"
# The weekly chart: logged activities by their activity date.
CHARTED_KINDS = ("calls", "emails", "meetings")


def deals_url(groups: list) -> str:
    return reverse("deals:list") + "?" + urlencode({"filters": _json(groups)})


def contacts_url(groups: list) -> str:
    if not groups:
        return reverse("contacts:list")
    return reverse("contacts:list") + "?" + urlencode({"filters": _json(groups)})


def activities_url(kind: str, groups: list) -> str:
    return (
        reverse("dashboard:activities", args=[kind]) + "?" + urlencode({"filters": _json(groups)})
    )


def _json(groups) -> str:
    return json.dumps(groups, separators=(",", ":"))


def matching(object_type, user, groups: list):
    """The records of `groups` that `user` may see: what a figure counts and its list shows."""
    ot = get_object_type(object_type)
    return base_queryset(ot, user=user).filter(compile_filter_groups(ot, groups))


# -- forecast (DASH-2) ---------------------------------------------------------------------------


@dataclass
class StageFigure:
    stage_id: str
    label: str
    probability: Decimal
    is_closed: bool
    is_won: bool
    count: int = 0
    amount: Decimal = Decimal(0)
    url: str = ""

    @property
    def weighted(self) -> Decimal:
        return (self.amount * self.probability).quantize(Decimal("0.01"))


@dataclass
class Forecast:
    stages: list[StageFigure]
    open_amount: Decimal
    open_count: int
    open_url: str
    weighted_amount: Decimal
    won_amount: Decimal
    won_count: int
    won_url: str
    lost_count: int


def deal_groups(filters: DashboardFilters, *extra) -> list:
    """Deals of the pipeline, the owner(s) and the period (by close date)."""
    base = [*filters.pipeline_filter(), *filters.owner_filter(), *filters.range_filter("closedate")]
    return [{"filters": [*base, *extra]}]


def stage_filter(stage_ids: list[str]) -> dict:
    if len(stage_ids) == 1:
        return {"propertyName": "dealstage", "operator": "EQ", "value": stage_ids[0]}
    return {"propertyName": "dealstage", "operator": "IN", "values": stage_ids or ["-"]}


def forecast(filters: DashboardFilters, user) -> Forecast:
    pipeline_stages = [s for s in stages().values() if s.pipeline_id == filters.pipeline]
    # Naming the stages lets the (pipeline, archived, stage, close date) index read one
    # range per stage when counting live; deals in a stage of no pipeline are never shown.
    stage_ids = [s.stage_id for s in pipeline_stages]
    if counts_ready(filters):
        rows = (
            deal_counters(filters, user)
            .filter(dealstage__in=stage_ids)
            .values("dealstage")
            .annotate(n=Sum("closing"), cents=Sum("closing_cents"))
        )
        totals = {r["dealstage"]: (r["n"], Decimal(r["cents"]) / 100) for r in rows if r["n"]}
    else:
        rows = (
            matching("deals", user, deal_groups(filters, stage_filter(stage_ids)))
            .order_by()
            .values("dealstage")
            .annotate(n=Count("*"), total=Sum("amount"))  # COUNT(*): index-only on PG
        )
        totals = {r["dealstage"]: (r["n"], r["total"] or Decimal(0)) for r in rows}
    figures = []
    for s in pipeline_stages:
        count, amount = totals.get(s.stage_id, (0, Decimal(0)))
        figures.append(
            StageFigure(
                stage_id=s.stage_id,
                label=stage_label(s),
                probability=s.probability,
                is_closed=s.is_closed,
                is_won=s.is_won,
                count=count,
                amount=amount,
                url=deals_url(deal_groups(filters, stage_filter([s.stage_id]))),
            )
        )
    open_ = [f for f in figures if not f.is_closed]
    won = [f for f in figures if f.is_won]
    return Forecast(
        stages=figures,
        open_amount=sum((f.amount for f in open_), Decimal(0)),
        open_count=sum(f.count for f in open_),
        open_url=deals_url(deal_groups(filters, stage_filter([f.stage_id for f in open_]))),
        weighted_amount=sum((f.weighted for f in open_), Decimal(0)),
        won_amount=sum((f.amount for f in won), Decimal(0)),
        won_count=sum(f.count for f in won),
        won_url=deals_url(deal_groups(filters, stage_filter([f.stage_id for f in won]))),
        lost_count=sum(f.count for f in figures if f.is_closed and not f.is_won),
    )


# -- productivity (DASH-3) -----------------------------------------------------------------------


UNASSIGNED = 0  # the productivity row of activities with no owner


def activity_groups(kind: str, filters: DashboardFilters, owner: int | None = None) -> list:
    """The activities of one productivity column, for everyone selected or one owner
    (UNASSIGNED: those with no owner). Meetings count once they have happened."""
    if owner == UNASSIGNED:
        owners = [{"propertyName": "hubspot_owner_id", "operator": "NOT_HAS_PROPERTY"}]
    elif owner is not None:
        owners = [{"propertyName": "hubspot_owner_id", "operator": "EQ", "value": str(owner)}]
    else:
        owners = filters.owner_filter()
    if kind == "tasks":
        specific = [
            {"propertyName": "hs_task_status", "operator": "EQ", "value": "COMPLETED"},
            *filters.range_filter("hs_task_completion_date"),
        ]
    else:
        specific = filters.range_filter("hs_timestamp", until_now=kind == "meetings")
        if kind == "emails":
            specific.append(
                {"propertyName": "hs_email_direction", "operator": "EQ", "value": "EMAIL"}
            )
        elif kind == "meetings":
            specific.append(
                {"propertyName": "hs_meeting_outcome", "operator": "NOT_IN", "values": NOT_HELD}
            )
    return [{"filters": [*owners, *specific]}]


@dataclass
class UserRow:
    owner_id: int
    name: str
    counts: dict = field(default_factory=dict)  # kind -> (count, url)

    @property
    def total(self) -> int:
        return sum(count for count, _url in self.counts.values())


@dataclass
class Productivity:
    rows: list[UserRow]
    totals: dict  # kind -> (count, url)
    weekly: dict = field(default_factory=dict)  # (owner id, monday) -> count, charted kinds


def allowed_owners(user, object_type: str = "calls") -> set[int] | None:
    """Owners whose records (activities by default) the user may see (None: everyone's)."""
    scope = view_scope(user, object_type)
    if scope == ALL:
        return None
    if scope == "team":
        return set(team_owner_ids(user))
    mine = owner_id(user)
    return {mine} if mine else set()


def week_buckets(filters: DashboardFilters):
    """(mondays, expression giving each activity's week index).

    Weeks are bucketed with plain comparisons against their local-midnight bounds: exact
    across daylight-saving changes and cheap on both databases (no per-row time zone work)."""
    mondays = filters.period.weeks()
    tz = filters.period.tz
    bucket = Case(
        *[
            When(hs_timestamp__lt=local_midnight(monday + dt.timedelta(days=7), tz), then=i)
            for i, monday in enumerate(mondays)
        ],
        default=None,
        output_field=IntegerField(),
    )
    return mondays, bucket


def productivity(filters: DashboardFilters, user) -> Productivity:
    """Per owner and kind, and per owner and week for the chart: from the day counters
    when they are cut in the report time zone, else from the activities themselves."""
    if counts_ready(filters):
        per_owner, weekly, counted = _counted_productivity(filters, user)
    else:
        per_owner, weekly, counted = _live_productivity(filters, user)
    totals = {
        kind: (counted.get(kind, 0), activities_url(kind, activity_groups(kind, filters)))
        for kind in ACTIVITY_KINDS
    }
    wanted = set(per_owner)
    if filters.owner_ids is not None:
        wanted |= set(filters.owner_ids)
    allowed = allowed_owners(user)
    if allowed is not None:
        wanted &= allowed
    wanted.discard(UNASSIGNED)
    names = owner_names()
    result = [
        _user_row(owner, names.get(str(owner), f"#{owner}"), per_owner, filters) for owner in wanted
    ]
    result.sort(key=lambda r: (-r.total, r.name.lower()))
    # Activities with no owner count in the totals (for who sees everyone's): their row
    # comes last, so that the total is the sum of the rows shown.
    if any(per_owner.get(UNASSIGNED, {}).values()):
        result.append(
            _user_row(UNASSIGNED, pgettext_lazy("activities", "Unassigned"), per_owner, filters)
        )
    return Productivity(rows=result, totals=totals, weekly=dict(weekly))


def _user_row(owner: int, name: str, per_owner: dict, filters: DashboardFilters) -> UserRow:
    row = UserRow(owner, name)
    for kind in ACTIVITY_KINDS:
        count = per_owner.get(owner, {}).get(kind, 0)
        row.counts[kind] = (count, activities_url(kind, activity_groups(kind, filters, owner)))
    return row


def counts_ready(filters: DashboardFilters) -> bool:
    """Are the day counters cut in the report time zone (not being rebuilt after a change)?
    Asked once per page: the filters keep the answer."""
    if filters.counters_ready is None:
        filters.counters_ready = CountState.objects.filter(
            pk=1, time_zone=filters.period.tz
        ).exists()
    return filters.counters_ready


def _whole_months_and_edge_days(period) -> list[tuple[bool, dt.date, dt.date]]:
    """The counter rows that add up to the period, as (month rows?, first day, last day)
    ranges: the month rows of its whole months, the day rows of the days around them."""
    first, last = period.first_day, period.last_day
    start = first if first.day == 1 else _next_month(first)
    months = []
    while _next_month(start) - dt.timedelta(days=1) <= last:
        months.append(start)
        start = _next_month(start)
    if not months:
        return [(False, first, last)]
    ranges = [
        (False, first, months[0] - dt.timedelta(days=1)),
        (True, months[0], months[-1]),
        (False, _next_month(months[-1]), last),
    ]
    return [(month, low, high) for month, low, high in ranges if low <= high]


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def deal_counters(filters: DashboardFilters, user):
    """The per-day deal counters of the period, pipeline and selected owners that `user`
    may see (deals are visible by owner, as the deal lists filter them)."""
    # Each range names the pipeline too, so SQLite reads each as one range of its index.
    pipeline = {"pipeline": filters.pipeline} if filters.pipeline else {}
    ranges = Q()
    for month, low, high in _whole_months_and_edge_days(filters.period):
        ranges |= Q(**pipeline, month=month, day__gte=low, day__lte=high)
    qs = DealDayCount.objects.filter(ranges)
    if filters.owner_ids is not None:
        qs = qs.filter(owner_id__in=filters.owner_ids)
    allowed = allowed_owners(user, "deals")
    if allowed is not None:  # unassigned deals (owner 0) only for who sees everyone's
        qs = qs.filter(owner_id__in=allowed)
    return qs.order_by()


def _week_index(first_monday: dt.date) -> RawSQL:
    if connection.vendor == "postgresql":
        return RawSQL("((day - %s::date) / 7)", [first_monday.isoformat()])
    return RawSQL(
        "CAST((julianday(day) - julianday(%s)) / 7 AS INTEGER)", [first_monday.isoformat()]
    )


def _counted_productivity(filters: DashboardFilters, user):
    """What _live_productivity counts, summed from the day counters in one query (rows per
    owner and day): a period is a range of whole report-time-zone days."""
    period = filters.period
    mondays = period.weeks()
    qs = ActivityDayCount.objects.filter(day__gte=period.first_day, day__lte=period.last_day)
    if filters.owner_ids is not None:
        qs = qs.filter(owner_id__in=filters.owner_ids)
    allowed = allowed_owners(user)
    if allowed is not None:  # unassigned activities (owner 0) only for who sees everyone's
        qs = qs.filter(owner_id__in=allowed)
    # A day's counter holds its meetings whatever their hour: the counters give the days
    # before today, the meetings themselves today's (and later days') held by now.
    today = filters.moment().astimezone(zoneinfo.ZoneInfo(period.tz)).date()
    sums = {
        f"n_{kind}": Sum(Case(When(day__lt=today, then="meetings"), default=0))
        if kind == "meetings"
        else Sum(kind)
        for kind in ACTIVITY_KINDS
    }
    rows = (
        qs.order_by()
        .annotate(week=_week_index(mondays[0]))
        .values_list("owner_id", "week")
        .annotate(**sums)
    )
    per_owner: dict[int, dict[str, int]] = defaultdict(dict)
    weekly: dict = defaultdict(int)
    totals: dict = defaultdict(int)
    for owner, week, *sums in rows:
        by_kind = dict(zip(ACTIVITY_KINDS, sums, strict=True))
        _add(per_owner, weekly, totals, owner or UNASSIGNED, mondays[week], by_kind)
    if today <= period.last_day:
        held_today = _meetings_held_since(max(today, period.first_day), filters, user)
        for owner, n in held_today:
            monday = today - dt.timedelta(days=today.weekday())
            _add(per_owner, weekly, totals, owner or UNASSIGNED, monday, {"meetings": n})
    return per_owner, weekly, totals


def _add(per_owner, weekly, totals, owner: int, monday: dt.date, by_kind: dict) -> None:
    for kind, n in by_kind.items():
        totals[kind] += n
        if n:
            per_owner[owner][kind] = per_owner[owner].get(kind, 0) + n
    charted = sum(n for kind, n in by_kind.items() if kind in CHARTED_KINDS)
    if owner != UNASSIGNED and monday is not None and charted:  # team members' weeks only
        weekly[(owner, monday)] += charted


def _meetings_held_since(day: dt.date, filters: DashboardFilters, user):
    """(owner id, count) of the meetings held from `day` (local midnight) until now."""
    groups = activity_groups("meetings", filters)
    start = format_datetime(local_midnight(day, filters.period.tz))
    for condition in groups[0]["filters"]:
        if condition["propertyName"] == "hs_timestamp" and condition["operator"] == "GTE":
            condition["value"] = start
    qs = matching("meetings", user, groups).order_by()
    return qs.values_list("hubspot_owner_id").annotate(n=Count("pk"))


def _live_productivity(filters: DashboardFilters, user):
    """Per owner and kind from the activities, with one query per kind; the charted kinds
    are grouped by week too, so the weekly chart costs no query of its own."""
    mondays, bucket = week_buckets(filters)
    per_owner: dict[int, dict[str, int]] = defaultdict(dict)
    weekly: dict = defaultdict(int)
    totals = {}
    for kind in ACTIVITY_KINDS:
        qs = matching(kind, user, activity_groups(kind, filters)).order_by()
        if kind in CHARTED_KINDS:
            rows = (
                qs.annotate(week=bucket)
                .values_list("hubspot_owner_id", "week")
                .annotate(n=Count("pk"))
            )
        else:
            rows = (
                (owner, None, n)
                for owner, n in qs.values_list("hubspot_owner_id").annotate(n=Count("pk"))
            )
        totals[kind] = 0
        for owner, week, n in rows:
            monday = mondays[week] if week is not None else None
            _add(per_owner, weekly, totals, owner or UNASSIGNED, monday, {kind: n})
    return per_owner, weekly, totals


def weekly_activity(filters: DashboardFilters, user) -> dict:
    """{(owner id, monday date): count} of calls, emails sent and meetings held."""
    return productivity(filters, user).weekly


# -- pipeline (DASH-4) ---------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    count: int
    url: str
    percent: float | None = None
    note: str = ""
    capped: bool = False  # counted up to COUNT_CAP: "10,000+"


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def contact_counts(filters: DashboardFilters, user) -> tuple[int, int]:
    """(contacts the user may see, those of them owned by the selected owners, or by anyone
    when everyone is selected): what the contacts list counts, read from the per-owner
    counters the contact services keep (a few rows instead of a million contacts)."""
    allowed = allowed_owners(user, "contacts")  # unassigned ones (0) only with everyone's
    rows = {
        owner: n
        for owner, n in ContactOwnerCount.objects.values_list("owner_id", "contacts")
        if allowed is None or owner in allowed
    }
    wanted = filters.owner_ids
    owned = sum(n for owner, n in rows.items() if owner and (wanted is None or owner in wanted))
    return sum(rows.values()), owned


def called_contacts(filters: DashboardFilters, user):
    """Contacts associated with a call made in the period (by the selected owners)."""
    calls = matching("calls", user, activity_groups("calls", filters)).values("pk")
    linked = Association.objects.filter(
        from_type="calls", from_id__in=calls, to_type="contacts"
    ).values("to_id")
    return base_queryset("contacts", user=user).filter(pk__in=linked)


COUNT_CAP = 10_000
LINKS_PER_FETCH = 2_000


def called_count(filters: DashboardFilters, user, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(contacts called, capped): the distinct visible contacts linked to the period's calls,
    counted up to `cap` ("10,000+", as the lists say).

    One query joins the calls (read in the (type, archived, time, owner) index) to their
    links and contacts (primary key lookups); its rows are streamed (a server-side cursor on
    PostgreSQL) and collected until `cap + 1` distinct contacts are seen, so a busy period
    stops after about `cap` links, however many calls it holds and however often the same
    contacts were called."""
    calls_sql, calls_params = (
        matching("calls", user, activity_groups("calls", filters)).values("pk").query
    ).sql_with_params()
    contacts_sql, contacts_params = (
        base_queryset("contacts", user=user).values("pk").query.sql_with_params()
    )
    link = "x.from_type = 'calls' AND x.from_id = k.pk AND x.to_type = 'contacts'"
    if connection.vendor == "postgresql":
        # OFFSET 0 keeps the links a per-call index lookup: joined plainly, PostgreSQL may hash
        # every call's links (440k) before the first row comes out.
        links = (
            f"SELECT x.to_id FROM ({calls_sql}) k CROSS JOIN LATERAL "
            f"(SELECT x.to_id FROM core_association x WHERE {link} OFFSET 0) x "
            f"JOIN ({contacts_sql}) c ON c.pk = x.to_id"
        )
    else:
        links = (
            f"SELECT x.to_id FROM ({calls_sql}) k JOIN core_association x ON {link} "
            f"JOIN ({contacts_sql}) c ON c.pk = x.to_id"
        )
    seen: set[int] = set()
    # A transaction keeps PostgreSQL's cursor lazy (WITH HOLD would run the query to the end).
    with transaction.atomic(savepoint=False), _without_jit(), connection.chunked_cursor() as cursor:
        cursor.execute(links, [*calls_params, *contacts_params])
        while len(seen) <= cap:
            rows = cursor.fetchmany(LINKS_PER_FETCH)
            if not rows:
                return len(seen), False
            seen.update(row[0] for row in rows)
    return cap, True


@contextlib.contextmanager
def _without_jit():
    """PostgreSQL's cost estimate counts every call of a long period: JIT would compile for
    ~170 ms a plan that stops after a few thousand index lookups. The setting is put back
    after, as the caller's transaction may go on."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as c:
        # The CTE's row is read before set_config runs on it: the value from before.
        c.execute(
            "WITH b AS MATERIALIZED (SELECT current_setting('jit') AS v) "
            "SELECT v, set_config('jit', 'off', true) FROM b"
        )
        before, _ = c.fetchone()
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute("SELECT set_config('jit', %s, true)", [before])


def pipeline_figures(filters: DashboardFilters, user, fc: Forecast) -> list[Figure]:
    owned_groups = (
        [{"filters": filters.owner_filter()}]
        if filters.owner_ids is not None
        else [{"filters": [{"propertyName": "hubspot_owner_id", "operator": "HAS_PROPERTY"}]}]
    )
    total, owned = contact_counts(filters, user)
    called, called_capped = called_count(filters, user)
    created_groups = [
        {
            "filters": [
                *filters.pipeline_filter(),
                *filters.owner_filter(),
                *filters.range_filter("createdate"),
            ]
        }
    ]
    if counts_ready(filters):
        created = deal_counters(filters, user).aggregate(n=Sum("created"))["n"] or 0
    else:
        created = matching("deals", user, created_groups).count()
    closed = fc.won_count + fc.lost_count
    return [
        Figure(
            str(_("Contacts with an owner")),
            owned,
            contacts_url(owned_groups),
            _percent(owned, total),
            str(_("of all contacts")),
        ),
        Figure(
            str(_("Contacts called")),
            called,
            reverse("dashboard:contacts_called") + "?" + filters.query(),
            None if called_capped else _percent(called, total),
            str(_("of all contacts")),
            capped=called_capped,
        ),
        Figure(str(_("Deals created")), created, deals_url(created_groups)),
        Figure(
            str(_("Deals closed won")),
            fc.won_count,
            fc.won_url,
            _percent(fc.won_count, closed),
            str(_("of deals closed in the period")),
        ),
    ]
