"""Changing the same few properties of many records at once, as `update_record` would one by
one: same validation, same `clean`, same history rows, same observers, but one UPDATE
statement per property (and one for `updated_at`) and one history insert per call.

Used for derived values written by the system (rollups: counts of associated records,
last-activity dates), where an import touching 10,000 companies spent most of its time in
one `update_record` per company. A record whose change reaches further than its own stored
values (its search text, an owner / stage / lifecycle timeline event, an activity's date
that rolls up, a unique value, automations) is handed to `update_record` itself, so the
result is always the one single writes give.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from comptoir.core.history.models import PropertyChange
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.records import observers
from comptoir.core.records.behavior import behavior_for
from comptoir.core.records.bulk import _JSON, HISTORY_COLUMNS, _Prep, insert_rows
from comptoir.core.records.observers import Change
from comptoir.core.records.validation import Validator, check_required
from comptoir.core.records.values import _attname
from comptoir.core.records.writes import apply_values, automations_on, update_record

# Changes to these make `update_record` write more than the record's values (timeline events).
_EVENTFUL = frozenset({"hubspot_owner_id", "dealstage", "lifecyclestage"})
ROWS_PER_STATEMENT = 500
# Bound parameters a statement may carry: SQLite refuses more than 32,766 and PostgreSQL
# 65,535; a record changing many properties at once (an import of wide rows) takes fewer
# records a statement.
MAX_PARAMETERS = 30_000


def update_records_in_bulk(
    object_type, updates, *, source: ChangeSource, allow_read_only: bool = False
) -> list[int]:
    """`updates` = [(record instance, {property: value})]; returns the ids of the records
    that changed. Unchanged values write nothing; invalid values raise ValidationFailed
    (nothing of the call is kept, as `update_record` inside the caller's transaction)."""
    ot = get_object_type(object_type)
    behavior = behavior_for(ot)
    defs = registry.definitions(ot)
    validate = Validator(ot, allow_read_only=allow_read_only)
    further = set(ot.searchable_properties) | _EVENTFUL
    if ot.is_activity:
        further.add("hs_timestamp")
    now = timezone.now()
    changed_ids, history, written = [], [], []
    # {(what changes): [(record, {column or JSON key: prepared value})]}: the records whose
    # same properties change are written by one UPDATE (every changed property and
    # updated_at at once: one new row version each on PostgreSQL, one pass of SQLite's
    # triggers and expression indexes, instead of one per property).
    groups: dict[tuple, list] = defaultdict(list)
    history_columns = _HistoryColumns(ot, source, now)
    with transaction.atomic():
        for record, properties in updates:
            values, errors = validate(properties)
            if errors:
                raise ValidationFailed(errors)
            before = observers.notes(ot, record)
            cleaned = dict(values)
            behavior.clean(cleaned, record, errors, now=now)
            check_required(ot, cleaned, errors, record)
            if errors:
                raise ValidationFailed(errors)
            if automations_on(source) or any(
                name in further or defs[name].has_unique_value for name in cleaned
            ):
                old_stamp = record.updated_at
                update_record(
                    ot, record, properties, source=source, allow_read_only=allow_read_only
                )
                if record.updated_at != old_stamp:
                    changed_ids.append(record.pk)
                continue
            changes, _old = apply_values(ot, record, cleaned)
            if not changes:
                continue
            record.updated_at = now
            changed_ids.append(record.pk)
            shape, row = [], [record.pk]
            for name in sorted(changes):
                defn = defs[name]
                if defn.column:
                    attname = _attname(defn)
                    shape.append(("column", attname))
                    row.append(getattr(record, attname))
                else:
                    value = record.properties.get(name)
                    shape.append(("key" if value is not None else "removed", name))
                    if value is not None:
                        row.append(_JSON.encode(value))
            groups[tuple(shape)].append(row)
            history.extend(history_columns(record.pk, changes))
            written.append(Change(record.pk, record, changes, before=before))
        if written:
            for shape, rows in groups.items():
                _write(ot, shape, rows, now)
            insert_rows(PropertyChange._meta.db_table, HISTORY_COLUMNS, history)
            observers.written(ot, written, source)
    return changed_ids


class _HistoryColumns:
    """History rows as tuples for `insert_rows` (COPY on PostgreSQL), what `history_rows`
    builds as model instances."""

    def __init__(self, ot, source: ChangeSource, now):
        self.type_id = ot.type_id
        changed_at = _Prep(PropertyChange._meta.get_field("changed_at"))(now)
        self.tail = (changed_at, source.type, source.id, source.actor_id, source.request_id)

    def __call__(self, pk, changes: dict) -> list[tuple]:
        return [(self.type_id, pk, name, value, *self.tail) for name, value in changes.items()]


def _write(ot, shape: tuple, rows: list, now) -> None:
    """UPDATE the records `rows` [(id, value...)] whose changes have the same `shape`
    [(kind, column or key)], ROWS_PER_STATEMENT records a statement."""
    model = ot.model
    table = model._meta.db_table
    postgres = connection.vendor == "postgresql"
    assignments, preps, keys, removed = [], [], [], []
    stamp = _Prep(model._meta.get_field("updated_at"))(now)
    position = 0
    for kind, name in shape:
        if kind == "removed":
            removed.append(name)
            continue
        position += 1
        value = f"v.c{position}"
        if kind == "key":
            keys.append((name, value))
            preps.append(None)
            continue
        field = model._meta.get_field(name)
        preps.append(_Prep(field))
        if postgres:  # VALUES types NULLs as text
            value = f"CAST({value} AS {field.db_type(connection)})"
        assignments.append(f'"{field.column}" = {value}')
    if keys or removed:
        assignments.append(f"properties = {_json_patch(keys, removed)}")
    assignments.append('"updated_at" = %s')
    prepared = []
    for row in rows:
        out = [row[0]]
        for prep, value in zip(preps, row[1:], strict=True):
            out.append(value if prep is None else prep(value))
        prepared.append(out)
    per_statement = max(1, min(ROWS_PER_STATEMENT, (MAX_PARAMETERS - 1) // len(prepared[0])))
    for start in range(0, len(prepared), per_statement):
        _update_from_values(
            table, ", ".join(assignments), [stamp], prepared[start : start + per_statement]
        )


def _json_patch(keys: list[tuple[str, str]], removed: list[str]) -> str:
    """`properties` with some keys set from JSON text [(key, SQL of the text)] and others
    removed."""
    if connection.vendor == "postgresql":
        expr = "properties"
        if removed:
            names = ", ".join("'" + k.replace("'", "''") + "'" for k in removed)
            expr = f"({expr} - ARRAY[{names}]::text[])"
        if keys:
            pairs = ", ".join(
                "'" + k.replace("'", "''") + f"', {value}::jsonb" for k, value in keys
            )
            expr = f"({expr} || jsonb_build_object({pairs}))"
        return expr

    def path(name):
        return "'$.\"" + name.replace("'", "''").replace('"', '\\"') + "\"'"

    expr = "properties"
    if removed:
        expr = f"json_remove({expr}, {', '.join(path(k) for k in removed)})"
    if keys:
        pairs = ", ".join(f"{path(k)}, json({value})" for k, value in keys)
        expr = f"json_set({expr}, {pairs})"
    return expr


def _update_from_values(table: str, assignments: str, params: list, rows: list[list]) -> None:
    """One UPDATE of the rows [(id, value...)] of `table`, joined on a VALUES list v(id, c1,
    c2...); `params` fill the `%s` of `assignments`."""
    width = len(rows[0])
    marks = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    params = params + [p for row in rows for p in row]
    names = ", ".join(["id"] + [f"c{n}" for n in range(1, width)])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VALUES guesses its columns' types from the first row: name them.
            cursor.execute(
                f'UPDATE "{table}" SET {assignments} FROM (SELECT * FROM (VALUES {marks}) '
                f'AS r({names})) AS v WHERE "{table}".id = v.id::bigint',
                params,
            )
        else:
            columns = ", ".join(
                f"column{n + 1} AS {name}" for n, name in enumerate(names.split(", "))
            )
            cursor.execute(
                f'UPDATE "{table}" SET {assignments} FROM (SELECT {columns} '
                f'FROM (VALUES {marks})) AS v WHERE "{table}".id = v.id',
                params,
            )
