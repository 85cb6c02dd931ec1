"""Undo an import: what it created goes to the recycle bin, what it changed is put back
from history, unless someone changed it since (then listed, never overwritten).

Run by the worker as imports are: `start` claims it (UNDOING, a conditional UPDATE, so a
double click queues one undo), each run claims it by raising `attempt`, and beats the
heart (`updated_at`) as it goes. One silent for stall_after() lost its worker: the
scheduler queues it again (resume_interrupted). Running it again is exact: what is
archived stays archived, and the values the undo itself put back are not conflicts."""

import contextlib
import logging
import time
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.records.writes import archive_record, update_record
from comptoir.core.scheduling.requeue import requeue_quiet
from comptoir.imports.models import Import, ImportBatch, ImportState, stall_after

logger = logging.getLogger("comptoir.imports")

CHUNK = 500
UNDOABLE = (ImportState.DONE, ImportState.CANCELED, ImportState.FAILED)


class Superseded(Exception):
    """Another run took the undo over (this one was thought dead)."""


def undoable(imp: Import) -> bool:
    return imp.state in UNDOABLE and (imp.created or imp.updated)


def _claim(imp: Import, user) -> bool:
    return bool(
        Import.objects.filter(pk=imp.pk, state__in=UNDOABLE)
        .filter(Q(created__gt=0) | Q(updated__gt=0))
        .update(
            state=ImportState.UNDOING,
            undo_from=F("state"),
            undo_user=user,
            updated_at=timezone.now(),
        )
    )


def start(imp: Import, user) -> bool:
    """Mark the import UNDOING and queue the undo; False when it is not undoable (any
    more: another click, or another tab, started it)."""
    # Imported here: comptoir.imports.tasks imports this module when loaded.
    from comptoir.imports.tasks import undo_import

    if not _claim(imp, user):
        return False
    transaction.on_commit(lambda: undo_import.enqueue(imp.pk, user.pk))
    return True


def undo(imp: Import, user) -> list[dict]:
    """Undo at once, in this process. Returns the values not put back because they
    changed after the import."""
    _claim(imp, user)
    run(imp.pk, user.pk)
    imp.refresh_from_db()
    return imp.undo_conflicts


def run(import_id: int, user_id: int | None = None):
    """The worker's undo; returns the number of conflicts, or why it did nothing."""
    claimed = Import.objects.filter(pk=import_id, state=ImportState.UNDOING).update(
        attempt=F("attempt") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return "not claimed"
    imp = Import.objects.select_related("undo_user", "user").get(pk=import_id)
    mine = Import.objects.filter(pk=imp.pk, attempt=imp.attempt, state=ImportState.UNDOING)
    user = imp.undo_user or imp.user
    if user is None and user_id is not None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=user_id).first()
    try:
        conflicts = _revert(imp, user, _Heart(mine))
    except Superseded:
        return "superseded"
    except Exception:
        mine.update(state=F("undo_from"), updated_at=timezone.now())
        logger.exception("undo of import %s failed", import_id)
        raise
    if not mine.update(
        state=ImportState.REVERTED, undo_conflicts=conflicts, updated_at=timezone.now()
    ):
        return "superseded"
    return len(conflicts)


class _Heart:
    def __init__(self, mine):
        self.mine, self.at = mine, time.monotonic()

    def beat(self) -> None:
        if time.monotonic() - self.at < settings.COMPTOIR_IMPORT_HEARTBEAT:
            return
        if not self.mine.update(updated_at=timezone.now()):
            raise Superseded
        self.at = time.monotonic()


def _revert(imp: Import, user, heart: _Heart) -> list[dict]:
    source = ChangeSource.for_user(user, SourceType.CRM_UI, id=_source_id(imp))
    created, updated = defaultdict(set), defaultdict(set)
    for batch in ImportBatch.objects.filter(run__in=imp.files):  # every file's
        for ot, ids in batch.created_ids.items():
            created[ot].update(ids)
        for ot, ids in batch.updated_ids.items():
            updated[ot].update(ids)
    conflicts = []
    for ot, ids in updated.items():
        ids = sorted(ids - created[ot])
        for start_at in range(0, len(ids), CHUNK):
            conflicts += _restore_values(imp, ot, ids[start_at : start_at + CHUNK], source, user)
            heart.beat()
    for ot, ids in created.items():
        for pk in sorted(ids):
            with contextlib.suppress(RecordNotFound):  # deleted or merged since, or by a run
                archive_record(ot, pk, source=source)  # of this undo that was stopped
            heart.beat()
    return conflicts


def _source_id(imp: Import) -> str:
    return f"undo-import-{imp.pk}"


def resume_interrupted(now=None) -> list[int]:
    """Queue again every undo no worker has run for stall_after() (its worker died, or its
    job was lost). A conditional UPDATE picks the one scheduler that requeues it. Run by
    the scheduler's every tick (comptoir.core.scheduling)."""
    # Imported here: comptoir.imports.tasks imports this module when loaded.
    from comptoir.imports.tasks import undo_import

    return requeue_quiet(
        Import.objects.filter(state=ImportState.UNDOING),
        stall=stall_after(),
        now=now,
        match=("state",),
        read=("undo_user_id",),
        enqueue=lambda row: undo_import.enqueue(row["pk"], row["undo_user_id"]),
    )


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
        if own is None or change.pk == own.pk or _by_this_undo(change, imp):
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


def _by_this_undo(change, imp) -> bool:
    """A value this undo put back (a run stopped half way): no conflict with itself."""
    return change.source_type == SourceType.CRM_UI and change.source_id == _source_id(imp)
