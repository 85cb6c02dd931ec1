"""Substring indexes: "contains" filters served by an index on any text property (issue 16).

`CONTAINS_TOKEN` and `NOT_CONTAINS_TOKEN` (the API's search, the lists' "contains" filter)
compile to a regular expression on the property's comparable expression
(`comptoir.core.search.compiler`), which no B-tree can answer. A substring index can:

* **SQLite**: one FTS5 table per (object type, property) with the trigram tokenizer,
  `<table>_trgm_<property>` (activities, which share one table:
  `activities_activity_trgm_<type>_<property>`, holding that type's rows only), one column
  `v` holding `comptoir_fold(value)` (`substring_fold`: lower-cased, and the characters a
  case-insensitive regular expression takes as equal written alike), the row id as
  rowid. Three triggers on the record table keep it (insert; update, only when the value
  changed; delete); the bulk write path pauses the insert trigger on its own connection
  and copies its batch with one `INSERT ... SELECT` instead (`filled_in_bulk`). A normal
  FTS5 table (it keeps its own copy of the text): SQLite 3.40 has no
  `contentless_delete`, and a row-id delete is what lets the triggers and the batched
  initial fill run in any order. The compiler adds
  `id IN (SELECT rowid FROM <fts> WHERE <fts> MATCH '"part"')` for each `*`-separated
  part of 3 characters or more (`fts_match`), and keeps the exact regex.
* **PostgreSQL**: a GIN `gin_trgm_ops` index (`trgm_<type>_<property>`) on exactly the
  expression the compiler filters on (`value_sql`: `LOWER(...)` for free text, partial on
  `object_type_name` for activities). pg_trgm serves the compiler's `~*` regex itself
  (checked by EXPLAIN in the tests), so the compiler emits nothing more. Without the
  pg_trgm extension (no right to create it) nothing is built, a warning is logged and
  "contains" filters scan as before.

The standard text properties (each object type's `substring_indexed`, in its
`objecttype.py`) get theirs in the object app's migration; other text properties on
demand.

API (for the on-demand builder and the admin page):

* `ensure_substring_index(object_type, name) -> str`: build one if missing (PostgreSQL:
  CONCURRENTLY when outside a transaction, so from the worker task
  `comptoir.core.tasks.build_substring_index`; SQLite: triggers first, then the existing
  rows in batches of `FILL_BATCH`, each its own transaction), record its name on
  `PropertyDefinition.substring_index`, `registry.invalidate()`; returns the name ("" when
  PostgreSQL lacks pg_trgm). Raises ValidationFailed for a property that is not text.
* `drop_substring_index(object_type, name)`: drop it (archiving a property does).
* `substring_indexes() -> list[SubstringIndex]`: (object type, property, index or table
  name) of every existing one.
* `substring_index_size(index) -> int | None`: its size on disk in bytes (None when the
  database cannot tell: SQLite without the dbstat table).
"""

import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, migrations, transaction

from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.properties.expressions import (
    SAFE_NAME,
    SQLITE_FOLD,
    SQLITE_FTS_PAUSED,
    substring_fold,
)
from comptoir.core.properties.indexes import relation_sizes, value_sql
from comptoir.core.properties.kinds import kind_for
from comptoir.core.properties.models import PropertyDefinition

logger = logging.getLogger(__name__)

FILL_BATCH = 10_000
MIN_PART = 3  # a trigram index finds nothing shorter
PG_NAME_LIMIT = 63


@dataclass(frozen=True)
class SubstringIndex:
    object_type: str
    property: str
    index: str


@dataclass(frozen=True)
class _Target:
    """What an index is built on: the record table, the property, where its value is."""

    ot: object
    name: str
    column: str
    kind: object

    @property
    def table(self) -> str:
        return self.ot.model._meta.db_table


def _target(ot, name: str, column: str, type_name: str) -> _Target:
    if not SAFE_NAME.match(name):
        raise ValueError(f"unsafe property name {name!r}")
    if column and not SAFE_NAME.match(column):
        raise ValueError(f"unsafe column name {column!r}")
    return _Target(ot=ot, name=name, column=column, kind=kind_for(type_name))


def index_name(ot, name: str, vendor: str) -> str:
    """The FTS table (SQLite) or the index (PostgreSQL) of a property."""
    ot = get_object_type(ot)
    if not SAFE_NAME.match(name):
        raise ValueError(f"unsafe property name {name!r}")
    if vendor == "sqlite":
        table = ot.model._meta.db_table
        return f"{table}_trgm_{ot.name}_{name}" if ot.is_activity else f"{table}_trgm_{name}"
    full = f"trgm_{ot.name}_{name}"
    if len(full) <= PG_NAME_LIMIT:
        return full
    return f"{full[:50]}_{hashlib.sha1(full.encode()).hexdigest()[:8]}"


# -- SQL --------------------------------------------------------------------------------------


def _raw_sql(target: _Target, row: str, vendor: str) -> str:
    """The stored value on row `row` (new/old in a trigger, "" for the table's own)."""
    prefix = f"{row}." if row else ""
    if target.column:
        return f'{prefix}"{target.column}"'
    return target.kind.json_sql(f'{prefix}"properties"', target.name, vendor)


def _sqlite_statements(target: _Target) -> list[str]:
    fts = index_name(target.ot, target.name, "sqlite")
    table = target.table
    new, old = _raw_sql(target, "new", "sqlite"), _raw_sql(target, "old", "sqlite")
    of_type = ""
    if target.ot.is_activity:
        of_type = f" AND new.object_type_name = '{target.ot.name}'"
    watched = target.column or "properties"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS \"{fts}\" USING fts5(v, tokenize='trigram')",
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{table}" '
        f"WHEN {_NOT_PAUSED.format(fts=fts)}{new} IS NOT NULL{of_type} BEGIN "
        f'INSERT OR REPLACE INTO "{fts}"(rowid, v) VALUES (new.id, {SQLITE_FOLD}({new})); END',
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF "{watched}" ON "{table}" '
        f"WHEN {old} IS NOT {new}{of_type} BEGIN "
        f'DELETE FROM "{fts}" WHERE rowid = old.id; '
        f'INSERT INTO "{fts}"(rowid, v) SELECT new.id, {SQLITE_FOLD}({new}) '
        f"WHERE {new} IS NOT NULL; END",
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{table}" '
        f'WHEN {old} IS NOT NULL BEGIN DELETE FROM "{fts}" WHERE rowid = old.id; END',
    ]


def _sqlite_drop(fts: str) -> list[str]:
    return [f'DROP TRIGGER IF EXISTS "{fts}_{suffix}"' for suffix in ("ai", "au", "ad")] + [
        f'DROP TABLE IF EXISTS "{fts}"'
    ]


# The insert trigger's first condition: skipped while this connection fills the table itself.
_NOT_PAUSED = f"{SQLITE_FTS_PAUSED}('{{fts}}') = 0 AND "


def _copy_rows_sql(target: _Target, upper: bool) -> str:
    """Copy the values of the rows `"id" > %s` (and `<= %s` when `upper`) into the FTS
    table; replacing by rowid, so copying a row already there again is harmless."""
    fts = index_name(target.ot, target.name, "sqlite")
    raw = _raw_sql(target, "", "sqlite")
    of_type = f" AND \"object_type_name\" = '{target.ot.name}'" if target.ot.is_activity else ""
    bound = ' AND "id" <= %s' if upper else ""
    return (
        f'INSERT OR REPLACE INTO "{fts}"(rowid, v) SELECT "id", {SQLITE_FOLD}({raw}) '
        f'FROM "{target.table}" WHERE "id" > %s{bound} AND {raw} IS NOT NULL{of_type}'
    )


def _fill_sqlite(target: _Target, *, batch: int = FILL_BATCH) -> None:
    """Copy the values already stored, `batch` rows per transaction (the triggers are in
    place first: a row written meanwhile is indexed by them, and re-copying it is harmless
    since the copy replaces by rowid)."""
    table = target.table
    low = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "id" FROM "{table}" WHERE "id" > %s ORDER BY "id" LIMIT 1 OFFSET %s',
                [low, batch - 1],
            )
            row = cursor.fetchone()
            high = row[0] if row else None
            cursor.execute(
                _copy_rows_sql(target, upper=high is not None),
                [low, *([high] if high is not None else [])],
            )
        if high is None:
            return
        low = high


def _pg_statement(target: _Target, *, concurrently: bool) -> str:
    name = index_name(target.ot, target.name, "postgresql")
    expr = value_sql(_DefnView(target), "postgresql")
    how = "CONCURRENTLY " if concurrently else ""
    where = f" WHERE \"object_type_name\" = '{target.ot.name}'" if target.ot.is_activity else ""
    return (
        f'CREATE INDEX {how}IF NOT EXISTS "{name}" ON "{target.table}" '
        f"USING gin (({expr}) gin_trgm_ops){where}"
    )


@dataclass(frozen=True)
class _DefnView:
    """The three facts `value_sql` reads from a definition."""

    target: _Target

    @property
    def name(self):
        return self.target.name

    @property
    def column(self):
        return self.target.column

    @property
    def kind(self):
        return self.target.kind


def trigram_extension(cursor) -> bool:
    """PostgreSQL: make sure pg_trgm is installed; False (and a warning) when it cannot be."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cursor.fetchone():
        return True
    try:
        with transaction.atomic(using=cursor.db.alias):
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # no right to create it, or not shipped: scan as before
        logger.warning("pg_trgm is unavailable (%s): 'contains' filters will scan every row", exc)
        return False
    return True


def _build(target: _Target, *, concurrently: bool = False) -> str:
    """Create one index (and, on SQLite, fill it); returns its name or "" (no pg_trgm)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in _sqlite_statements(target):
                cursor.execute(statement)
        _fill_sqlite(target)
        return index_name(target.ot, target.name, vendor)
    with connection.cursor() as cursor:
        if not trigram_extension(cursor):
            return ""
        if concurrently:  # waits for every older transaction: no lock_timeout (config/env.py)
            cursor.execute("SET lock_timeout = 0")
        if connection.in_atomic_block:
            # PostgreSQL refuses CREATE INDEX on a table with deferred constraint checks
            # pending in the transaction (rows written earlier in it): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            cursor.execute(_pg_statement(target, concurrently=concurrently))
        finally:
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if concurrently:
                cursor.execute("RESET lock_timeout")
    return index_name(target.ot, target.name, vendor)


def _drop(ot, name: str) -> None:
    vendor = connection.vendor
    index = index_name(ot, name, vendor)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for statement in _sqlite_drop(index):
                cursor.execute(statement)
        else:
            cursor.execute(f'DROP INDEX IF EXISTS "{index}"')


# -- the bulk write path ---------------------------------------------------------------------


def _indexed_targets(ot) -> dict[str, _Target]:
    """{FTS table: target} of the type's text properties that have one (SQLite)."""
    existing = existing_index_names()
    targets = {}
    for defn in registry.definitions(ot).values():
        if not supports_substring_index(defn) or not SAFE_NAME.match(defn.name):
            continue
        fts = index_name(ot, defn.name, "sqlite")
        if fts in existing:
            targets[fts] = _target(ot, defn.name, defn.column, defn.type)
    return targets


@contextmanager
def filled_in_bulk(object_type, ids):
    """Around the inserts of new records (the bulk write path), inside their transaction:
    on SQLite the type's substring indexes get the rows `ids` with one `INSERT ... SELECT`
    per index when the block ends, instead of one insert trigger firing per row and index
    (FTS5 then flushes once per index and batch). Only this connection's insert triggers
    are paused, and only during the block: other connections, and this one's updates,
    deletes and single creates, keep them. An exception in the block skips the copy (the
    caller's transaction rolls the rows back). PostgreSQL's GIN indexes need nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    ot = get_object_type(object_type)
    ids = [int(i) for i in ids]
    targets = _indexed_targets(ot) if ids else {}
    connection.ensure_connection()
    paused = connection.fts_paused
    paused.update(targets)
    try:
        yield
    finally:
        paused.difference_update(targets)
    if not targets:
        return
    # Every id of the batch lies in (low, high]: allocate_ids hands out a run of ids, and
    # copying another row of the range again would only replace its entry by itself.
    low, high = min(ids) - 1, max(ids)
    with connection.cursor() as cursor:
        for target in targets.values():
            cursor.execute(_copy_rows_sql(target, upper=True), [low, high])


# -- migrations ---------------------------------------------------------------------------------


def standard_substring_indexes(object_type: str):
    """A migration operation building the substring indexes of the type's
    `substring_indexed` properties (as they are when the migration runs).

    The migration should be `atomic = False`: SQLite then fills each table in batches."""
    from django.db import migrations

    def targets():
        ot = get_object_type(object_type)
        defaults = {default.name: default for default in ot.properties}
        return [
            _target(ot, name, defaults[name].column, defaults[name].type)
            for name in ot.substring_indexed
        ]

    def forward(apps, schema_editor):
        for target in targets():
            _build(target)

    def backward(apps, schema_editor):
        for target in targets():
            _drop(target.ot, target.name)

    return migrations.RunPython(forward, backward)


def insert_triggers_pausable():
    """A migration operation giving the insert triggers made before `filled_in_bulk`
    (without its first condition) that condition; SQLite only. Reversible."""

    def triggers(cursor):
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
            "ESCAPE '\\'",
            ["%\\_trgm\\_%\\_ai"],
        )
        return cursor.fetchall()

    def rewrite(schema_editor, change):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for name, sql in triggers(cursor):
                condition = _NOT_PAUSED.format(fts=name.removesuffix("_ai"))
                new_sql = change(sql, condition)
                if new_sql != sql:
                    cursor.execute(f'DROP TRIGGER "{name}"')
                    cursor.execute(new_sql)

    def forward(apps, schema_editor):
        rewrite(
            schema_editor,
            lambda sql, condition: (
                sql if condition in sql else sql.replace(" WHEN ", f" WHEN {condition}", 1)
            ),
        )

    def backward(apps, schema_editor):
        rewrite(schema_editor, lambda sql, condition: sql.replace(condition, "", 1))

    return migrations.RunPython(forward, backward)


# -- on demand ----------------------------------------------------------------------------------


def existing_index_names() -> set[str]:
    """The substring indexes present in the database (whatever the definitions say)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %s "
                "ESCAPE '\\' AND sql LIKE '%%fts5%%'",
                ["%\\_trgm\\_%"],
            )
        else:
            cursor.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname LIKE 'trgm\\_%%' AND i.indisvalid"
            )
        return {row[0] for row in cursor.fetchall()}


def supports_substring_index(defn) -> bool:
    return defn.kind.free_text


def ensure_substring_index(object_type, name: str) -> str:
    """Build the substring index of one text property if missing; returns its name.

    On PostgreSQL it is built CONCURRENTLY when called outside a transaction (the worker
    task `build_substring_index`), so writes go on meanwhile."""
    ot = get_object_type(object_type)
    defn = registry.definition(ot, name)
    if not supports_substring_index(defn):
        message = f"{name} is not a text property: it cannot have a substring index"
        raise ValidationFailed([PropertyError(name, "NOT_TEXT", message)], message)
    vendor = connection.vendor
    expected = index_name(ot, defn.name, vendor)
    present = expected in existing_index_names()
    if present and defn.substring_index == expected:
        return expected
    target = _target(ot, defn.name, defn.column, defn.type)
    concurrently = vendor == "postgresql" and not connection.in_atomic_block
    if vendor == "postgresql" and present:
        built = expected  # valid (existing_index_names): only the record was missing
    else:
        # SQLite: a table not recorded yet may be half filled (the filling process
        # stopped): filling again is harmless. PostgreSQL: an interrupted CONCURRENTLY
        # build leaves an invalid index behind, which IF NOT EXISTS would keep.
        if vendor == "postgresql":
            _drop(ot, defn.name)
        built = _build(target, concurrently=concurrently)
    with transaction.atomic():
        PropertyDefinition.objects.filter(pk=defn.pk).update(substring_index=built)
        registry.invalidate()
    return built


def drop_substring_index(object_type, name: str) -> None:
    """Drop a property's substring index (SQLite: its table and triggers)."""
    ot = get_object_type(object_type)
    defn = PropertyDefinition.objects.filter(object_type=ot.name, name=name).first()
    if defn is None or not SAFE_NAME.match(name):
        return
    _drop(ot, name)
    if defn.substring_index:
        PropertyDefinition.objects.filter(pk=defn.pk).update(substring_index="")
        registry.invalidate()


def standard_index_names(object_type, existing: set[str]) -> dict[str, str]:
    """{property: index name} the setup records for the default properties that have one;
    `existing`: `existing_index_names()`."""
    ot = get_object_type(object_type)
    vendor = connection.vendor
    names = {}
    for default in ot.properties:
        if not SAFE_NAME.match(default.name):
            continue
        index = index_name(ot, default.name, vendor)
        if index in existing:
            names[default.name] = index
    return names


def substring_indexes() -> list[SubstringIndex]:
    """Every substring index in the database, by object type and property."""
    existing = existing_index_names()
    return [
        SubstringIndex(object_type=ot, property=name, index=index)
        for ot, name, index in PropertyDefinition.objects.exclude(substring_index="")
        .order_by("object_type", "name")
        .values_list("object_type", "name", "substring_index")
        if index in existing
    ]


FTS_SHADOWS = ("data", "idx", "content", "docsize", "config")


def substring_index_sizes(indexes) -> dict[str, int | None]:
    """Bytes on disk of substring indexes (SQLite: the FTS table's shadow tables)."""
    if connection.vendor == "sqlite":
        groups = {index: [f"{index}_{shadow}" for shadow in FTS_SHADOWS] for index in indexes}
    else:
        groups = {index: [index] for index in indexes}
    return relation_sizes(groups)


def substring_index_size(index: str) -> int | None:
    return substring_index_sizes([index])[index]


# -- the compiler's prefilter ----------------------------------------------------------------


def fts_match(value: str) -> tuple[str | None, bool]:
    """(FTS5 MATCH string, exact) for a CONTAINS_TOKEN value on SQLite.

    Every `*`-separated part of `MIN_PART` characters or more must be found; shorter
    parts cannot be looked up in a trigram index and add no condition (None when no part
    is long enough: the regex alone decides). `exact`: the match alone decides (`*part*`
    on an ASCII part: the regex is then "contains part" too), so NOT_CONTAINS_TOKEN may
    negate it."""
    text = substring_fold(value) or ""
    parts = [part for part in text.split("*") if len(part) >= MIN_PART]
    if not parts:
        return None, False
    match = " ".join('"' + part.replace('"', '""') + '"' for part in parts)
    pieces = [part for part in text.split("*") if part]
    exact = (
        len(pieces) == 1
        and text.startswith("*")
        and text.endswith("*")
        and pieces[0].isascii()
        and len(pieces[0]) >= MIN_PART
    )
    return match, exact
