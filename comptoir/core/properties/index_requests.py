"""On-demand property indexes (issue 16): who asks for one, and how far the worker got.

A property the database cannot filter or sort through an index (not a column, no
built-in or on-demand expression index: `needs_index`) gets one asked for:

* when a saved view that filters or sorts on it is saved (`request_for_view`);
* when list pages or API searches filter or sort on it QUERY_THRESHOLD times within
  QUERY_WINDOW (`note_queries`). The count is kept in the property's PropertyIndexRequest
  row, in the database, so that every server process counts together; a request costs
  one small write for an unindexed property, and nothing for indexed ones;
* by an administrator (Settings > Indexes, `request_index` with reason ADMIN).

Asking claims the row with a conditional UPDATE to PENDING, so a property already pending
or building is never queued twice; the job is queued once the asking transaction commits.
The worker's `build_property_index` runs `build`: the index is built (CONCURRENTLY on
PostgreSQL, pages keep working meanwhile, without it) and the row says READY, FAILED with
the error, or REFUSED when the type already holds COMPTOIR_MAX_PROPERTY_INDEXES on-demand
indexes (built-in ones do not count).
"""

import contextlib
import datetime as dt
import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.properties.indexes import (
    ON_DEMAND_PREFIX,
    _index_name,
    drop_property_index,
    drop_statements,
    ensure_property_index,
    on_demand_indexes,
)
from comptoir.core.properties.models import IndexReason, IndexStatus, PropertyIndexRequest
from comptoir.core.properties.substring_indexes import (
    drop_substring_index,
    ensure_substring_index,
    supports_substring_index,
)
from comptoir.core.scheduling.requeue import requeue_quiet

log = logging.getLogger(__name__)

QUERY_THRESHOLD = 3
QUERY_WINDOW = dt.timedelta(minutes=10)
# A pending or building row this quiet lost its worker: it may be asked for again.
STALE = dt.timedelta(hours=1)
ACTIVE = (IndexStatus.PENDING, IndexStatus.BUILDING)
# Operators a btree expression index serves (NEQ, NOT_IN and the NOT_ ones match most
# rows; CONTAINS_TOKEN needs a substring index, not this one).
INDEXED_OPERATORS = frozenset({"EQ", "IN", "LT", "LTE", "GT", "GTE", "BETWEEN"})


def needs_index(defn) -> bool:
    return not defn.column and not defn.index_name


# -- what a request uses ----------------------------------------------------------------------


def used_properties(filter_groups=None, filters=None, sorts=None) -> list[tuple[str, str]]:
    """[(property name, operator)] of a search request's filters and sorts ("SORT" for a
    sort), read leniently: the compiler has already refused what is malformed."""
    uses = []
    flts = list(filters) if isinstance(filters, list) else []
    for group in filter_groups if isinstance(filter_groups, list) else []:
        if isinstance(group, dict) and isinstance(group.get("filters"), list):
            flts.extend(group["filters"])
    for flt in flts:
        if isinstance(flt, dict) and isinstance(flt.get("propertyName"), str):
            uses.append((flt["propertyName"], str(flt.get("operator"))))
    for item in (sorts if isinstance(sorts, list) else [sorts])[:1]:  # only the first sorts
        name = item.get("propertyName") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip("-+ "):
            uses.append((name.strip().lstrip("-+"), "SORT"))
    return uses


def unindexed(ot, uses) -> list[str]:
    """The properties among `uses` an index would serve and that have none."""
    defs = registry.definitions(ot)
    names = []
    for name, operator in uses:
        defn = defs.get(name)
        if defn is None or not needs_index(defn):
            continue
        if operator == "SORT" or (operator in INDEXED_OPERATORS and not defn.is_multi):
            names.append(name)
    return list(dict.fromkeys(names))


# -- asking -----------------------------------------------------------------------------------


def _row(ot, name: str) -> PropertyIndexRequest:
    try:
        with transaction.atomic():
            row, _ = PropertyIndexRequest.objects.get_or_create(
                object_type=ot.name, property_name=name
            )
    except IntegrityError:  # created meanwhile by another process
        row = PropertyIndexRequest.objects.get(object_type=ot.name, property_name=name)
    return row


def _cap_reached(ot, row) -> bool:
    building = PropertyIndexRequest.objects.filter(object_type=ot.name, status__in=ACTIVE)
    used = on_demand_indexes(ot).count() + building.exclude(pk=row.pk).count()
    return used >= settings.COMPTOIR_MAX_PROPERTY_INDEXES


def cap_message(ot) -> str:
    cap = settings.COMPTOIR_MAX_PROPERTY_INDEXES
    return (
        f"{ot.name} already have {cap} on-demand indexes (COMPTOIR_MAX_PROPERTY_INDEXES); "
        "drop one before adding another"
    )


def request_index(
    object_type, name: str, reason: str, *, actor_id=None, saved_view_id=None
) -> PropertyIndexRequest | None:
    """Ask the worker for a property's index; None when the property needs none.

    No second job while one is pending or building; REFUSED at once when the type's cap is
    reached. The job is queued when the current transaction commits."""
    ot = get_object_type(object_type)
    defn = registry.definitions(ot).get(name)
    if defn is None:
        message = f'Property "{name}" does not exist on {ot.name}'
        raise ValidationFailed([PropertyError(name, "PROPERTY_DOESNT_EXIST", message)], message)
    if not needs_index(defn):
        return None
    row = _row(ot, name)
    now = timezone.now()
    if row.status in ACTIVE and row.updated_at > now - STALE:
        return row
    mine = PropertyIndexRequest.objects.filter(
        pk=row.pk, status=row.status, updated_at=row.updated_at
    )
    when = {"requested_at": now, "updated_at": now}
    who = {"reason": reason, "actor_id": actor_id, "saved_view_id": saved_view_id}
    if _cap_reached(ot, row):
        mine.update(status=IndexStatus.REFUSED, error=cap_message(ot), hits=0, **when, **who)
    elif mine.update(status=IndexStatus.PENDING, error="", hits=0, **when, **who):
        transaction.on_commit(lambda: _enqueue(ot.name, name))
    row.refresh_from_db()
    return row


def _enqueue(object_type: str, name: str) -> None:
    from comptoir.core.tasks import build_property_index  # the task module imports this one

    build_property_index.enqueue(object_type, name)


def request_for_view(view) -> list[str]:
    """A saved view's filters and sort ask for the indexes they lack; returns their names."""
    ot = get_object_type(view.object_type)
    names = unindexed(ot, used_properties(view.filter_groups, sorts=view.sort))
    for name in names:
        request_index(
            ot, name, IndexReason.SAVED_VIEW, actor_id=view.owner_id, saved_view_id=view.pk
        )
    return names


def note_queries(object_type, uses) -> None:
    """Count a list page's or an API search's use of unindexed properties; the use that
    reaches QUERY_THRESHOLD within QUERY_WINDOW asks for the index. One property is counted
    per request (the first one still counting), in one small write; none when every
    property used is indexed."""
    ot = get_object_type(object_type)
    names = unindexed(ot, uses)
    if not names:
        return
    try:  # no transaction of its own: on SQLite it would take the write lock to read
        _count(ot, names)
    except DatabaseError:  # a busy database: the page matters more than the count
        log.warning("counting queries on %s %s failed", ot.name, names, exc_info=True)


def _count(ot, names: list[str]) -> None:
    rows = {
        r.property_name: r
        for r in PropertyIndexRequest.objects.filter(object_type=ot.name, property_name__in=names)
    }
    now = timezone.now()
    for name in names:
        row = rows.get(name)
        if row is None:
            try:
                with transaction.atomic():
                    PropertyIndexRequest.objects.create(
                        object_type=ot.name, property_name=name, hits=1, window_start=now
                    )
            except IntegrityError:  # another process counted it first: count next time
                pass
            if QUERY_THRESHOLD <= 1:
                request_index(ot, name, IndexReason.QUERIES)
            return
        if row.status != IndexStatus.COUNTING:
            continue  # asked for already, or refused, failed, dropped: the admin decides
        fresh = row.window_start is not None and row.window_start > now - QUERY_WINDOW
        if fresh and row.hits + 1 >= QUERY_THRESHOLD:
            request_index(ot, name, IndexReason.QUERIES)
        elif fresh:
            PropertyIndexRequest.objects.filter(pk=row.pk, status=IndexStatus.COUNTING).update(
                hits=F("hits") + 1
            )
        else:
            PropertyIndexRequest.objects.filter(pk=row.pk, status=IndexStatus.COUNTING).update(
                hits=1, window_start=now
            )
        return


# -- the worker's side and the administrator's ------------------------------------------------


def resume_interrupted(now=None) -> list:
    """Queue again the builds no worker has touched for STALE (their worker died, or their
    job was lost): a scheduler recovery (core/scheduling/scheduler.RECOVERIES)."""
    return requeue_quiet(
        PropertyIndexRequest.objects.filter(status__in=ACTIVE),
        stall=STALE,
        enqueue=lambda row: _enqueue(row["object_type"], row["property_name"]),
        now=now,
        read=("object_type", "property_name"),
        claim=lambda row: {"status": IndexStatus.PENDING},
    )


def _record(row, status: str, error: str = "") -> None:
    PropertyIndexRequest.objects.filter(pk=row.pk).update(
        status=status, error=error, updated_at=timezone.now()
    )


def build(object_type: str, name: str) -> str:
    """Build one index (the worker task); records the outcome. Returns the index name, ""
    when it was not built."""
    ot = get_object_type(object_type)
    row = _row(ot, name)
    _record(row, IndexStatus.BUILDING)
    try:
        index = ensure_property_index(ot, name)
    except (ValidationFailed, PropertyError) as exc:
        errors = getattr(exc, "errors", [exc])
        refused = any(e.code == "TOO_MANY_INDEXES" for e in errors)
        status = IndexStatus.REFUSED if refused else IndexStatus.FAILED
        _record(row, status, exc.message)
        return ""
    except DatabaseError as exc:
        log.exception("building the index of %s.%s failed", ot.name, name)
        _drop_leftovers(ot, name)
        _record(row, IndexStatus.FAILED, str(exc)[:2000])
        return ""
    _contains_index(ot, name)
    _record(row, IndexStatus.READY)
    return index


def _contains_index(ot, name: str) -> None:
    """A custom text property indexed on demand gets its "contains" index too (standard
    ones have theirs from the migrations): the filters a list offers on text are both.
    Dropping the on-demand index drops it as well (drop_index)."""
    defn = registry.definitions(ot).get(name)
    if defn is None or not supports_substring_index(defn) or defn.substring_index:
        return
    # Outside a transaction in the worker (CONCURRENTLY on PostgreSQL); inside one, a
    # savepoint keeps a failure from spoiling the caller's transaction.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with savepoint:
            ensure_substring_index(ot, name)
    except DatabaseError:  # the filter and sort index stands; "contains" scans meanwhile
        log.exception("building the contains index of %s.%s failed", ot.name, name)


def _drop_leftovers(ot, name: str) -> None:
    """A failed CREATE INDEX CONCURRENTLY leaves an invalid index that IF NOT EXISTS would
    then take for a built one."""
    defn = registry.definitions(ot).get(name)
    if defn is None or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            for statement in drop_statements(_index_name(ot, defn), connection.vendor):
                cursor.execute(statement)
    except DatabaseError:
        log.exception("dropping what remains of the index of %s.%s failed", ot.name, name)


def drop_index(object_type, name: str, *, actor_id) -> None:
    """An administrator drops an on-demand index; the row records who did. Built-in indexes
    come with the migrations and stay."""
    ot = get_object_type(object_type)
    defn = registry.definitions(ot).get(name)
    if defn is None or not defn.index_name.startswith(ON_DEMAND_PREFIX):
        message = f'"{name}" has no on-demand index on {ot.name}'
        raise ValidationFailed([PropertyError(name, "NO_ON_DEMAND_INDEX", message)], message)
    drop_property_index(ot, name)
    if defn.substring_index and not defn.hubspot_defined:  # built with it, on demand
        drop_substring_index(ot, name)
    row = _row(ot, name)
    PropertyIndexRequest.objects.filter(pk=row.pk).update(
        status=IndexStatus.DROPPED,
        reason=IndexReason.ADMIN,
        actor_id=actor_id,
        saved_view_id=None,
        error="",
        hits=0,
        updated_at=timezone.now(),
    )
