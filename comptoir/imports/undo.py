"""Undo an import: what it created goes to the recycle bin, what it changed is put back
from history, unless someone changed it since (then listed, never overwritten)."""

import contextlib
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.records.services import archive_record, update_record
from comptoir.imports.models import Import, ImportBatch, ImportState

CHUNK = 500


def undoable(imp: Import) -> bool:
    return imp.state in (ImportState.DONE, ImportState.CANCELED, ImportState.FAILED) and (
        imp.created or imp.updated
    )


def undo(imp: Import, user) -> list[dict]:
    """Returns the values not put back because they changed after the import."""
    source = ChangeSource.for_user(user, SourceType.CRM_UI, id=f"undo-import-{imp.pk}")
    created, updated = defaultdict(set), defaultdict(set)
    for batch in ImportBatch.objects.filter(run__in=imp.files):  # every file's
        for ot, ids in batch.created_ids.items():
            created[ot].update(ids)
        for ot, ids in batch.updated_ids.items():
            updated[ot].update(ids)
    conflicts = []
    for ot, ids in updated.items():
        ids = sorted(ids - created[ot])
        for start in range(0, len(ids), CHUNK):
            conflicts += _restore_values(imp, ot, ids[start : start + CHUNK], source, user)
    for ot, ids in created.items():
        for pk in sorted(ids):
            with contextlib.suppress(RecordNotFound):  # deleted or merged since
                archive_record(ot, pk, source=source)
    Import.objects.filter(pk=imp.pk).update(
        state=ImportState.REVERTED, undo_conflicts=conflicts, updated_at=timezone.now()
    )
    imp.refresh_from_db()
    return conflicts


def _restore_values(imp, ot_name, ids, source, user) -> list[dict]:
    ot = get_object_type(ot_name)
    rows = PropertyChange.objects.filter(object_type=ot.type_id, object_id__in=ids)
    mine: dict = {}  # (record, property) -> the import's last change
    for change in rows.filter(source_type=SourceType.IMPORT, source_id=str(imp.pk)):
        key = (change.object_id, change.property)
        if key not in mine or change.pk > mine[key].pk:
            mine[key] = change
    if not mine:
        return []
    later, previous = set(), {}
    for change in rows.filter(property__in={p for _, p in mine}).order_by("pk"):
        key = (change.object_id, change.property)
        own = mine.get(key)
        if own is None or change.pk == own.pk:
            continue
        if change.pk > own.pk:
            later.add(key)
        else:
            previous[key] = change.value
    conflicts, values = [], defaultdict(dict)
    for key, change in mine.items():
        record_id, name = key
        if key in later:
            conflicts.append(
                {"object_type": ot.name, "id": record_id, "property": name, "value": change.value}
            )
        else:
            values[record_id][name] = previous.get(key)
    for record_id, props in values.items():
        try:
            with transaction.atomic():
                update_record(ot, record_id, props, source=source, user=user)
        except (RecordNotFound, ValidationFailed, DuplicateValue) as exc:
            for name in props:
                conflicts.append(
                    {
                        "object_type": ot.name,
                        "id": record_id,
                        "property": name,
                        "value": str(getattr(exc, "message", exc)),
                    }
                )
    return conflicts
