"""Per-day activity counters behind the dashboard's productivity figures (DASH-3, DASH-5).

One row per report-time-zone day and owner holds how many calls were made, emails sent,
meetings held and tasks completed that day: the dashboard sums a few rows per day instead
of reading every activity. The activity write services keep the rows up to date in the
same transaction (comptoir.dashboard.counts); `CountState` says in which time zone the
days were cut, so a changed report time zone is never read through stale counters.
"""

from django.db import models


class ActivityDayCount(models.Model):
    day = models.DateField()  # local date in CountState.time_zone
    owner_id = models.BigIntegerField()  # 0: activities without an owner
    calls = models.IntegerField(default=0)
    emails = models.IntegerField(default=0)
    meetings = models.IntegerField(default=0)
    tasks = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "owner_id"], name="dash_day_owner_uniq")
        ]
        # One owner (or a team) over years reads its own rows, not every owner's.
        indexes = [models.Index(fields=["owner_id", "day"], name="dash_owner_day_idx")]


class CountState(models.Model):
    """A single row: the time zone the counters were built in ("" while none are)."""

    time_zone = models.CharField(max_length=64, default="")


class ContactOwnerCount(models.Model):
    """Live contacts per owner (0: without one), kept by the contact write services: the
    dashboard's "contacts with an owner" and its percentage without counting a million rows."""

    owner_id = models.BigIntegerField(unique=True)
    contacts = models.BigIntegerField(default=0)


class DealDayCount(models.Model):
    """Deals per report-time-zone day, pipeline, stage and owner (0: without one): how many
    close that day and for what amount (the forecast), how many were created that day ("deals
    created"). Kept by the deal write services like ActivityDayCount, in the zone CountState
    names; amounts in cents, so adding and taking away stays exact on SQLite too.

    Each deal also counts in a whole-month row (`month`, `day` its first day): a period
    reads its whole months there and only its edge days from the day rows, a few thousand
    rows for three years instead of one per day, stage and owner."""

    pipeline = models.CharField(max_length=64)
    month = models.BooleanField(default=False)
    day = models.DateField()
    dealstage = models.CharField(max_length=64)
    owner_id = models.BigIntegerField()
    closing = models.IntegerField(default=0)
    closing_cents = models.BigIntegerField(default=0)
    created = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Led by the pipeline and the grain: also the index a period is read by.
            models.UniqueConstraint(
                fields=["pipeline", "month", "day", "dealstage", "owner_id"],
                name="dash_deal_day_uniq",
            )
        ]
