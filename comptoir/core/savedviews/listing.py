"""What an index page shows, read from the query string (so a link reproduces it):
which view, which filters, which sort, which page, which columns (UI-1)."""

import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.inputs import parse_id, whole_number
from comptoir.core.objects.registry import ObjectType
from comptoir.core.permissions import view_q
from comptoir.core.properties import registry
from comptoir.core.properties.index_requests import used_properties
from comptoir.core.records.values import base_queryset
from comptoir.core.savedviews.models import SavedView
from comptoir.core.savedviews.prefs import builtin_columns
from comptoir.core.savedviews.relative import me_value, resolve
from comptoir.core.search import totals
from comptoir.core.search.compiler import (
    SearchError,
    apply_query,
    compile_filter_groups,
    order_by,
    scan_worthwhile,
    scanned_page,
    sort_from_index,
    sorted_rows,
)

PAGE_SIZES = (25, 50, 100)
COUNT_CAP = 10_000
MAX_OFFSET = 10_000


def name_column(ot) -> str | None:
    """The name column of a type with pages: always first, it links to the record."""
    return ot.pages.name_property if ot.pages else None


def type_default_sort(ot) -> str | None:
    return ot.pages.default_sort if ot.pages else None


@dataclass(frozen=True)
class BuiltinView:
    key: str
    label: object
    filter_groups: object  # callable(user) -> filterGroups


def _mine(user):
    value = me_value(user)
    return [{"filters": [{"propertyName": "hubspot_owner_id", "operator": "EQ", "value": value}]}]


def _recent(user):
    since = timezone.now() - dt.timedelta(days=7)
    return [
        {
            "filters": [
                {
                    "propertyName": "__created__",
                    "operator": "GTE",
                    "value": int(since.timestamp() * 1000),
                }
            ]
        }
    ]


BUILTIN_VIEWS = {
    "all": BuiltinView("all", _("All"), lambda user: []),
    "mine": BuiltinView("mine", _("My records"), _mine),
    "unassigned": BuiltinView(
        "unassigned",
        _("Unassigned"),
        lambda user: [
            {"filters": [{"propertyName": "hubspot_owner_id", "operator": "NOT_HAS_PROPERTY"}]}
        ],
    ),
    "recent": BuiltinView("recent", _("Recently created"), _recent),
}


def _resolve_created(ot, groups):
    """Built-in views name the creation date generically; each type calls it its own way."""
    for group in groups:
        for flt in group["filters"]:
            if flt["propertyName"] == "__created__":
                flt["propertyName"] = ot.created_property
    return groups


@dataclass
class ListState:
    ot: ObjectType
    view_key: str = "all"
    saved_view: SavedView | None = None
    query: str = ""
    filter_groups: list = field(default_factory=list)  # added on top of the view's
    sort: str = ""
    page: int = 1
    per_page: int = 25
    errors: list = field(default_factory=list)

    # Headers that differ from the property's label on this page.
    column_labels = {"associatedcompanyid": _("Primary company")}

    @classmethod
    def from_request(cls, request, ot: ObjectType) -> "ListState":
        return cls.from_params(request.GET, request.user, ot)

    @classmethod
    def from_params(cls, params, user, ot: ObjectType) -> "ListState":
        state = cls(ot=ot)
        state.read(params, user)
        return state

    def read(self, params, user) -> None:
        ot = self.ot
        key = params.get("view") or "all"
        if parse_id(key) is not None:
            self.saved_view = visible_views(user, ot).filter(pk=parse_id(key)).first()
            if self.saved_view is None:
                self.errors.append(_("That view no longer exists; showing all records."))
                key = "all"
        elif key not in BUILTIN_VIEWS:
            key = "all"
        self.view_key = key
        self.query = params.get("q", "").strip()[:200]
        raw_filters = params.get("filters")
        if raw_filters:
            try:
                groups = json.loads(raw_filters)
                compile_filter_groups(ot, resolve(ot, groups, user))
                self.filter_groups = groups
            except (ValueError, SearchError) as exc:
                self.errors.append(
                    _("The filters could not be applied: %(error)s") % {"error": exc}
                )
        self.sort = params.get("sort") or self.default_sort()
        if self.sort.lstrip("-") not in registry.definitions(ot):
            self.sort = type_default_sort(ot) or "-" + ot.created_property
        self.per_page, self.page = paging(params)

    def default_sort(self) -> str:
        if self.saved_view and self.saved_view.sort:
            return self.saved_view.sort
        return type_default_sort(self.ot) or "-createdate"

    # -- what to query ---------------------------------------------------------------------

    def view_filter_groups(self, user) -> list:
        if self.saved_view is not None:
            return list(self.saved_view.filter_groups)
        return _resolve_created(self.ot, BUILTIN_VIEWS[self.view_key].filter_groups(user))

    def queryset(self, user, base=None, *, scan: bool = False):
        """The records shown; `scan` when a sorted page should walk the sort index."""
        qs = base if base is not None else base_queryset(self.ot, user=user)
        view_groups = resolve(self.ot, self.view_filter_groups(user), user)
        qs = qs.filter(compile_filter_groups(self.ot, view_groups, scan=scan))
        if self.filter_groups:
            added = resolve(self.ot, self.filter_groups, user)
            qs = qs.filter(compile_filter_groups(self.ot, added, scan=scan))
        query = self.query or (self.saved_view.query if self.saved_view else "")
        return apply_query(qs, self.ot, query, scan=scan)

    def bounded_count(self, user, qs) -> tuple[int, bool]:
        """(count, capped) of `qs`, this state's records for `user`, never counting more
        than COUNT_CAP rows; a lone negative filter ("does not contain") is counted from its
        positive's index and the kept live count (core/search/totals.py)."""
        groups = resolve(self.ot, self.view_filter_groups(user), user)
        if self.filter_groups:
            groups = and_groups(groups, resolve(self.ot, self.filter_groups, user))
        base = base_queryset(self.ot, user=user)

        def narrowed(flts: list):
            return base.filter(compile_filter_groups(self.ot, [{"filters": flts}]))

        return totals.bounded(
            self.ot,
            filter_groups=groups,
            query=self.query or (self.saved_view.query if self.saved_view else ""),
            whole=view_q(user, self.ot) is None,
            counted=qs,
            narrowed=narrowed,
            cap=COUNT_CAP,
        )

    def saved_filter_groups(self, user) -> list:
        """What a view saved from this page keeps: the view's filters and the added ones."""
        return and_groups(self.view_filter_groups(user), self.filter_groups)

    def used_properties(self, user) -> list[tuple[str, str]]:
        """The properties this page filters and sorts on (core/properties/index_requests)."""
        return used_properties(self.saved_filter_groups(user), sorts=self.sort)

    @property
    def filtered(self) -> bool:
        return bool(self.filter_groups or self.query or self.view_key != "all" or self.saved_view)

    def columns(self, user) -> list[str]:
        defs = registry.definitions(self.ot)
        chosen = None
        if self.saved_view is not None and self.saved_view.columns:
            chosen = self.saved_view.columns
        else:
            chosen = builtin_columns(user, self.ot, self.view_key)
        default = list(self.ot.pages.list_columns) if self.ot.pages else []
        names = [c for c in (chosen or default) if c in defs]
        return [c for c in names if c != name_column(self.ot)]

    # -- links -------------------------------------------------------------------------------

    def param_values(self) -> dict:
        return {
            "view": str(self.saved_view.pk) if self.saved_view else self.view_key,
            "q": self.query,
            "filters": json.dumps(self.filter_groups, separators=(",", ":"))
            if self.filter_groups
            else "",
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
        }

    def param_defaults(self, values: dict) -> dict:
        """Values left out of links, so that a plain link shows the plain page."""
        return {
            "view": "all",
            "q": "",
            "filters": "",
            "page": 1,
            "per_page": 25,
            "sort": type_default_sort(self.ot),
        }

    def params(self, **changes) -> dict:
        values = self.param_values()
        values.update(changes)
        defaults = self.param_defaults(values)
        return {k: v for k, v in values.items() if v not in (None, "") and defaults.get(k) != v}

    def url(self, **changes) -> str:
        query = urlencode(self.params(**changes))
        return f"?{query}" if query else ""

    def sort_url(self, name: str) -> str:
        descending = self.sort == name
        return self.url(sort=f"-{name}" if descending else name, page=1)

    def view_url(self, key) -> str:
        """The link to one view (a built-in key or a saved view's id), its own filters only."""
        return f"?view={key}" if str(key) != "all" else ""


def list_state(request, ot: ObjectType) -> ListState:
    """Index pages with state of their own (the tasks page's due-date tabs) name their
    class in their type's `list_state`."""
    if ot.list_state is not None:
        return ot.list_state(request, ot)
    return ListState.from_request(request, ot)


def and_groups(first: list, second: list) -> list:
    """(A or B) and (C or D) → (A and C) or (A and D) or (B and C) or (B and D)."""
    if not first:
        return second
    if not second:
        return first
    return [{"filters": a["filters"] + b["filters"]} for a in first for b in second]


def paging(params) -> tuple[int, int]:
    """(per page, page) from a query string: a page size we offer, and a page number that
    stays within MAX_OFFSET rows (deep pages are reached by filtering, not by paging)."""
    per_page = whole_number(params.get("per_page", 25))
    if per_page not in PAGE_SIZES:
        per_page = 25
    page = max(1, whole_number(params.get("page", 1)) or 1)
    return per_page, min(page, MAX_OFFSET // per_page)


def visible_views(user, ot):
    """The user's own saved views and those teammates shared."""
    return SavedView.objects.filter(object_type=ot.name).filter(Q(owner=user) | Q(shared=True))


def bounded_count(qs) -> tuple[int, bool]:
    """(count, capped): never counts more than COUNT_CAP rows on a page view."""
    count = qs.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def page_of(state: ListState, qs, user=None, count: int = 0, capped: bool = False):
    """One page of rows. A filter matching many rows is checked row by row while walking
    the sort index (SQLite would otherwise fetch every match and sort them all), within a
    window (compiler.scanned_page) past which its matches are read through its index."""
    ordering = order_by(state.ot, [state.sort])
    offset = (state.page - 1) * state.per_page
    rows = None
    stop = offset + state.per_page + 1
    if user is not None and state.filtered and scan_worthwhile(count, True):
        base = base_queryset(state.ot, user=user)
        scan = state.queryset(user, scan=True)
        rows = scanned_page(
            state.ot, scan, base, ordering, offset, state.per_page, count, exact=not capped
        )
        if rows is None:  # matches bunched far along the order: through their index
            unindexed = order_by(state.ot, None, from_index=False, ordering=ordering)
            rows = sorted_rows(qs, unindexed, offset, stop)
    elif state.filtered and not sort_from_index(count):
        unindexed = order_by(state.ot, [state.sort], from_index=False)
        rows = sorted_rows(qs, unindexed, offset, stop)
    if rows is None:
        rows = list(qs.order_by(*ordering)[offset : offset + state.per_page + 1])
    return rows[: state.per_page], len(rows) > state.per_page
