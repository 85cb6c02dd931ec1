"""What the tasks page (UI-6) shows: due-date tabs computed in the portal's report time zone,
filters read from the query string (so a link reproduces the view), and the rows with
what each task is associated with."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from babel import dates as babel_dates
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.associations.models import Association
from comptoir.core.objects.registry import get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.search.compiler import apply_query, compile_filter
from comptoir.core.ui.formatting import babel_locale, option_label, owner_names
from comptoir.core.ui.listing import paging

TABS = {
    "today": _("Due today"),
    "overdue": _("Overdue"),
    "upcoming": _("Upcoming"),
    "completed": _("Completed"),
    "all": _("All"),
}
DEFAULT_TAB = "today"
COUNTED_TABS = ("today", "overdue", "upcoming")
COUNT_CAP = 1000
ASSOCIATED_TYPES = ("contacts", "companies", "deals")
ASSOCIATED_FIELDS = {
    "contacts": ("pk", "firstname", "lastname", "email"),
    "companies": ("pk", "name", "domain"),
    "deals": ("pk", "dealname"),
}
COMPLETED = "COMPLETED"


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def day_start(day: dt.date, tz: str) -> dt.datetime:
    """Midnight of `day` in the report time zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(tz))


def local_today(tz: str, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(tz)).date()


@dataclass
class TaskQuery:
    tab: str = DEFAULT_TAB
    owner: str = ""  # "", "me", "none" or an owner id
    status: str = ""
    type: str = ""
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    q: str = ""
    sort: str = ""  # "due" or "-due"; "" = the tab's default
    page: int = 1
    per_page: int = 25
    errors: list = field(default_factory=list)

    @classmethod
    def from_request(cls, request) -> "TaskQuery":
        params = request.GET
        query = cls()
        query.tab = params.get("tab") if params.get("tab") in TABS else DEFAULT_TAB
        defs = registry.definitions("tasks")
        owner = params.get("owner", "")
        query.owner = owner if owner in ("me", "none") or owner.isdigit() else ""
        statuses = {o["value"] for o in defs["hs_task_status"].options}
        types = {o["value"] for o in defs["hs_task_type"].options}
        query.status = params.get("status", "") if params.get("status") in statuses else ""
        query.type = params.get("type", "") if params.get("type") in types else ""
        query.due_from = _date(params.get("due_from"))
        query.due_to = _date(params.get("due_to"))
        if (params.get("due_from") and query.due_from is None) or (
            params.get("due_to") and query.due_to is None
        ):
            query.errors.append(_("A due date filter was not a date and was ignored."))
        query.q = params.get("q", "").strip()[:200]
        query.sort = params.get("sort", "") if params.get("sort") in ("due", "-due") else ""
        query.per_page, query.page = paging(params)
        return query

    # -- links -------------------------------------------------------------------------------

    def params(self, **changes) -> dict:
        values = {
            "tab": self.tab,
            "owner": self.owner,
            "status": self.status,
            "type": self.type,
            "due_from": self.due_from.isoformat() if self.due_from else "",
            "due_to": self.due_to.isoformat() if self.due_to else "",
            "q": self.q,
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
        }
        values.update(changes)
        defaults = {"tab": DEFAULT_TAB, "page": 1, "per_page": 25}
        return {k: v for k, v in values.items() if v not in (None, "") and defaults.get(k) != v}

    def url(self, **changes) -> str:
        query = urlencode(self.params(**changes))
        return f"?{query}" if query else "?"

    @property
    def filtered(self) -> bool:
        return bool(
            self.owner or self.status or self.type or self.due_from or self.due_to or self.q
        )

    @property
    def effective_sort(self) -> str:
        return self.sort or ("-due" if self.tab in ("completed", "all") else "due")

    def sort_url(self) -> str:
        return self.url(sort="due" if self.effective_sort == "-due" else "-due", page=1)

    # -- what to query -----------------------------------------------------------------------

    def owner_id(self, user) -> int | None:
        if self.owner == "me":
            owner = getattr(user, "owner", None)
            return owner.pk if owner else 0
        return int(self.owner) if self.owner.isdigit() else None

    def filters(self, user, tz: str) -> Q:
        """Every filter but the tab."""
        ot = get_object_type("tasks")
        condition = Q()
        if self.owner == "none":
            condition &= Q(hubspot_owner_id__isnull=True)
        elif self.owner:
            condition &= Q(hubspot_owner_id=self.owner_id(user))
        if self.status:
            condition &= compile_filter(
                ot, {"propertyName": "hs_task_status", "operator": "EQ", "value": self.status}
            )
        if self.type:
            condition &= compile_filter(
                ot, {"propertyName": "hs_task_type", "operator": "EQ", "value": self.type}
            )
        if self.due_from:
            condition &= Q(hs_timestamp__gte=day_start(self.due_from, tz))
        if self.due_to:
            condition &= Q(hs_timestamp__lt=day_start(self.due_to + dt.timedelta(days=1), tz))
        return condition

    def base(self, user, tz: str):
        ot = get_object_type("tasks")
        visible = base_queryset(ot, user=user)
        return apply_query(visible.filter(self.filters(user, tz)), ot, self.q)


def tab_condition(tab: str, tz: str, now: dt.datetime | None = None) -> Q:
    """Tasks of one tab; days begin at midnight in the report time zone."""
    ot = get_object_type("tasks")
    today = local_today(tz, now)
    start = day_start(today, tz)
    end = day_start(today + dt.timedelta(days=1), tz)
    done = compile_filter(
        ot, {"propertyName": "hs_task_status", "operator": "EQ", "value": COMPLETED}
    )
    if tab == "completed":
        return done
    if tab == "all":
        return Q()
    open_ = compile_filter(
        ot, {"propertyName": "hs_task_status", "operator": "NEQ", "value": COMPLETED}
    )
    if tab == "today":
        return open_ & Q(hs_timestamp__gte=start, hs_timestamp__lt=end)
    if tab == "overdue":
        return open_ & Q(hs_timestamp__lt=start)
    return open_ & Q(hs_timestamp__gte=end)


def tab_of(due: dt.datetime, tz: str, now: dt.datetime | None = None) -> str:
    """The open tab a task due at `due` belongs to."""
    today = local_today(tz, now)
    if due < day_start(today, tz):
        return "overdue"
    return "today" if due < day_start(today + dt.timedelta(days=1), tz) else "upcoming"


def tab_counts(base, tz: str) -> dict[str, tuple[int, bool]]:
    """{tab: (count, capped)} for the open tabs, each bounded by COUNT_CAP."""
    counts = {}
    for tab in COUNTED_TABS:
        n = base.filter(tab_condition(tab, tz)).order_by()[: COUNT_CAP + 1].count()
        counts[tab] = (min(n, COUNT_CAP), n > COUNT_CAP)
    return counts


def page_of(query: TaskQuery, qs):
    descending = query.effective_sort.startswith("-")
    ordering = ["-hs_timestamp", "-pk"] if descending else ["hs_timestamp", "pk"]
    offset = (query.page - 1) * query.per_page
    rows = list(qs.order_by(*ordering)[offset : offset + query.per_page + 1])
    return rows[: query.per_page], len(rows) > query.per_page


# -- rows -------------------------------------------------------------------------------------


def associated_records(task_ids, user=None) -> dict[int, list[dict]]:
    """{task id: [{type, label, name, url}]}: one query for the links, one per linked type;
    with a user, only the records that user may see (a name must not leak)."""
    ids = list(task_ids)
    if not ids:
        return {}
    pairs = (
        Association.objects.filter(from_type="tasks", from_id__in=ids, to_type__in=ASSOCIATED_TYPES)
        .values_list("from_id", "to_type", "to_id")
        .distinct()
    )
    by_type: dict[str, set[int]] = defaultdict(set)
    links = []
    for task_id, to_type, to_id in pairs:
        by_type[to_type].add(to_id)
        links.append((task_id, to_type, to_id))
    names = {}
    for to_type, to_ids in by_type.items():
        ot = get_object_type(to_type)
        qs = base_queryset(ot, user=user).filter(pk__in=to_ids)
        for record in qs.only(*ASSOCIATED_FIELDS[to_type]):
            names[(to_type, record.pk)] = display_name(ot, record)
    result: dict[int, list[dict]] = defaultdict(list)
    order = {t: i for i, t in enumerate(ASSOCIATED_TYPES)}
    for task_id, to_type, to_id in sorted(links, key=lambda x: (order[x[1]], x[2])):
        name = names.get((to_type, to_id))
        if name is None:
            continue  # archived meanwhile, or not the user's to see
        result[task_id].append(
            {
                "type": to_type,
                "id": to_id,
                "name": name,
                "url": reverse(f"{to_type}:detail", args=[to_id]),
                "kind": type_label(to_type),
            }
        )
    return result


def type_label(object_type: str) -> str:
    ot = get_object_type(object_type)
    return ot.singular_label_fr if babel_locale().startswith("fr") else ot.singular_label


def due_text(moment: dt.datetime, tz: str, today: dt.date) -> str:
    """“Today, 17:00”, “Tomorrow, 09:00”, “Yesterday, …” or the medium date and time."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    time = babel_dates.format_time(local, "short", locale=babel_locale())
    days = (local.date() - today).days
    relative = {0: _("Today"), 1: _("Tomorrow"), -1: _("Yesterday")}.get(days)
    day = relative or babel_dates.format_date(local.date(), "medium", locale=babel_locale())
    return _("%(day)s, %(time)s") % {"day": day, "time": time}


def task_rows(tasks, *, user=None, now=None) -> list[dict]:
    settings = portal()
    tz = settings.report_time_zone
    defs = registry.definitions("tasks")
    owners = owner_names()
    links = associated_records((t.pk for t in tasks), user)
    today_start = day_start(local_today(tz, now), tz)
    rows = []
    for task in tasks:
        status = read_value(task, defs["hs_task_status"]) or "NOT_STARTED"
        done = status == COMPLETED
        due = task.hs_timestamp
        priority = read_value(task, defs["hs_task_priority"])
        kind = read_value(task, defs["hs_task_type"])
        rows.append(
            {
                "pk": task.pk,
                "subject": read_value(task, defs["hs_task_subject"]) or _("(untitled task)"),
                "done": done,
                "status": status,
                "status_label": option_label(defs["hs_task_status"], status),
                "priority": priority or "",
                "priority_label": option_label(defs["hs_task_priority"], priority)
                if priority and priority != "NONE"
                else "",
                "type_label": option_label(defs["hs_task_type"], kind) if kind else "",
                "due": due_text(due, tz, today_start.date()) if due else "",
                "due_iso": due.isoformat() if due else "",
                "overdue": bool(due and not done and due < today_start),
                "owner": owners.get(str(task.hubspot_owner_id), "")
                if task.hubspot_owner_id
                else "",
                "associations": links.get(task.pk, []),
                "detail_url": reverse("tasks:detail", args=[task.pk]),
            }
        )
    return rows
