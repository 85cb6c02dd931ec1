"""The bulk write path: many new records at once, same rules, history included.

Used by imports and demo data. Rows are validated exactly like `create_record` does;
good rows are inserted with `executemany` (SQLite) or COPY (PostgreSQL) together with
their history and associations, in one transaction per call. Bad rows are reported,
never half-saved. On SQLite the substring indexes get the new rows with one
`INSERT ... SELECT` per index and call (`substring_indexes.filled_in_bulk`), not by
their per-row insert triggers.
"""

import json
import sqlite3
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format

from comptoir.core.associations import types as atypes
from comptoir.core.history.models import PropertyChange
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import to_api_string
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.expressions import prop_expression
from comptoir.core.properties.substring_indexes import filled_in_bulk
from comptoir.core.records import observers, rollups
from comptoir.core.records.behavior import behavior_for
from comptoir.core.records.observers import AssociationRow, Change
from comptoir.core.records.validation import Validator, check_required
from comptoir.core.records.values import base_queryset, write_value
from comptoir.core.records.writes import automations_on, search_document, searchable_definitions


@dataclass
class BulkResult:
    ids: list = field(default_factory=list)  # new id per row, None for refused rows
    errors: dict = field(default_factory=dict)  # row index -> [PropertyError]

    @property
    def created(self) -> int:
        return sum(1 for i in self.ids if i is not None)


def allocate_ids(model, count: int) -> list[int]:
    """Reserve `count` primary keys (inside the caller's transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The transaction holds SQLite's write lock (BEGIN IMMEDIATE): nobody else inserts.
            # Tables are AUTOINCREMENT: ids of deleted (purged) rows are never given again,
            # so start above the highest id ever used, not only above the live ones.
            cursor.execute(
                f'SELECT MAX(COALESCE((SELECT MAX(id) FROM "{table}"), 0), '
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_binary(cursor.cursor, table, names, columns, rows)
        else:
            _insert_many(cursor.cursor, table, names, len(columns), rows)


SQLITE_ROWS_PER_INSERT = 500


def _insert_many(cursor, table: str, names: str, width: int, rows: list[tuple]) -> None:
    """Several rows per INSERT statement on SQLite: each statement of a transaction that
    fires triggers (the full-text index) opens and releases a statement journal, and that
    cost grows with the transaction's dirty pages: one statement per row made a contacts
    import spend half its time there."""
    most = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(SQLITE_ROWS_PER_INSERT, most // width))
    row_marks = "(" + ", ".join(["?"] * width) + ")"
    # sqlite3's own execute, written with "?": Django's wrapper would rewrite every "%s" of
    # a 12,000-parameter statement with a regular expression (7% of an import's time).
    execute = sqlite3.Cursor.execute
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        values = ", ".join([row_marks] * len(chunk))
        params = [value for row in chunk for value in row]
        execute(cursor, f'INSERT INTO "{table}" ({names}) VALUES {values}', params)


def _copy_binary(cursor, table: str, names: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY in binary: psycopg writes each value with the dumper of its column's type, five
    times less CPU than the text format's per-value type lookup and escaping. Binary COPY
    casts nothing, so the column types are read from the catalog."""
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
        [f'"{table}"'],
    )
    oids = dict(cursor.fetchall())
    cursor.adapters.register_dumper(None, _JsonTextDumper)  # this cursor only
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN (FORMAT BINARY)') as copy:
        copy.set_types([oids[c] for c in columns])
        for row in rows:
            copy.write_row(row)


class _JsonTextDumper(Dumper):
    """jsonb from the JSON text `_prep` made: jsonb's binary form is version 1, then text."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj):
        return b"\x01" + obj.encode()


# One encoder for every row: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _prep(model_field, value):
    if value is None:
        return None
    if model_field.get_internal_type() == "JSONField":
        return _JSON.encode(value)
    return model_field.get_db_prep_save(value, connection)


# Values of these Python types go to these fields' columns as they are.
_PLAIN_TYPES = {
    "CharField": (str,),
    "TextField": (str,),
    "BooleanField": (bool,),
    "IntegerField": (int,),
    "BigIntegerField": (int,),
    "AutoField": (int,),
    "BigAutoField": (int,),
    "ForeignKey": (int,),
}


class _Prep:
    """`_prep` for one field, remembering the result for repeated values (the same creation
    time on every history row of a record, enumeration values...). Decimals are not
    remembered: Decimal("1.0") == Decimal("1.00") but they are not the same value.
    `plain`: the value types that need no preparation at all (checked inline by callers)."""

    def __init__(self, model_field):
        self.field = model_field
        kind = model_field.get_internal_type()
        self.memo = None if kind in ("JSONField", "DecimalField") else {}
        self.plain = _PLAIN_TYPES.get(kind, ())

    def __call__(self, value):
        if value is None or self.memo is None:
            return _prep(self.field, value)
        key = (value.__class__, value)
        try:
            return self.memo[key]
        except KeyError:
            prepared = self.memo[key] = _prep(self.field, value)
            return prepared
        except TypeError:  # unhashable
            return _prep(self.field, value)


def _unique_conflicts(ot, rows: list[dict], errors: dict, user=None) -> None:
    """Refuse rows whose unique values exist already or repeat an earlier row; an existing
    record is named only when `user` may see it (None: the system, always)."""
    defs = registry.definitions(ot)
    for name, defn in defs.items():
        if not defn.has_unique_value:
            continue
        wanted = {}
        for index, values in enumerate(rows):
            value = values.get(name)
            if value is None or index in errors:
                continue
            if value in wanted:
                errors[index] = [
                    PropertyError(
                        name, "DUPLICATE_VALUE", f"{value!r} appears twice in this batch", value
                    )
                ]
                continue
            wanted[value] = index
        keys = list(wanted)
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            found = list(
                base_queryset(ot)
                .annotate(_v=prop_expression(ot, defn))
                .filter(_v__in=chunk)
                .values_list("_v", "pk")
            )
            shown = _shown_ids(ot, [pk for _, pk in found], user)
            for value, pk in found:
                index = wanted.get(value)
                if index is not None:
                    errors[index] = [_taken(ot, name, value, pk if pk in shown else None)]


def _shown_ids(ot, pks: list[int], user) -> set[int]:
    if user is None or not pks:
        return set(pks)
    return set(base_queryset(ot, user=user).filter(pk__in=pks).values_list("pk", flat=True))


def _taken(ot, name, value, existing_id: int | None) -> PropertyError:
    """A row's unique value held by a record (`existing_id` None: one the user may not see,
    which the message does not name)."""
    holder = f"{ot.singular} {existing_id}" if existing_id else f"another {ot.singular}"
    error = PropertyError(name, "DUPLICATE_VALUE", f"{value!r} already belongs to {holder}", value)
    error.taken = True  # by a record, not by an earlier row of the batch
    error.existing_id = existing_id
    return error


def bulk_create_records(
    object_type,
    rows: list[dict],
    *,
    source: ChangeSource,
    associations: list | None = None,
    times: list | None = None,
    automations: bool = False,
    rollups_now: bool = True,
    user=None,
) -> BulkResult:
    """Create many records; `associations[i]` = [(to_type, to_id, [type ids] | None)] and
    `times[i]` the creation time of row i (default now). Targets must exist.

    `automations`: run the object type's automations for the new records, as single
    creates do (API batches); demo data sets its associations and stages itself.
    The rollups of the records the new ones are associated with (last activity, counts of
    associated records) are derived data, kept by every write, automations or not;
    `rollups_now=False` leaves them to the caller, who recomputes them once at the end
    (demo data: `rollups.recompute_all`).
    `user`: the person creating them (None: the system), whose refusals name only
    records they may see; the callers checked the association targets."""
    ot = get_object_type(object_type)
    model = ot.model
    behavior = behavior_for(ot)
    now = timezone.now()
    result = BulkResult(ids=[None] * len(rows))

    validate = Validator(ot)
    cleaned, row_errors = [], []
    for raw in rows:
        values, errs = validate(raw)
        cleaned.append(values)
        row_errors.append(errs)
    behavior.clean_bulk(cleaned, row_errors, times)
    for values, errs in zip(cleaned, row_errors, strict=True):
        if not errs:
            check_required(ot, values, errs)
    errors = {i: errs for i, errs in enumerate(row_errors) if errs}

    # Everything but the ids is computed before the transaction, so the write lock
    # (SQLite has one writer) is held only for the unique check, the ids and the inserts.
    maker = _RowMaker(ot, source)
    early = not maker.needs_pk
    prepared = {}
    if early:
        for index, values in enumerate(cleaned):
            if index not in errors:
                at = times[index] if times else now
                links = associations[index] if associations else []
                prepared[index] = maker.prepare(values, at, links)

    with transaction.atomic():
        _unique_conflicts(ot, cleaned, errors, user)
        good = [i for i in range(len(rows)) if i not in errors]
        ids = allocate_ids(model, len(good))
        record_rows, history_rows, association_rows = [], [], []
        for index, pk in zip(good, ids, strict=True):
            if early:
                rows_of_record = prepared.pop(index)
            else:
                at = times[index] if times else now
                links = associations[index] if associations else []
                rows_of_record = maker.prepare(cleaned[index], at, links, pk)
            maker.emit(rows_of_record, pk, record_rows, history_rows, association_rows)
            result.ids[index] = pk
        with filled_in_bulk(ot, ids):
            insert_rows(model._meta.db_table, maker.columns, record_rows)
        insert_rows(PropertyChange._meta.db_table, HISTORY_COLUMNS, history_rows)
        insert_rows("core_association", ASSOCIATION_COLUMNS, association_rows)
        if automations and automations_on(source):
            behavior.after_bulk_create([(result.ids[i], cleaned[i]) for i in good], source)
        if associations and rollups_now and good:
            rollups.after_bulk_links(ot, [associations[i] for i in good], source)
        created = [
            Change(result.ids[i], values=cleaned[i], at=times[i] if times else now, kind="created")
            for i in good
        ]
        observers.written(ot, created, source)
        if association_rows:
            observers.associations_written(
                [AssociationRow(*row) for row in association_rows], False, source
            )
    result.errors = errors
    return result


HISTORY_COLUMNS = [
    "object_type",
    "object_id",
    "property",
    "value",
    "changed_at",
    "source_type",
    "source_id",
    "actor_id",
    "request_id",
]
ASSOCIATION_COLUMNS = ["from_type", "from_id", "to_type", "to_id", "type_id", "category"]


class _RowMaker:
    """The database rows of new records: `prepare` all but the id, `emit` with the id."""

    def __init__(self, ot, source: ChangeSource):
        self.ot, self.model = ot, ot.model
        self.defs = registry.definitions(ot)
        fields = list(self.model._meta.concrete_fields)
        self.columns = [f.column for f in fields]
        self.preps = [(f.attname, prep.plain, prep) for f in fields for prep in [_Prep(f)]]
        # A new record's attributes, set directly: Model.__init__ costs more than the rest
        # of preparing the row. Callable defaults (mutable ones) are called per record.
        called = [f for f in fields if f.has_default() and callable(f.default)]
        self.fixed_defaults = {f.attname: f.get_default() for f in fields if f not in called}
        self.callable_defaults = [(f.attname, f.default) for f in called]
        self.pk_position = next(i for i, f in enumerate(fields) if f.primary_key)
        _, self.pk_plain, self.prep_pk = self.preps[self.pk_position]
        self.prep_changed_at = _Prep(PropertyChange._meta.get_field("changed_at"))
        primary = atypes.primary_type(ot, "companies") if ot.name == "contacts" else None
        self.link_types = _LinkTypes(ot, primary)
        self.source_columns = (source.type, source.id, source.actor_id, source.request_id)
        # The search text is built before the id exists, unless the id is searchable.
        self.needs_pk = "hs_object_id" in ot.searchable_properties
        self.searchable = searchable_definitions(ot)

    def prepare(self, values: dict, at, links, pk=None) -> tuple:
        ot, defs = self.ot, self.defs
        targets, company_id = [], None
        for to_type, to_id, type_ids in links:
            to_name, chosen, primary = self.link_types(to_type, type_ids)
            targets.append((to_name, int(to_id), chosen))
            if primary and company_id is None:
                company_id = int(to_id)
        if company_id is not None:
            values["associatedcompanyid"] = company_id
        record = self.new_record(pk, at)
        for name, value in values.items():
            write_value(record, defs[name], value)
        record.search_text = search_document(ot, record, self.searchable)
        attrs = record.__dict__
        record_row = []
        for attname, plain, prep in self.preps:
            value = attrs[attname]
            record_row.append(value if value is None or value.__class__ in plain else prep(value))
        history = [
            (name, to_api_string(defs[name], value))
            for name, value in values.items()
            if value is not None
        ]
        return record_row, self.prep_changed_at(at), history, targets

    def new_record(self, pk, at):
        model = self.model
        record = model.__new__(model)
        attrs = record.__dict__
        attrs.update(self.fixed_defaults)
        for attname, default in self.callable_defaults:
            attrs[attname] = default()
        attrs["_state"] = ModelState()
        attrs[model._meta.pk.attname] = pk
        attrs.update(properties={}, created_at=at, updated_at=at)
        if self.ot.is_activity:
            attrs["object_type_name"] = self.ot.name
        return record

    def emit(self, prepared, pk, record_rows, history_rows, association_rows) -> None:
        record_row, changed_at, history, targets = prepared
        record_row[self.pk_position] = pk if pk.__class__ in self.pk_plain else self.prep_pk(pk)
        record_rows.append(tuple(record_row))
        type_id, source_columns = self.ot.type_id, self.source_columns
        for name, value in history:
            history_rows.append((type_id, pk, name, value, changed_at, *source_columns))
        name = self.ot.name
        for to_name, to_id, chosen in targets:
            for link_type, inverse_type, category in chosen:
                association_rows.append((name, pk, to_name, to_id, link_type, category))
                association_rows.append((to_name, to_id, name, pk, inverse_type, category))


class _LinkTypes:
    """(target type name, [(type id, inverse type id, category)], makes the company the
    contact's primary one) of one link, looked up once per call: the default type plus
    the requested ones (ints or strings), without repeats."""

    def __init__(self, ot, primary):
        self.ot = ot
        self.primary = primary  # a contact's primary company type, else None
        self.memo: dict = {}

    def __call__(self, to_type, type_ids):
        key = (to_type, tuple(type_ids) if type_ids else None)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._resolve(to_type, type_ids)
        return found

    def _resolve(self, to_type, type_ids):
        ot, to_ot = self.ot, get_object_type(to_type)
        chosen = [atypes.default_type(ot, to_ot)]
        chosen += [atypes.find_type(ot, to_ot, int(t)) for t in type_ids or ()]
        resolved = []
        for t in dict.fromkeys(chosen):
            if t is None:
                raise ValueError(f"unknown association type from {ot.name} to {to_ot.name}")
            resolved.append((t.type_id, t.inverse_type_id, t.category))
        primary = (
            self.primary is not None
            and to_ot.name == "companies"
            and self.primary.type_id in {int(t) for t in type_ids or ()}
        )
        return to_ot.name, resolved, primary
