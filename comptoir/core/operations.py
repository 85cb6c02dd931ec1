"""What an operator asks of a running installation (issue 19, point 7): is the database
there, is a worker alive, how long is the queue. Read by `/readyz`, `/metrics` and
Settings > Background jobs; the workers' heartbeats are written here too."""

import datetime as dt

from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.core.scheduling.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 15
ALIVE_SECONDS = 120  # a worker silent this long is taken for dead
FORGET_AFTER = dt.timedelta(days=1)


def beat(worker_id: str, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """The worker `worker_id` is alive; heartbeats silent for a day are forgotten."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"started_at": started_at, "last_seen_at": now}
    )
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - FORGET_AFTER).delete()


def live_workers(now: dt.datetime | None = None):
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=ALIVE_SECONDS)
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).order_by("worker_id")


def job_counts() -> dict[str, int]:
    """Background jobs by status (READY, RUNNING, SUCCESSFUL, FAILED)."""
    rows = DBTaskResult.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts = {status.value: 0 for status in TaskResultStatus}
    counts.update(dict(rows))
    return counts


def oldest_ready_age(now: dt.datetime | None = None) -> float:
    """Seconds the oldest job waiting to run has waited (0 when none waits)."""
    oldest = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        at=Min("enqueued_at")
    )["at"]
    return max(0.0, ((now or timezone.now()) - oldest).total_seconds()) if oldest else 0.0


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def readiness(now: dt.datetime | None = None) -> tuple[bool, dict]:
    """(ready?, details): ready when the database answers. A missing worker or a long queue
    is reported ("degraded") but does not take the web server out of its load balancer."""
    if not database_ok():
        return False, {"status": "unavailable", "database": "unreachable"}
    workers = live_workers(now).count()
    counts = job_counts()
    details = {
        "status": "ok" if workers else "degraded",
        "database": "ok",
        "workers": workers,
        "queue": {"ready": counts["READY"], "oldest_seconds": round(oldest_ready_age(now))},
    }
    return True, details
