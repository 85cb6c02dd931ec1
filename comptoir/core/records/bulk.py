"""The bulk write path: many new records at once, same rules, history included.

Used by imports and demo data. Rows are validated exactly like `create_record` does;
good rows are inserted with `executemany` (SQLite) or COPY (PostgreSQL) together with
their history and associations, in one transaction per call. Bad rows are reported,
never half-saved.
"""

import json
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from comptoir.core.associations import types as atypes
from comptoir.core.history.models import PropertyChange
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import to_api_string
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.expressions import prop_expression
from comptoir.core.records.behavior import behavior_for
from comptoir.core.records.services import check_required, search_document, validate
from comptoir.core.records.values import base_queryset, write_value


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
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
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
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _prep(model_field, value):
    if value is None:
        return None
    if model_field.get_internal_type() == "JSONField":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return model_field.get_db_prep_save(value, connection)


def _unique_conflicts(ot, rows: list[dict], errors: dict) -> None:
    """Refuse rows whose unique values exist already or repeat an earlier row."""
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
            found = (
                base_queryset(ot)
                .alias(_v=prop_expression(ot, defn))
                .filter(_v__in=chunk)
                .values_list("_v", "pk")
            )
            for value, pk in found:
                index = wanted.get(value)
                if index is not None:
                    errors[index] = [
                        PropertyError(
                            name,
                            "DUPLICATE_VALUE",
                            f"{value!r} already belongs to {ot.singular} {pk}",
                            value,
                        )
                    ]


def bulk_create_records(
    object_type,
    rows: list[dict],
    *,
    source: ChangeSource,
    associations: list | None = None,
    times: list | None = None,
) -> BulkResult:
    """Create many records; `associations[i]` = [(to_type, to_id, [type ids] | None)] and
    `times[i]` the creation time of row i (default now). Targets must exist."""
    ot = get_object_type(object_type)
    model = ot.model
    behavior = behavior_for(ot)
    defs = registry.definitions(ot)
    now = timezone.now()
    result = BulkResult(ids=[None] * len(rows))

    cleaned, row_errors = [], []
    for raw in rows:
        values, errs = validate(ot, raw)
        cleaned.append(values)
        row_errors.append(errs)
    behavior.clean_bulk(cleaned, row_errors)
    for values, errs in zip(cleaned, row_errors, strict=True):
        if not errs:
            check_required(ot, values, errs)
    errors = {i: errs for i, errs in enumerate(row_errors) if errs}

    with transaction.atomic():
        _unique_conflicts(ot, cleaned, errors)
        good = [i for i in range(len(rows)) if i not in errors]
        ids = allocate_ids(model, len(good))
        fields = [f for f in model._meta.concrete_fields]
        columns = [f.column for f in fields]
        record_rows, history_rows, association_rows = [], [], []
        for index, pk in zip(good, ids, strict=True):
            at = times[index] if times else now
            values = cleaned[index]
            links = associations[index] if associations else []
            primary = _primary_company(ot, links)
            if primary is not None:
                values["associatedcompanyid"] = primary
            record = model(pk=pk, properties={}, created_at=at, updated_at=at)
            if ot.is_activity:
                record.object_type_name = ot.name
            for name, value in values.items():
                write_value(record, defs[name], value)
            record.search_text = search_document(ot, record)
            record_rows.append(tuple(_prep(f, getattr(record, f.attname)) for f in fields))
            for name, value in values.items():
                if value is not None:
                    history_rows.append(
                        (
                            ot.type_id,
                            pk,
                            name,
                            to_api_string(defs[name], value),
                            at,
                            source.type,
                            source.id,
                            source.actor_id,
                            source.request_id,
                        )
                    )
            association_rows.extend(_association_rows(ot, pk, links))
            result.ids[index] = pk
        insert_rows(model._meta.db_table, columns, record_rows)
        history_table = PropertyChange._meta.db_table
        history_columns = [
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
        changed_at = PropertyChange._meta.get_field("changed_at")
        insert_rows(
            history_table,
            history_columns,
            [(*r[:4], _prep(changed_at, r[4]), *r[5:]) for r in history_rows],
        )
        insert_rows(
            "core_association",
            ["from_type", "from_id", "to_type", "to_id", "type_id", "category"],
            association_rows,
        )
    result.errors = errors
    return result


def _primary_company(ot, links) -> int | None:
    primary = atypes.primary_type(ot, "companies") if ot.name == "contacts" else None
    if primary is None:
        return None
    for to_type, to_id, type_ids in links:
        if (
            get_object_type(to_type).name == "companies"
            and type_ids
            and primary.type_id in type_ids
        ):
            return int(to_id)
    return None


def _association_rows(ot, pk, links) -> list[tuple]:
    rows = []
    for to_type, to_id, type_ids in links:
        to_ot = get_object_type(to_type)
        chosen = [atypes.default_type(ot, to_ot)]
        chosen += [atypes.find_type(ot, to_ot, int(t)) for t in type_ids or ()]
        for t in dict.fromkeys(chosen):
            if t is None:
                raise ValueError(f"unknown association type from {ot.name} to {to_ot.name}")
            rows.append((ot.name, pk, to_ot.name, int(to_id), t.type_id, t.category))
            rows.append((to_ot.name, int(to_id), ot.name, pk, t.inverse_type_id, t.category))
    return rows
