"""Background tasks of the engine (run by `comptoir worker`)."""

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from comptoir.core.db import refresh_statistics
from comptoir.core.objects.registry import OBJECT_TYPES
from comptoir.core.properties.indexes import ensure_property_index
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import purge_records

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


@task
def build_property_index(object_type: str, name: str) -> str:
    """Build a property's expression index in the background (CONCURRENTLY on PostgreSQL)."""
    return ensure_property_index(object_type, name)


@task
def optimize_database() -> None:
    """Daily: fresh planner statistics (see comptoir.core.db.refresh_statistics)."""
    refresh_statistics()
