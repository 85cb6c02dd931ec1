"""Per-object-type rules hooked into the generic write path.

The generic engine (services.py) validates, stores, and records history; a behaviour
adds what only one object type needs (deal stages, contact email domains...) and the
automations that follow a write. Automations are explicit calls, never signals.
"""

from comptoir.core.objects.registry import ObjectType
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import to_api_string
from comptoir.core.records.values import base_queryset


class RecordBehavior:
    def __init__(self, object_type: ObjectType):
        self.ot = object_type

    def clean(self, values: dict, record, errors: list, now=None) -> None:
        """Adjust `values` (canonical) before saving: derive values, add PropertyErrors.
        `now` is the time of the write (a record's creation time when seeding or importing)."""

    def clean_bulk(self, rows: list[dict], errors: list[list], times=None) -> None:
        """clean() for many new records at once; default: one by one."""
        for index, (values, row_errors) in enumerate(zip(rows, errors, strict=True)):
            if not row_errors:
                self.clean(values, None, row_errors, now=times[index] if times else None)

    def after_create(self, record, changes: dict, source) -> None:
        """Automations after a record was created (same transaction)."""

    def after_bulk_create(self, created: list[tuple[int, dict]], source) -> None:
        """after_create() for records created in bulk: [(id, canonical values)].
        Default: one by one; a type whose automation can batch overrides it."""
        if type(self).after_create is RecordBehavior.after_create:
            return

        defs = registry.definitions(self.ot)
        records = base_queryset(self.ot).in_bulk([pk for pk, _ in created])
        for pk, values in created:
            changes = {n: to_api_string(defs[n], v) for n, v in values.items() if v is not None}
            self.after_create(records[pk], changes, source)

    def after_update(self, record, changes: dict, old: dict, source) -> None:
        """Automations after a record changed; `old` holds the previous canonical values."""

    def after_associate(self, record_id: int, to_ot: ObjectType, to_id: int, source) -> None:
        """Automations after this record gained an association."""


_instances: dict[str, RecordBehavior] = {}


def behavior_for(ot: ObjectType) -> RecordBehavior:
    if ot.name not in _instances:
        # The type's app names its class in the type's description (objecttype.py).
        _instances[ot.name] = (ot.behavior or RecordBehavior)(ot)
    return _instances[ot.name]
