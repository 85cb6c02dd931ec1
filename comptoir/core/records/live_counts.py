"""Live records per object type, kept exactly by the write path (issue 16, point 3).

HubSpot's search answers an exact `total`. With no filter it is the number of live records
of the type, and a "does not contain" total is that number less the records that contain
(comptoir/core/search/totals.py): counting a million rows for it would cost the whole scan,
so each type's number is kept in `LiveRecordCount`:

* `initialize()` counts each type that has no row yet (after every migrate and every
  test-case flush: `setup.sync_defaults`), its table locked against writers meanwhile
  (PostgreSQL `SHARE` mode; on SQLite the transaction is the one writer), so that no write
  lands between the count and the row.
* `LiveCounter`, a write observer core registers in its `ready()`, adds each write's
  difference in the write's transaction: +1 for a record created or restored, -1 for one
  archived, merged away or purged while live, one UPDATE for a whole bulk create. Its row
  lock makes concurrent writers add one after the other (PostgreSQL), so every reader sees
  the count of the records committed with it.
* `live_count_sql(ot)`: a subquery reading the number (NULL when the type has no row yet:
  callers count the rows then).
"""

from django.db import connection, transaction

from comptoir.core.objects.registry import OBJECT_TYPES, get_object_type
from comptoir.core.records.models import LiveRecordCount
from comptoir.core.records.observers import WriteObserver
from comptoir.core.records.values import base_queryset

TABLE = LiveRecordCount._meta.db_table


def live_count_sql(object_type) -> tuple[str, list]:
    """(sql, params) of a scalar subquery: the type's live records, NULL when not kept."""
    ot = get_object_type(object_type)
    return f"(SELECT live FROM {TABLE} WHERE object_type_name = %s)", [ot.name]


def stored(object_type) -> int | None:
    """The kept number of live records of a type (None when not kept yet)."""
    ot = get_object_type(object_type)
    row = LiveRecordCount.objects.filter(object_type_name=ot.name).values_list("live").first()
    return row[0] if row else None


def recount(object_type) -> int:
    """The live records of a type, counted (what the kept number must equal: tests)."""
    return base_queryset(object_type).count()


def add(object_type, delta: int) -> None:
    """Move a type's number by `delta` (nothing when the type is not kept yet: its
    initialization counts the rows, this write included)."""
    if not delta:
        return
    ot = get_object_type(object_type)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET live = live + %s WHERE object_type_name = %s", [delta, ot.name]
        )


def initialize() -> int:
    """Count every registered type that has no row yet; returns how many were counted."""
    present = set(LiveRecordCount.objects.values_list("object_type_name", flat=True))
    tables = set(connection.introspection.table_names())
    by_table: dict[str, list] = {}
    for ot in OBJECT_TYPES:
        table = ot.model._meta.db_table
        if ot.name not in present and table in tables:
            by_table.setdefault(table, []).append(ot)
    for table, types in by_table.items():
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Writers wait (and in-flight ones finish first): the count and the row
                    # describe the same records.
                    cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
            LiveRecordCount.objects.bulk_create(
                [LiveRecordCount(object_type_name=ot.name, live=recount(ot)) for ot in types],
                ignore_conflicts=True,  # another process counted it first
            )
    return sum(len(types) for types in by_table.values())


def rebuild() -> None:
    """Count every type again (a repair; the write path keeps the numbers otherwise)."""
    with transaction.atomic():
        LiveRecordCount.objects.all().delete()
        initialize()


class LiveCounter(WriteObserver):
    """Keeps `LiveRecordCount` equal to the live records (registered in core's apps.py)."""

    name = "core.live_counts"
    follows_state = True  # sees records leave, purged ones included

    def note(self, ot, record):
        return not record.archived

    def written(self, ot, changes, source) -> None:
        delta = 0
        for change in changes:
            if change.before is not None and change.before.get(self.name):
                delta -= 1
            if not change.left and (change.record is None or not change.record.archived):
                delta += 1  # a bulk-created row (no record) is live
        add(ot, delta)
