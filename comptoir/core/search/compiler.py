"""HubSpot search requests → Django querysets (reference §4).

The one query language of Comptoir: the API's search endpoint, the UI's filters and
saved views all go through `compile_filter_groups` and `search`.

Semantics (documented because the tests check them against a plain-Python evaluator):
* groups are ORed, filters inside a group ANDed; a top-level `filters` list (no group,
  as HubSpot also accepts) is ANDed, and ANDed with the groups when both are sent;
* free text compares case-insensitively, enumerations exactly;
* a multiple-checkbox value `a;b` is the set {a, b}: EQ and IN match when any selected
  value is one of theirs, NEQ and NOT_IN when none is;
* CONTAINS_TOKEN with `*`: the wildcard pattern matches the whole value or, when it holds
  no white space, any white-space separated word of it ("eps*" finds "delta epsilon");
* CONTAINS_TOKEN on a property with a substring index (core/properties/substring_indexes):
  on SQLite the FTS5 trigram table narrows the rows (each `*`-separated part of 3
  characters or more) and the regex decides; PostgreSQL's trigram index serves the regex;
* NEQ, NOT_IN and NOT_CONTAINS_TOKEN also match records without a value;
* empty values sort last in both directions (as HubSpot does); ties break on id.
"""

import re
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import F, Func, Max, Min, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IRegex,
    LessThan,
    LessThanOrEqual,
    Regex,
)

from comptoir.core.associations.models import Association
from comptoir.core.inputs import MAX_ID, parse_int, storable, whole_number
from comptoir.core.objects.registry import ObjectType, UnknownObjectType, get_object_type
from comptoir.core.permissions import view_q
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.expressions import (
    NotIndexed,
    comparable_expression,
)
from comptoir.core.properties.substring_indexes import fts_match
from comptoir.core.records import live_counts
from comptoir.core.records.values import base_queryset
from comptoir.core.search import totals
from comptoir.core.search.fulltext import fts_table
from comptoir.core.search.text import query_tokens

OPERATORS = (
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
)
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_PAGE = 200
MAX_RESULTS = 10_000


class SearchError(ValueError):
    """A search request HubSpot would refuse with 400 VALIDATION_ERROR."""


@dataclass
class SearchResult:
    total: int
    records: list
    next_after: str | None


class IsNullKey(Func):
    template = "(%(expressions)s IS NULL)"
    output_field = models.BooleanField()


# -- values -----------------------------------------------------------------------------------


def _filter_value(defn, raw, *, column: bool):
    """A filter value in the form the stored expression compares against."""
    name = defn.name
    if raw is None:
        raise SearchError(f"Filter on {name} needs a value.")
    try:
        return defn.kind.filter_value(defn, raw, column=column)
    except PropertyError as exc:
        raise SearchError(f"Invalid filter value for {name}: {exc.message}") from None
    except (TypeError, ValueError):
        raise SearchError(f"Invalid filter value for {name}: {raw!r}") from None


def _token_regex(value: str) -> str:
    """CONTAINS_TOKEN: with `*`, a wildcard pattern over the whole value or over one word
    (HubSpot applies it per word: "eps*" finds "delta epsilon"); else a whole-token match."""
    text = value.lower() if value else ""
    if "*" in text:
        parts = [re.escape(part) for part in text.split("*")]
        # (?s): `.` also matches newlines (PostgreSQL's default, not Python's, which SQLite
        # uses); \Z: the very end, where Python's `$` also matches before a final newline.
        whole = r"(?s)\A(?:" + ".*".join(parts) + r")\Z"
        if re.search(r"\s", text):
            return whole
        return whole + r"|(?:\A|\s)(?:" + r"\S*".join(parts) + r")(?:\s|\Z)"
    return r"(^|\W)" + re.escape(text) + r"(\W|$)"


def _multi_regex(values: list[str]) -> str:
    """A multiple-checkbox value (`a;b;c`) holding one of `values` as a whole option."""
    return r"(^|;)(" + "|".join(re.escape(v) for v in values) + r")(;|$)"


# -- filters ----------------------------------------------------------------------------------


def _association_filter(ot: ObjectType, flt: dict) -> Q:
    target = flt["propertyName"].split(".", 1)[1]
    try:
        to_ot = get_object_type(target)
    except UnknownObjectType:
        raise SearchError(f"Unknown object type {target!r} in {flt['propertyName']}.") from None
    operator = flt.get("operator")
    if operator == "EQ":
        ids = [flt.get("value")]
    elif operator == "IN":
        ids = flt.get("values") or []
    else:
        raise SearchError(f"{flt['propertyName']} supports only EQ and IN.")
    ids = [parse_int(i, -MAX_ID, MAX_ID) for i in ids]
    if None in ids:  # not a number, or past any id: the database would fail on it
        raise SearchError(f"{flt['propertyName']} needs record ids.")
    linked = Association.objects.filter(
        from_type=to_ot.name, from_id__in=ids, to_type=ot.name
    ).values("to_id")
    return Q(pk__in=linked)


SCALARS = (str, int, float, bool)


def _check_scalar_values(name: str, flt: dict) -> None:
    """`value`/`highValue` are one string or number and `values` a list of them: an object
    or a list where one value belongs is a client bug, never something to compare with."""
    for key in ("value", "highValue"):
        raw = flt.get(key)
        if raw is not None and not isinstance(raw, SCALARS):
            raise SearchError(
                f"Invalid filter value for {name}: {key} must be a string or a number, "
                f"not {_json_kind(raw)}."
            )
    values = flt.get("values")
    if values is not None and not (
        isinstance(values, list) and all(isinstance(v, SCALARS) for v in values)
    ):
        raise SearchError(
            f"Invalid filter value for {name}: values must be a list of strings or numbers."
        )


def _json_kind(raw) -> str:
    return "an object" if isinstance(raw, dict) else "a list"


def compile_filter(ot: ObjectType, flt: dict, *, scan: bool = False) -> Q:
    if not isinstance(flt, dict):
        raise SearchError("Each filter must be an object.")
    name = flt.get("propertyName")
    operator = flt.get("operator")
    if not isinstance(name, str) or not name:
        raise SearchError("A filter is missing propertyName.")
    if operator not in OPERATORS:
        raise SearchError(
            f"Unknown operator {operator!r} on {name}; use one of {', '.join(OPERATORS)}."
        )
    _check_scalar_values(name, flt)
    if name.startswith("associations."):
        return _association_filter(ot, flt)
    defn = registry.definitions(ot).get(name)
    if defn is None:
        raise SearchError(f'Property "{name}" does not exist on {ot.name}.')
    expr = comparable_expression(ot, defn)
    if scan:
        expr = NotIndexed(expr)
    column = bool(defn.column)
    has_value = ~Q(_isnull(expr))
    missing = Q(_isnull(expr))

    def value(key="value"):
        return _filter_value(defn, flt.get(key), column=column)

    if operator == "HAS_PROPERTY":
        return has_value
    if operator == "NOT_HAS_PROPERTY":
        return missing
    if defn.kind.is_multi(defn) and operator in ("EQ", "NEQ", "IN", "NOT_IN"):
        condition = _multi_filter(defn, expr, flt, operator, column=column)
        return condition | missing if operator in ("NEQ", "NOT_IN") else condition
    if operator == "EQ":
        return Q(Exact(expr, value()))
    if operator == "NEQ":
        return ~Q(Exact(expr, value())) | missing
    if operator == "LT":
        return Q(LessThan(expr, value()))
    if operator == "LTE":
        return Q(LessThanOrEqual(expr, value()))
    if operator == "GT":
        return Q(GreaterThan(expr, value()))
    if operator == "GTE":
        return Q(GreaterThanOrEqual(expr, value()))
    if operator == "BETWEEN":
        if flt.get("highValue") is None:
            raise SearchError(f"BETWEEN on {name} needs value and highValue.")
        return Q(GreaterThanOrEqual(expr, value())) & Q(LessThanOrEqual(expr, value("highValue")))
    if operator in ("IN", "NOT_IN"):
        raw_values = flt.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            raise SearchError(f"{operator} on {name} needs a non-empty values list.")
        values = [_filter_value(defn, v, column=column) for v in raw_values]
        condition = Q(In(expr, values))
        return condition if operator == "IN" else ~condition | missing
    # CONTAINS_TOKEN / NOT_CONTAINS_TOKEN work on the text form of the value.
    raw = flt.get("value")
    if raw is None or str(raw) == "":
        raise SearchError(f"{operator} on {name} needs a value.")
    if not storable(str(raw)):
        raise SearchError(
            f"Invalid filter value for {name}: it contains a character that cannot be stored."
        )
    text_expr = expr
    if not defn.kind.free_text:
        text_expr = Lower(models.functions.Cast(expr, models.TextField()))
    condition = Q(IRegex(text_expr, _token_regex(str(raw))))
    found = _substring_prefilter(ot, defn, str(raw), scan=scan)
    if found is not None:
        prefilter, exact = found
        if operator == "CONTAINS_TOKEN":
            # The index narrows the rows; the regex keeps HubSpot's token semantics.
            return prefilter if exact else prefilter & condition
        if exact:
            return ~prefilter | missing
    return condition if operator == "CONTAINS_TOKEN" else ~condition | missing


def _substring_prefilter(ot: ObjectType, defn, raw: str, *, scan: bool):
    """(condition, exact) from the property's substring index, or None when it has none
    or the value has no part long enough to look up (docs/architecture.md §6).

    SQLite only: the FTS5 trigram table of the property answers `id IN (...)`. On
    PostgreSQL the pg_trgm GIN index serves the regex itself."""
    if connection.vendor != "sqlite" or not defn.substring_index or not defn.kind.free_text:
        return None
    match, exact = fts_match(raw)
    if match is None:
        return None
    fts = defn.substring_index
    rows = RawSQL(f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s', [match])
    condition = Q(In(NotIndexed(F("pk")), rows)) if scan else Q(pk__in=rows)
    return condition, exact


def _multi_filter(defn, expr, flt: dict, operator: str, *, column: bool) -> Q:
    """EQ/IN on a multiple checkbox: any selected option is one of the values (HubSpot
    matches a record holding `a;b` with `EQ a`); NEQ/NOT_IN: none is."""
    name = defn.name
    if operator in ("EQ", "NEQ"):
        raw_values = [flt.get("value")]
    else:
        raw_values = flt.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            raise SearchError(f"{operator} on {name} needs a non-empty values list.")
    # A value naming several options (`a;b`) asks for any of them.
    values = [o for v in raw_values for o in _filter_value(defn, v, column=column).split(";")]
    values = [o for o in values if o]
    if not values:
        raise SearchError(f"{operator} on {name} needs a value.")
    condition = Q(Regex(expr, _multi_regex(values)))
    return condition if operator in ("EQ", "IN") else ~condition


def _isnull(expr):
    from django.db.models.lookups import IsNull

    return IsNull(expr, True)


def compile_filter_groups(object_type, filter_groups, *, filters=None, scan: bool = False) -> Q:
    """OR of ANDed filters; an empty list matches everything.

    `filters`: a top-level list of filters (HubSpot's search accepts one instead of, or
    beside, `filterGroups`): ANDed, and ANDed with the groups' OR.
    `scan`: the filters check rows instead of choosing an index (see NotIndexed); for a
    sorted page when the filters are known to match many rows."""
    ot = get_object_type(object_type)
    if filter_groups is not None and not isinstance(filter_groups, list):
        raise SearchError("filterGroups must be a list.")
    filter_groups = filter_groups or []
    if len(filter_groups) > MAX_GROUPS:
        raise SearchError(
            f"Too many filter groups ({len(filter_groups)}); the maximum is {MAX_GROUPS}."
        )
    total = 0
    combined = Q()
    for group in filter_groups:
        group_filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(group_filters, list):
            raise SearchError("Each filter group needs a filters list.")
        total += len(group_filters)
        combined |= _all_of(ot, group_filters, scan=scan)
    if filters is not None:
        if not isinstance(filters, list):
            raise SearchError("filters must be a list.")
        total += len(filters)
        combined &= _all_of(ot, filters, scan=scan)
    if total > MAX_FILTERS:
        raise SearchError(f"Too many filters ({total}); the maximum is {MAX_FILTERS}.")
    return combined


def _all_of(ot: ObjectType, filters: list, *, scan: bool, limit=MAX_FILTERS_PER_GROUP) -> Q:
    """The AND of `filters`; `limit`: how many a group may hold (None: the totals' own
    conjunctions, which add a positive filter and a has-value one per negative filter)."""
    if limit is not None and len(filters) > limit:
        raise SearchError(
            f"Too many filters in a group ({len(filters)}); the maximum is {MAX_FILTERS_PER_GROUP}."
        )
    condition = Q()
    for flt in filters:
        condition &= compile_filter(ot, flt, scan=scan)
    return condition


# -- full text --------------------------------------------------------------------------------


def apply_query(qs, ot: ObjectType, query: str, *, scan: bool = False):
    """Restrict to records whose searchable text matches every word (as a prefix)."""
    words = query_tokens(query or "")
    if not words:
        return qs
    table = ot.model._meta.db_table
    if connection.vendor == "sqlite":
        fts = fts_table(table)
        match = " ".join(f'"{w}"*' for w in words)
        matches = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [match])
        if scan:
            return qs.filter(In(NotIndexed(F("pk")), matches))
        return qs.filter(pk__in=matches)
    tsquery = " & ".join(f"{w}:*" for w in words)
    return qs.filter(
        RawSQL(
            f'"{table}"."search_vector" @@ to_tsquery(\'simple\', %s)',
            [tsquery],
            output_field=models.BooleanField(),
        )
    )


# -- sorting ----------------------------------------------------------------------------------


def parse_sorts(sorts) -> list[tuple[str, bool]]:
    """[(propertyName, descending)] from strings ("-createdate") or objects."""
    result = []
    for item in sorts or []:
        if isinstance(item, str):
            text = item.strip()
            descending = text.startswith("-")
            name = text.lstrip("-+")
        elif isinstance(item, dict):
            name = item.get("propertyName")
            direction = str(item.get("direction") or "ASCENDING").upper()
            if direction not in ("ASCENDING", "DESCENDING", "ASC", "DESC"):
                raise SearchError(f"Unknown sort direction {direction!r}.")
            descending = direction.startswith("DESC")
        else:
            raise SearchError("Each sort must be a string or an object.")
        if not name:
            raise SearchError("A sort is missing propertyName.")
        result.append((name, descending))
    return result


def order_by(object_type, sorts, *, from_index: bool = True, ordering=None) -> list:
    """ORDER BY expressions for one sort (HubSpot honours only the first), then id.

    `from_index=False` (SQLite): the same order, written so that the planner cannot read it
    from an index (`+x`): a filter matching few rows is then answered from its own index and
    its matches sorted, rather than by walking the whole sort index (or the table in id
    order) checking each row, which SQLite, without value statistics, otherwise prefers
    (`sort_from_index` decides). `ordering`: one this function gave, to rewrite."""
    ordering = list(ordering) if ordering is not None else _order_by(object_type, sorts)
    if from_index or connection.vendor != "sqlite":
        return ordering
    first = ordering[0]
    if isinstance(first, str):
        expression = NotIndexed(F("pk"))
        return [expression.desc() if first.startswith("-") else expression.asc(), *ordering[1:]]
    first = first.copy()
    first.expression = (
        IsNullKey(NotIndexed(first.expression.source_expressions[0]))
        if isinstance(first.expression, IsNullKey)
        else NotIndexed(first.expression)
    )
    return [first, *ordering[1:]]


def _order_by(object_type, sorts) -> list:
    ot = get_object_type(object_type)
    parsed = parse_sorts(sorts)[:1]
    if not parsed:
        return ["pk"]
    name, descending = parsed[0]
    defn = registry.definitions(ot).get(name)
    if defn is None:
        raise SearchError(f'Cannot sort by "{name}": the property does not exist on {ot.name}.')
    if defn.column == "id":
        return ["-pk" if descending else "pk"]
    expr = comparable_expression(ot, defn)
    if connection.vendor == "sqlite" and _nullable(ot, defn):
        # Empty values last in both directions (docs/adr/0003-empty-values-sort-last.md).
        # SQLite's NULLs are its smallest values: ascending, (x IS NULL) first puts them
        # last, matching the sort index on ((x IS NULL), x, id); descending, they come
        # last anyway, walking the filter index on x (and the rowid) backwards.
        if descending:
            return [expr.desc(), "-pk"]
        return [IsNullKey(expr).asc(), expr.asc(), "pk"]
    if not _nullable(ot, defn):
        # No empty value to put last: the plain order, which PostgreSQL reads backwards
        # from the column's index (DESC NULLS LAST does not match an ascending index, and
        # the planner does not know the column has no NULL: it sorted the whole table).
        return [expr.desc(), "-pk"] if descending else [expr.asc(), "pk"]
    if descending:
        return [expr.desc(nulls_last=True), "-pk"]
    return [expr.asc(nulls_last=True), "pk"]


def _nullable(ot, defn) -> bool:
    return not defn.column or ot.model._meta.get_field(defn.column).null


# -- the whole request ------------------------------------------------------------------------


# A sorted page whose filters match more rows than this walks the sort index instead.
SCAN_THRESHOLD = 2000


def filtered_queryset(
    object_type, *, filter_groups=None, filters=None, query=None, base=None, scan=False
):
    ot = get_object_type(object_type)
    qs = base if base is not None else base_queryset(ot)
    qs = qs.filter(compile_filter_groups(ot, filter_groups, filters=filters, scan=scan))
    return apply_query(qs, ot, query, scan=scan)


def scan_worthwhile(count: int, sorted_by_property: bool) -> bool:
    """True when a sorted page is cheaper to read in sort order (SQLite only matters)."""
    return sorted_by_property and count > SCAN_THRESHOLD and connection.vendor == "sqlite"


# The walk of the sort index reads at most this many times the records the filter's share
# of them predicts (at least SCAN_WINDOW_MIN): enough for matches spread unevenly.
SCAN_WINDOW_SPREAD = 4
SCAN_WINDOW_MIN = 2000
# Past the window, at most this many matches are sorted; more (or a number not known past a
# page's count cap), and the walk goes on: sorting them all could cost more than any walk.
SORT_AT_MOST = 20_000


def scanned_page(ot, scan_qs, base, ordering, offset: int, limit: int, matches: int, exact=True):
    """Rows offset..offset+limit (one more, to tell there are more) of `scan_qs` (filters
    checked row by row, `scan=True`) in `ordering`, found among a window of the first
    records of `base` in that order; None when the window held too few of them.

    Walking the sort index until enough rows match is cheap when matches are spread along
    the order, and reads most of the table when they are not: the newest contacts have the
    fewest activities, so "num_notes > 3" newest first walked 480,000 of 1,000,000 contacts
    (649 ms). The window bounds that walk at about SCAN_WINDOW_SPREAD times what the
    filter's share of the records predicts; past it the caller reads the matches through
    the filter's index and sorts them (`order_by(from_index=False)`), when they are
    `exact`ly `matches` and no more than SORT_AT_MOST."""
    wanted = offset + limit + 1
    records, window = _window(ot, wanted, matches)
    if window >= records or not exact or matches > SORT_AT_MOST:  # a plain walk
        return list(scan_qs.order_by(*ordering)[offset:wanted])
    return _in_window(ot, scan_qs, base, ordering, window, offset, wanted)


def _window(ot, wanted: int, matches: int) -> tuple[int, int]:
    """(records, window): the type's live records, and how many of the first ones in the
    page's order to read for `wanted` rows of a filter with `matches` (see scanned_page)."""
    records = live_counts.stored(ot) or 0
    return records, max(SCAN_WINDOW_MIN, wanted * records * SCAN_WINDOW_SPREAD // max(matches, 1))


def _in_window(ot, scan_qs, base, ordering, window: int, offset: int, wanted: int):
    """Rows offset..wanted of `scan_qs` among the first `window` records of `base` in
    `ordering`; None when they hold fewer."""
    first = base.order_by(*ordering).values("pk")[:window]
    # Not from the sort index: SQLite reads the window's ids, checks and sorts them.
    unindexed = order_by(ot, None, from_index=False, ordering=ordering)
    rows = list(scan_qs.filter(pk__in=first).order_by(*unindexed)[offset:wanted])
    return rows if len(rows) == wanted - offset else None


def id_page(ot, qs, every, ordering, offset: int, limit: int, matches: int):
    """Rows offset..offset+limit (and one more) of `qs` in id order (the API's default),
    for a filter of `matches` (more than SCAN_THRESHOLD) on SQLite, or None: the plain
    query's plan, SQLite's choice, is the right one.

    SQLite walks the table in id order, each row checked, until enough match: quick when
    the matches are spread, the whole table when they lie at the other end ("created after
    June", oldest first: the matches are the newest half, 287 ms at 1M for a total counted
    in 37 ms). Up to SORT_AT_MOST matches, the plain query is left to SQLite (it reads an
    equality's few matches through its index and sorts them); more, and the walk first goes
    no further than a window, as `scanned_page`'s, and past it starts at the first match's
    id: the smallest (largest, newest first) id of `every` (every record matching the
    filters, archived or not: a bound of the asker's matches that the filters' indexes
    answer without reading rows)."""
    if matches <= SORT_AT_MOST:
        return None
    wanted = offset + limit + 1
    records, window = _window(ot, wanted, matches)
    if window >= records:
        return None
    descending = ordering[0] == "-pk"
    # The walk bounded by the id `window` records along (archived ones counted: a bound),
    # SQLite's own walk otherwise: it stops as soon as the page is full.
    every_record = base_queryset(ot, archived=None).order_by(*ordering).values_list("pk")
    far = every_record[window - 1 : window].first()
    if far is not None:
        within = qs.filter(pk__gte=far[0]) if descending else qs.filter(pk__lte=far[0])
        rows = list(within.order_by(*ordering)[offset:wanted])
        if len(rows) == wanted - offset:
            return rows
    # `+id`: no "min by walking the ids" plan; the filters' indexes hold the ids.
    edge = every.aggregate(edge=(Max if descending else Min)(NotIndexed(F("pk"))))["edge"]
    if edge is None:
        return []
    bounded = qs.filter(pk__lte=edge) if descending else qs.filter(pk__gte=edge)
    return list(bounded.order_by(*ordering)[offset:wanted])


def sorted_rows(qs, ordering, start: int, stop: int) -> list:
    """Rows start..stop of `qs` in `ordering`, for a page whose matches are sorted rather
    than read in order (`order_by(from_index=False)`): on SQLite the matches' ids are sorted
    and the page's rows read after, in one statement (its sorter otherwise carries each
    match's whole row, JSON properties included: two to three times slower)."""
    if connection.vendor != "sqlite":
        return list(qs.order_by(*ordering)[start:stop])
    ids = qs.order_by(*ordering).values("pk")[start:stop]
    return list(qs.model.objects.filter(pk__in=ids).order_by(*ordering))


def sort_from_index(count: int) -> bool:
    """False when a filtered page's `count` matches are better read through the filters'
    indexes and sorted (SQLite, few matches: `order_by(from_index=False)`) than by walking
    the sort index; the other side of `scan_worthwhile`."""
    return count > SCAN_THRESHOLD or connection.vendor != "sqlite"


def parse_paging(limit, after) -> tuple[int, int]:
    limit = 10 if limit in (None, "") else whole_number(limit)
    offset = 0 if after in (None, "") else whole_number(after)
    if limit is None or offset is None:
        raise SearchError("limit and after must be integers.")
    if limit < 1 or limit > MAX_PAGE:
        raise SearchError(f"limit must be between 1 and {MAX_PAGE}.")
    if offset < 0:
        raise SearchError("after must not be negative.")
    if offset + limit > MAX_RESULTS:
        raise SearchError(
            f"Search results are limited to {MAX_RESULTS} records; "
            "narrow the filters instead of paging further."
        )
    return limit, offset


def search(object_type, request: dict, *, base=None, user=None, count: bool = True) -> SearchResult:
    """Run a HubSpot search request body; returns a page of records and the total.

    `user`: the records they may see (base_queryset); `base`: a queryset of the records
    to search instead. The total is exact, and counted from indexes and the kept number
    of live records where it can (core/search/totals.py)."""
    ot = get_object_type(object_type)
    if not isinstance(request, dict):
        raise SearchError("The search request must be a JSON object.")
    limit, offset = parse_paging(request.get("limit"), request.get("after"))
    groups, query = request.get("filterGroups"), request.get("query")
    filters = request.get("filters")
    # All the type's live records: the kept live count can stand for counting them.
    whole = base is None and (user is None or view_q(user, ot) is None)
    if base is None:
        base = base_queryset(ot, user=user)
    qs = filtered_queryset(ot, filter_groups=groups, filters=filters, query=query, base=base)
    ordering = order_by(ot, request.get("sorts"))
    narrowed_down = bool(groups or filters or query)
    sorted_by_property = ordering[0] not in ("pk", "-pk") and narrowed_down
    # SQLite: the total first for every filtered request, as it decides the page's plan
    # (sort_from_index; id order included: walking the table in id order for a filter of
    # few matches reads the whole table).
    count_first = sorted_by_property or (narrowed_down and connection.vendor == "sqlite")

    def exact_total() -> int:
        def narrowed(flts: list) -> models.QuerySet:
            return apply_query(base.filter(_all_of(ot, flts, scan=False, limit=None)), ot, query)

        def split(flts=None):
            def over(archived, scan=False):
                rows = base_queryset(ot, archived=archived)
                if flts is not None:  # a conjunction of the totals' own (no filter limit)
                    rows = rows.filter(_all_of(ot, flts, scan=scan, limit=None))
                    return apply_query(rows, ot, query, scan=scan)
                return filtered_queryset(
                    ot,
                    filter_groups=groups,
                    filters=filters,
                    query=query,
                    base=rows,
                    scan=scan,
                )

            # The archived records read through their partial index, filters row by row.
            return over(None), over(True, scan=True), base_queryset(ot, archived=True)

        return totals.total(
            ot,
            filter_groups=groups,
            filters=filters,
            query=query,
            whole=whole,
            counted=qs,
            narrowed=narrowed,
            split=split if whole and connection.vendor == "sqlite" else None,
        )

    total = exact_total() if count and count_first else None
    records = None
    if total is not None and scan_worthwhile(total, sorted_by_property):
        scan = filtered_queryset(
            ot, filter_groups=groups, filters=filters, query=query, base=base, scan=True
        )
        records = scanned_page(ot, scan, base, ordering, offset, limit, total)
        if records is None:  # matches bunched far along the order: through their index
            unindexed = order_by(ot, None, from_index=False, ordering=ordering)
            records = sorted_rows(qs, unindexed, offset, offset + limit + 1)
    elif total is not None and not sort_from_index(total):
        unindexed = order_by(ot, request.get("sorts"), from_index=False)
        records = sorted_rows(qs, unindexed, offset, offset + limit + 1)
    elif total is not None and narrowed_down and ordering[0] in ("pk", "-pk"):  # SQLite
        records = id_page(
            ot,
            qs,
            filtered_queryset(
                ot,
                filter_groups=groups,
                filters=filters,
                query=query,
                base=base_queryset(ot, archived=None),
            ),
            ordering,
            offset,
            limit,
            total,
        )
    if records is None:
        records = list(qs.order_by(*ordering)[offset : offset + limit + 1])
    has_more = len(records) > limit
    records = records[:limit]
    if total is None and count:
        total = (
            offset + len(records) if not has_more and (records or offset == 0) else exact_total()
        )
    elif total is None:
        total = -1
    next_after = str(offset + limit) if has_more and offset + limit < MAX_RESULTS else None
    return SearchResult(total=total, records=records, next_after=next_after)
