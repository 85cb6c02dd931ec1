"""What the tasks page (UI-6) shows: due-date tabs computed in the portal's report time zone,
filters read from the query string (so a link reproduces the view), and the rows with
what each task is associated with."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from babel import dates as babel_dates
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.associations.models import Association
from comptoir.core.i18n import babel_locale, localised_label, type_label
from comptoir.core.inputs import parse_day, parse_id
from comptoir.core.objects.registry import crm_names, get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import option_label, owner_names
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.savedviews.listing import ListState, and_groups
from comptoir.core.savedviews.table import table_rows
from comptoir.core.search.compiler import compile_filter, compile_filter_groups

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
COMPLETED = "COMPLETED"


def _date(raw: str | None) -> dt.date | None:
    return parse_day(raw)


def day_start(day: dt.date, tz: str) -> dt.datetime:
    """Midnight of `day` in the report time zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(tz))


def local_today(tz: str, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(tz)).date()


# Column headers in the tasks page's own words (“Due date”, not “Activity date”).
LABELS = {
    "hs_task_subject": _("Title"),
    "hs_timestamp": _("Due date"),
    "hs_task_type": _("Type"),
    "hs_task_priority": _("Priority"),
    "hubspot_owner_id": _("Assigned to"),
    "hs_task_status": _("Status"),
    "hs_task_body": _("Notes"),
}
DUE = "hs_timestamp"
SORT_ALIASES = {"due": DUE, "-due": f"-{DUE}"}  # links made before sorting by any column


@dataclass
class TaskListState(ListState):
    """The generic index state (view, filters, search, sort, page, columns) plus the tasks
    page's own: the due-date tab and the fixed filters (owner, status, type, due dates)."""

    tab: str = DEFAULT_TAB
    owner: str = ""  # "", "me", "none" or an owner id
    status: str = ""
    type: str = ""
    due_from: dt.date | None = None
    due_to: dt.date | None = None

    column_labels = LABELS

    def read(self, params, user) -> None:
        self.tab = params.get("tab") if params.get("tab") in TABS else DEFAULT_TAB
        super().read(params, user)
        self.sort = SORT_ALIASES.get(params.get("sort", ""), self.sort)
        defs = registry.definitions("tasks")
        owner = params.get("owner", "")
        self.owner = owner if owner in ("me", "none") or parse_id(owner) else ""
        statuses = {o["value"] for o in defs["hs_task_status"].options}
        types = {o["value"] for o in defs["hs_task_type"].options}
        self.status = params.get("status", "") if params.get("status") in statuses else ""
        self.type = params.get("type", "") if params.get("type") in types else ""
        self.due_from = _date(params.get("due_from"))
        self.due_to = _date(params.get("due_to"))
        if (params.get("due_from") and self.due_from is None) or (
            params.get("due_to") and self.due_to is None
        ):
            self.errors.append(_("A due date filter was not a date and was ignored."))

    def default_sort(self) -> str:
        if self.saved_view and self.saved_view.sort:
            return self.saved_view.sort
        return tab_sort(self.tab)

    # -- links -------------------------------------------------------------------------------

    def param_values(self) -> dict:
        generic = super().param_values()
        return {
            "tab": self.tab,
            "view": generic.pop("view"),
            "owner": self.owner,
            "status": self.status,
            "type": self.type,
            "due_from": self.due_from.isoformat() if self.due_from else "",
            "due_to": self.due_to.isoformat() if self.due_to else "",
            **generic,
        }

    def param_defaults(self, values: dict) -> dict:
        defaults = super().param_defaults(values)
        tab = values.get("tab") or DEFAULT_TAB
        saved = self.saved_view.sort if self.saved_view and self.saved_view.sort else ""
        return {**defaults, "tab": DEFAULT_TAB, "sort": saved or tab_sort(tab)}

    def tab_url(self, tab: str) -> str:
        """Another tab with the same view and filters, in that tab's own order."""
        return self.url(tab=tab, page=1, sort="") or "?"

    def view_url(self, key) -> str:
        """Another view on the same tab: the view brings its own filters."""
        tab = self.tab if self.tab != DEFAULT_TAB else ""
        view = str(key) if str(key) != "all" else ""
        query = urlencode({k: v for k, v in (("tab", tab), ("view", view)) if v})
        return f"?{query}" if query else ""

    @property
    def task_filtered(self) -> bool:
        return bool(self.owner or self.status or self.type or self.due_from or self.due_to)

    @property
    def filtered(self) -> bool:
        return super().filtered or self.task_filtered

    # -- what to query -----------------------------------------------------------------------

    def task_filters(self, user, tz: str) -> list[dict]:
        """The fixed filters as search filters: one language for every list and saved view."""
        filters = []
        if self.owner == "none":
            filters.append({"propertyName": "hubspot_owner_id", "operator": "NOT_HAS_PROPERTY"})
        elif self.owner:
            owner = self.owner
            if owner == "me":
                mine = getattr(user, "owner", None)
                owner = str(mine.pk) if mine else "0"
            filters.append({"propertyName": "hubspot_owner_id", "operator": "EQ", "value": owner})
        for name, value in (("hs_task_status", self.status), ("hs_task_type", self.type)):
            if value:
                filters.append({"propertyName": name, "operator": "EQ", "value": value})
        if self.due_from:
            start = _millis(day_start(self.due_from, tz))
            filters.append({"propertyName": DUE, "operator": "GTE", "value": start})
        if self.due_to:
            end = _millis(day_start(self.due_to + dt.timedelta(days=1), tz))
            filters.append({"propertyName": DUE, "operator": "LT", "value": end})
        return [{"filters": filters}] if filters else []

    def saved_filter_groups(self, user) -> list:
        tz = portal().report_time_zone
        return and_groups(super().saved_filter_groups(user), self.task_filters(user, tz))

    def untabbed_queryset(self, user, *, scan: bool = False):
        """Every filter but the tab: what the tab counts count."""
        ot = get_object_type("tasks")
        tz = portal().report_time_zone
        visible = base_queryset(ot, user=user)
        base = visible.filter(compile_filter_groups(ot, self.task_filters(user, tz), scan=scan))
        return super().queryset(user, base, scan=scan)

    def queryset(self, user, base=None, *, scan: bool = False):
        tz = portal().report_time_zone
        return self.untabbed_queryset(user, scan=scan).filter(tab_condition(self.tab, tz))


def tab_sort(tab: str) -> str:
    """Open tabs read soonest first; completed and all tasks, latest first."""
    return f"-{DUE}" if tab in ("completed", "all") else DUE


def _millis(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


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


# -- rows -------------------------------------------------------------------------------------


def associated_records(task_ids, user=None) -> dict[int, list[dict]]:
    """{task id: [{type, label, name, url}]}: one query for the links, one per linked type;
    with a user, only the records that user may see (a name must not leak)."""
    ids = list(task_ids)
    if not ids:
        return {}
    pairs = (
        Association.objects.filter(from_type="tasks", from_id__in=ids, to_type__in=crm_names())
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
        for record in qs.only(*ot.summary_fields):
            names[(to_type, record.pk)] = display_name(ot, record)
    result: dict[int, list[dict]] = defaultdict(list)
    order = {t: i for i, t in enumerate(crm_names())}
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
                "kind": type_label(to_type, plural=False),
            }
        )
    return result


def due_text(moment: dt.datetime, tz: str, today: dt.date) -> str:
    """“Today, 17:00”, “Tomorrow, 09:00”, “Yesterday, …” or the medium date and time."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    time = babel_dates.format_time(local, "short", locale=babel_locale())
    days = (local.date() - today).days
    relative = {0: _("Today"), 1: _("Tomorrow"), -1: _("Yesterday")}.get(days)
    day = relative or babel_dates.format_date(local.date(), "medium", locale=babel_locale())
    return _("%(day)s, %(time)s") % {"day": day, "time": time}


def task_rows(tasks, names=(), user=None, *, now=None) -> list[dict]:
    """The rows of the table: what the fixed cells show (title, associations, and the due
    date, status, priority and owner in the page's own way) and the generic cells of the
    chosen columns."""
    defs = registry.definitions("tasks")
    cells = {
        row["pk"]: row["cells"] for row in table_rows(get_object_type("tasks"), tasks, names, user)
    }
    for row_cells in cells.values():
        for cell in row_cells:
            cell["label"] = LABELS.get(cell["name"]) or localised_label(defs[cell["name"]])
    settings = portal()
    tz = settings.report_time_zone
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
                "cells": cells[task.pk],
            }
        )
    return rows
