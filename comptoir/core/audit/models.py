"""The audit log (issue 19, point 6): what an administrator shows an auditor. Append-only:
rows are never changed or deleted by the code (save() refuses an update, delete() is
refused) and, on PostgreSQL, a trigger refuses UPDATE and DELETE as well."""

from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=40, db_index=True)  # AuditAction
    # Who: a snapshot (the user may be renamed or deactivated later); empty for the system.
    actor_id = models.IntegerField(null=True, blank=True, db_index=True)
    actor_email = models.CharField(max_length=254, blank=True, default="")
    ip = models.CharField(max_length=45, blank=True, default="")
    target = models.CharField(max_length=300, blank=True, default="")  # what, in words
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are never deleted")
