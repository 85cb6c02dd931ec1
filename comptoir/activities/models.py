from django.db import models

from comptoir.core.records.models import CrmRecord


class Activity(CrmRecord):
    """Tasks, notes, calls, emails and meetings: one table, told apart by object type."""

    object_type_name = models.CharField(max_length=16)
    hs_timestamp = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            # The few archived records: a search's total is counted over every record (from
            # the filters' indexes alone) less the archived ones (core/search/totals.py).
            models.Index(
                fields=["object_type_name", "id"],
                condition=models.Q(archived=True),
                name="activity_archived_idx",
            ),
            models.Index(
                fields=["object_type_name", "hs_timestamp"], name="activity_type_time_idx"
            ),
            models.Index(fields=["object_type_name", "updated_at"], name="activity_updated_idx"),
            # A rep's live tasks (calls, meetings...) by date: the tasks page's "my tasks",
            # read and sorted from the index alone (SQLite looked up every activity of the
            # owner to check its type: 274 ms at 1M activities; issue 16).
            models.Index(
                fields=["object_type_name", "hubspot_owner_id", "hs_timestamp"],
                condition=models.Q(archived=False),
                name="activity_owner_time_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_type_name} {self.pk}"
