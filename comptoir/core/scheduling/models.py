"""Periodic jobs: the worker enqueues each when due, claimed by a conditional UPDATE."""

from django.db import models


class PeriodicJob(models.Model):
    name = models.CharField(max_length=100, unique=True)
    interval_seconds = models.IntegerField()
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_claimed_by = models.CharField(max_length=100, blank=True, default="")

    def __str__(self) -> str:
        return self.name
