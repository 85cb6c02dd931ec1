"""Background tasks of the engine (run by `comptoir worker`)."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from comptoir.core.backups import create_backup, prune_backups
from comptoir.core.db import refresh_statistics
from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import OBJECT_TYPES
from comptoir.core.properties import index_requests
from comptoir.core.properties.substring_indexes import ensure_substring_index
from comptoir.core.records import rollups
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import purge_records
from comptoir.core.scheduling.models import PeriodicJob

PURGE_BATCH = 500


@task
def purge_archived_records() -> int:
    """Delete records archived longer ago than the restore window, with their history."""
    cutoff = timezone.now() - dt.timedelta(days=settings.COMPTOIR_RESTORE_DAYS)
    purged = 0
    for ot in OBJECT_TYPES:
        qs = base_queryset(ot, archived=True).filter(archived_at__lt=cutoff)
        while True:
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                break
            purged += purge_records(ot, ids)
    return purged


# The first run looks back this far; every later run starts where the last one ended.
ROLLUPS_FIRST_WINDOW = dt.timedelta(hours=1)


@task
def rollups_came_due() -> int:
    """The records of activities whose time came since the last run (a meeting held, a task
    due) roll up again: their last-activity dates may take them now
    (comptoir.core.records.rollups). The window starts where the previous run ended, so a
    worker stopped for a day misses nothing."""
    now = timezone.now()
    job, _ = PeriodicJob.objects.get_or_create(
        name="rollups_came_due",
        defaults={"interval_seconds": 15 * 60, "next_run_at": now},
    )
    since = job.covered_until or now - ROLLUPS_FIRST_WINDOW
    source = ChangeSource(type=SourceType.AUTOMATION, id="rollups")
    seen = rollups.came_due(source, since, now)
    # Only forwards: two runs at once (a late one) never move the mark back.
    PeriodicJob.objects.filter(pk=job.pk).filter(
        Q(covered_until__isnull=True) | Q(covered_until__lt=now)
    ).update(covered_until=now)
    return seen


@task
def build_property_index(object_type: str, name: str) -> str:
    """Build a property's expression index in the background (CONCURRENTLY on PostgreSQL),
    recording the outcome on its PropertyIndexRequest (core/properties/index_requests.py)."""
    return index_requests.build(object_type, name)


@task
def build_substring_index(object_type: str, name: str) -> str:
    """Build a text property's substring index ("contains" filters) in the background:
    CONCURRENTLY on PostgreSQL, in batches on SQLite
    (comptoir.core.properties.substring_indexes)."""
    return ensure_substring_index(object_type, name)


@task
def optimize_database() -> None:
    """Daily: fresh planner statistics (see comptoir.core.db.refresh_statistics)."""
    refresh_statistics()


@task
def scheduled_backup() -> str:
    """A backup archive into COMPTOIR_BACKUP_DIR, keeping the COMPTOIR_BACKUP_KEEP newest."""
    if not settings.COMPTOIR_BACKUP_DIR:
        return ""
    directory = Path(settings.COMPTOIR_BACKUP_DIR)
    archive = create_backup(directory)
    prune_backups(directory, settings.COMPTOIR_BACKUP_KEEP)
    return str(archive)
