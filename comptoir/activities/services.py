"""Activity rules: task status and completion date."""

from django.utils import timezone

from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.behavior import RecordBehavior


class TaskBehavior(RecordBehavior):
    def clean(self, values, record, errors, now=None):
        if record is None:
            values.setdefault("hs_task_status", "NOT_STARTED")
        before = record.properties.get("hs_task_status") if record is not None else None
        if "hs_task_status" in values and values["hs_task_status"] != before:
            done = values["hs_task_status"] == "COMPLETED"
            completed_at = format_datetime(now or timezone.now())
            values["hs_task_completion_date"] = completed_at if done else None
