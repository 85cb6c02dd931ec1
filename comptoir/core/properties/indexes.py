"""Expression indexes that make filters and sorts on properties fast.

The SQL written here must be the SQL the search compiler emits (PropValue, LOWER for
free text, and on SQLite the `(x IS NULL)` sort key), or the planners will not use it.
Hot columns get theirs in migrations, and so do the JSON properties a list shows or
filters on by default (`builtin_indexed_properties`, `builtin_property_indexes`: names
starting "json_"); the others get theirs on demand (`ensure_property_index`, names
starting "prop_", asked for by comptoir.core.properties.index_requests), capped per object
type.
"""

from django.conf import settings
from django.db import connection, transaction

from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.properties.expressions import (
    SAFE_NAME,
    STORED_LOWER,
    is_case_insensitive,
    lower_sql,
)
from comptoir.core.properties.models import PropertyDefinition


def value_sql(defn, vendor: str) -> str:
    """The comparable expression of a property, unqualified, as the compiler writes it."""
    if defn.column:
        sql = f'"{defn.column}"'
    else:
        if not SAFE_NAME.match(defn.name):
            raise ValueError(f"unsafe property name {defn.name!r}")
        sql = defn.kind.json_sql('"properties"', defn.name, vendor)
    if is_case_insensitive(defn) and defn.name not in STORED_LOWER:
        sql = lower_sql(sql, vendor)
    return sql


def index_statements(
    table: str, name: str, expr: str, vendor: str, *, prefix: str = "", concurrently: bool = False
) -> list[str]:
    """CREATE INDEX statements for filtering and sorting on `expr`."""
    lead = f"{prefix}, " if prefix else ""
    how = "CONCURRENTLY " if concurrently else ""
    if vendor == "sqlite":
        # Empty values sort last both ways: ascending walks the sort index forwards;
        # descending walks the first index (x, rowid) backwards, as SQLite's NULLs are the
        # smallest values (comptoir.core.search.compiler.order_by).
        return [
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({lead}{expr})',
            f'CREATE INDEX IF NOT EXISTS "{name}_sort" ON "{table}" '
            f'({lead}({expr} IS NULL), {expr}, "id")',
        ]
    # PostgreSQL: a btree (expr, id) serves equality, ranges and ASC NULLS LAST sorts; the
    # second, DESC NULLS LAST sorts.
    return [
        f'CREATE INDEX {how}IF NOT EXISTS "{name}" ON "{table}" ({lead}({expr}), "id")',
        f'CREATE INDEX {how}IF NOT EXISTS "{name}_desc" ON "{table}" '
        f'({lead}({expr}) DESC NULLS LAST, "id" DESC)',
    ]


def drop_statements(name: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f'DROP INDEX IF EXISTS "{name}"', f'DROP INDEX IF EXISTS "{name}_sort"']
    return [f'DROP INDEX IF EXISTS "{name}"', f'DROP INDEX IF EXISTS "{name}_desc"']


BUILTIN_PREFIX = "json_"
ON_DEMAND_PREFIX = "prop_"


def _index_name(ot, defn) -> str:
    return f"{ON_DEMAND_PREFIX}{ot.name}_{defn.name}"[:60]


def builtin_index_name(ot, name: str) -> str:
    """The name of a built-in (migration-made) index on a JSON property."""
    return f"{BUILTIN_PREFIX}{ot.singular}_{name}"[:60]


def builtin_indexed_properties(ot) -> tuple[str, ...]:
    """The JSON properties of a type whose filter and sort indexes come with migrations:
    its list's name and default columns, its quick filters and the pages' `indexed_properties`."""
    if not ot.pages:
        return ()
    json_names = {p.name for p in ot.properties if not p.column}
    pages = ot.pages
    names = (
        pages.name_property,
        *pages.list_columns,
        *pages.quick_filters,
        *pages.indexed_properties,
    )
    return tuple(n for n in dict.fromkeys(names) if n in json_names)


def existing_indexes(table: str) -> set[str]:
    """The names of the indexes a table has in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table]
            )
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def on_demand_indexes(ot):
    """The definitions of a type holding an on-demand index (what the cap counts)."""
    return PropertyDefinition.objects.filter(
        object_type=ot.name, index_name__startswith=ON_DEMAND_PREFIX
    )


def ensure_property_index(object_type, name: str) -> str:
    """Build the index of one property if missing; returns its name.

    On PostgreSQL the index is built CONCURRENTLY (writes go on meanwhile), so this must
    run outside a transaction: from the worker task `build_property_index`.
    """
    ot = get_object_type(object_type)
    defn = registry.definition(ot, name)
    if defn.index_name:
        return defn.index_name
    if defn.column:
        return ""  # hot columns are indexed by migrations
    if on_demand_indexes(ot).count() >= settings.COMPTOIR_MAX_PROPERTY_INDEXES:
        message = (
            f"{ot.name} already have {settings.COMPTOIR_MAX_PROPERTY_INDEXES} indexed "
            "properties; remove one before adding another"
        )
        raise ValidationFailed([PropertyError(name, "TOO_MANY_INDEXES", message)], message)
    vendor = connection.vendor
    table = ot.model._meta.db_table
    index = _index_name(ot, defn)
    prefix = '"object_type_name"' if ot.is_activity else ""
    concurrently = vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        if concurrently:  # waits for every older transaction: no lock_timeout (config/env.py)
            cursor.execute("SET lock_timeout = 0")
        try:
            for statement in index_statements(
                table,
                index,
                value_sql(defn, vendor),
                vendor,
                prefix=prefix,
                concurrently=concurrently,
            ):
                cursor.execute(statement)
        finally:
            if concurrently:
                cursor.execute("RESET lock_timeout")
        if vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")
            cursor.execute(f'ANALYZE "{table}"')
    with transaction.atomic():
        PropertyDefinition.objects.filter(pk=defn.pk).update(index_name=index)
        registry.invalidate()
    return index


def drop_property_index(object_type, name: str) -> None:
    """Drop a property's on-demand index (built-in ones belong to migrations)."""
    ot = get_object_type(object_type)
    defn = registry.definition(ot, name)
    if not defn.index_name.startswith(ON_DEMAND_PREFIX):
        return
    with connection.cursor() as cursor:
        for statement in drop_statements(defn.index_name, connection.vendor):
            cursor.execute(statement)
    PropertyDefinition.objects.filter(pk=defn.pk).update(index_name="")
    registry.invalidate()


def hot_column_indexes(table: str, columns: dict[str, tuple[str, bool]], prefix: str = ""):
    """A migration operation adding SQLite's filter and sort indexes for hot columns:
    {index name: (column, folded)}; folded columns compare through comptoir_lower().

    PostgreSQL needs none: the model's (LOWER(x), id) indexes filter and sort NULLS LAST.
    """
    from django.db import migrations

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for folded, statements in _hot_statements(table, columns, vendor, prefix):
                # Unfolded columns already have Django's plain index for filtering.
                for statement in statements if folded else statements[1:]:
                    cursor.execute(statement)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for name in columns:
                for statement in drop_statements(name, "sqlite"):
                    cursor.execute(statement)

    return migrations.RunPython(forward, backward)


def _hot_statements(table: str, columns: dict[str, tuple[str, bool]], vendor: str, prefix: str):
    """(folded, `index_statements`) for each hot column {index name: (column, folded)}."""
    for name, (column, folded) in columns.items():
        expr = lower_sql(f'"{column}"', vendor) if folded else f'"{column}"'
        yield folded, index_statements(table, name, expr, vendor, prefix=prefix)


def descending_sort_indexes(table: str, columns: dict[str, tuple[str, bool]], prefix: str = ""):
    """A migration operation adding PostgreSQL's indexes for descending sorts, empty values
    last (the last statement of `index_statements`), for hot columns: {index name: (column,
    folded)}, the names of `hot_column_indexes`. SQLite walks its filter index backwards."""
    from django.db import migrations

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for _folded, statements in _hot_statements(table, columns, vendor, prefix):
                cursor.execute(statements[-1])

    def backward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for name in columns:
                cursor.execute(drop_statements(name, vendor)[-1])

    return migrations.RunPython(forward, backward)


def builtin_property_indexes(table: str, properties: dict[str, tuple[str, str]], prefix: str = ""):
    """A migration operation adding the filter and sort indexes of JSON properties:
    {index name: (property name, property type)}, the names of `builtin_index_name`, the
    SQL of `value_sql` (what the compiler emits). The migration must be `atomic = False`:
    PostgreSQL builds them CONCURRENTLY, so that an upgrade does not stop writes."""
    from django.db import migrations

    def forward(apps, schema_editor):
        conn = schema_editor.connection
        vendor = conn.vendor
        concurrently = vendor == "postgresql" and not conn.in_atomic_block
        with conn.cursor() as cursor:
            for index, (name, type_name) in properties.items():
                expr = value_sql(PropertyDefinition(name=name, type=type_name), vendor)
                for statement in index_statements(
                    table, index, expr, vendor, prefix=prefix, concurrently=concurrently
                ):
                    cursor.execute(statement)

    def backward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        with schema_editor.connection.cursor() as cursor:
            for index in properties:
                for statement in drop_statements(index, vendor):
                    cursor.execute(statement)

    return migrations.RunPython(forward, backward)


def index_sizes(names) -> dict[str, int | None]:
    """Bytes on disk of each named index (both of its statements' indexes together): PostgreSQL's
    pg_relation_size, SQLite's dbstat when compiled in; None when unknown."""
    return relation_sizes({name: _parts(name, connection.vendor) for name in names})


def relation_sizes(groups: dict[str, list[str]]) -> dict[str, int | None]:
    """Bytes on disk of each group of relations {name: its parts} (an index and its sort
    index; an FTS table's shadow tables): PostgreSQL's pg_relation_size, SQLite's dbstat
    aggregate rows (one name at a time, which does not walk the whole file) when compiled in;
    None when unknown or when a part is missing."""
    if not groups:
        return {}
    every = [part for group in groups.values() for part in group]
    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
                "WHERE c.relname = ANY(%s)",
                [every],
            )
            sizes = dict(cursor.fetchall())
        elif connection.vendor == "sqlite" and _has_dbstat(cursor):
            for part in every:  # dbstat answers one name at a time through its constraint
                cursor.execute(
                    "SELECT pgsize FROM dbstat WHERE name = %s AND aggregate = TRUE", [part]
                )
                row = cursor.fetchone()
                if row:
                    sizes[part] = row[0]
        else:
            return dict.fromkeys(groups)
    return {
        name: sum(sizes[p] for p in group) if all(p in sizes for p in group) else None
        for name, group in groups.items()
    }


def _parts(name: str, vendor: str) -> list[str]:
    return [name, f"{name}_sort" if vendor == "sqlite" else f"{name}_desc"]


def _has_dbstat(cursor) -> bool:
    from django.db import DatabaseError

    try:
        cursor.execute("SELECT 1 FROM dbstat LIMIT 1")
    except DatabaseError:
        return False
    return True
