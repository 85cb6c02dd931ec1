"""Periodic jobs: the worker enqueues each when due, claimed by a conditional UPDATE."""

from django.db import models


class PeriodicJob(models.Model):
    name = models.CharField(max_length=100, unique=True)
    interval_seconds = models.IntegerField()
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_claimed_by = models.CharField(max_length=100, blank=True, default="")
    # How far a job that works on a time window has done its work (rollups_came_due): the
    # next run starts there, however long the worker was away.
    covered_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running `comptoir worker` says it is alive every HEARTBEAT seconds (the readiness
    check, the metrics and Settings > Background jobs read it)."""

    worker_id = models.CharField(max_length=100, unique=True)  # host-pid
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id
