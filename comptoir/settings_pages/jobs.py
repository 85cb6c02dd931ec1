"""Settings > Background jobs (issue 19, point 7): the workers and their heartbeats, the
queue, the periodic jobs and the latest jobs with their failures, for an administrator to
see what runs, what waits and what failed, without a shell."""

import datetime as dt

from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.core import operations
from comptoir.core.scheduling.models import PeriodicJob, WorkerHeartbeat
from comptoir.settings_pages.views import page, settings_admin

KEY = "jobs"
SHOWN = 50
FILTERS = {
    "failed": TaskResultStatus.FAILED,
    "running": TaskResultStatus.RUNNING,
    "waiting": TaskResultStatus.READY,
}


def _job_row(result: DBTaskResult) -> dict:
    error = ""
    if result.traceback:
        lines = [line for line in result.traceback.strip().splitlines() if line.strip()]
        error = lines[-1] if lines else ""
    return {
        "id": result.pk,
        "task": result.task_path.rsplit(".", 1)[-1].replace("_", " "),
        "path": result.task_path,
        "status": result.status,
        "enqueued_at": result.enqueued_at,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "workers": ", ".join(result.worker_ids or []),
        "error": error,
        "traceback": result.traceback or "",
    }


@settings_admin
def jobs(request):
    now = timezone.now()
    shown = request.GET.get("status", "")
    results = DBTaskResult.objects.order_by("-enqueued_at")
    if shown in FILTERS:
        results = results.filter(status=FILTERS[shown])
    alive_after = now - dt.timedelta(seconds=operations.ALIVE_SECONDS)
    workers = [
        {
            "id": w.worker_id,
            "started_at": w.started_at,
            "last_seen_at": w.last_seen_at,
            "alive": w.last_seen_at >= alive_after,
        }
        for w in WorkerHeartbeat.objects.order_by("-last_seen_at")
    ]
    return page(
        request,
        KEY,
        "settings/jobs.html",
        {
            "workers": workers,
            "alive": sum(1 for w in workers if w["alive"]),
            "counts": operations.job_counts(),
            "oldest": round(operations.oldest_ready_age(now)),
            "periodic": PeriodicJob.objects.order_by("name"),
            "results": [_job_row(r) for r in results[:SHOWN]],
            "shown": shown,
            "statuses": TaskResultStatus,
        },
    )
