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
from comptoir.core.history.services import history_rows
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.records import observers
from comptoir.core.records.behavior import behavior_for
from comptoir.core.records.bulk import _JSON, _Prep
from comptoir.core.records.observers import Change
from comptoir.core.records.validation import Validator, check_required
from comptoir.core.records.values import _attname
from comptoir.core.records.writes import apply_values, automations_on, update_record

# Changes to these make `update_record` write more than the record's values (timeline events).
_EVENTFUL = frozenset({"hubspot_owner_id", "dealstage", "lifecyclestage"})
ROWS_PER_STATEMENT = 500


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
    columns: dict[str, list] = defaultdict(list)  # {attname: [record]}
    keys: dict[str, list] = defaultdict(list)  # {JSON property: [(id, JSON text or None)]}
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
            for name in changes:
                defn = defs[name]
                if defn.column:
                    columns[_attname(defn)].append(record)
                else:
                    value = record.properties.get(name)
                    keys[name].append((record.pk, None if value is None else _JSON.encode(value)))
            history.extend(history_rows(ot.type_id, record.pk, changes, source, now))
            written.append(Change(record.pk, record, changes, before=before))
        if written:
            _write(ot, [c.record_id for c in written], columns, keys, now)
            PropertyChange.objects.bulk_create(history, batch_size=ROWS_PER_STATEMENT)
            observers.written(ot, written, source)
    return changed_ids


def _write(ot, ids, columns, keys, now) -> None:
    model = ot.model
    table = model._meta.db_table
    for start in range(0, len(ids), ROWS_PER_STATEMENT):
        model.objects.filter(pk__in=ids[start : start + ROWS_PER_STATEMENT]).update(updated_at=now)
    for attname, records in columns.items():
        field = model._meta.get_field(attname)
        prep = _Prep(field)
        for start in range(0, len(records), ROWS_PER_STATEMENT):
            chunk = records[start : start + ROWS_PER_STATEMENT]
            value = "v.value"
            if connection.vendor == "postgresql":  # VALUES types NULLs as text
                value = f"CAST(v.value AS {field.db_type(connection)})"
            _update_from_values(
                table,
                f'"{field.column}" = {value}',
                [(r.pk, prep(getattr(r, attname))) for r in chunk],
            )
    for name, rows in keys.items():
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            _update_from_values(
                table, _json_assignment(name), rows[start : start + ROWS_PER_STATEMENT]
            )


def _json_assignment(name: str) -> str:
    """SET clause writing one key of `properties` from v.value (JSON text; NULL removes it)."""
    if connection.vendor == "postgresql":
        key = name.replace("'", "''")
        return (
            f"properties = CASE WHEN v.value IS NULL THEN properties - '{key}' "
            f"ELSE jsonb_set(properties, ARRAY['{key}'], v.value::jsonb) END"
        )
    path = '$."' + name.replace("'", "''").replace('"', '\\"') + '"'
    return (
        f"properties = CASE WHEN v.value IS NULL THEN json_remove(properties, '{path}') "
        f"ELSE json_set(properties, '{path}', json(v.value)) END"
    )


def _update_from_values(table: str, assignment: str, rows: list[tuple]) -> None:
    """One UPDATE of the rows [(id, value)] of `table`, joined on a VALUES list."""
    marks = ", ".join(["(%s, %s)"] * len(rows))
    params = [p for row in rows for p in row]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VALUES guesses its columns' types from the first row: name them.
            cursor.execute(
                f'UPDATE "{table}" SET {assignment} FROM (SELECT * FROM (VALUES {marks}) '
                f'AS r(id, value)) AS v WHERE "{table}".id = v.id::bigint',
                params,
            )
        else:
            cursor.execute(
                f'UPDATE "{table}" SET {assignment} FROM (SELECT column1 AS id, column2 AS value '
                f'FROM (VALUES {marks})) AS v WHERE "{table}".id = v.id',
                params,
            )
