"""Typed timeline events (UI-4): system events shown beside activities."""

from django.db import models


class EventType(models.TextChoices):
    STAGE_CHANGED = "stage_changed"
    OWNER_CHANGED = "owner_changed"
    LIFECYCLE_CHANGED = "lifecycle_changed"
    MERGED = "merged"
    RESTORED = "restored"
    ARCHIVED = "archived"  # deleted: moved to the recycle bin (who and when, SET-13)
    ASSOCIATED = "associated"
    SEQUENCE = "sequence"  # enrolled in, paused, resumed, left a sequence (TOOL-5)
    DOCUMENT_VIEWED = "document_viewed"  # a shared document opened by the contact (TOOL-4)
    WEBSITE_VISIT = "website_visit"  # the contact visited the company's website (TOOL-6)


class TimelineEvent(models.Model):
    object_type = models.CharField(max_length=16)  # type id
    object_id = models.BigIntegerField()
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["object_type", "object_id", "occurred_at"], name="timeline_idx")
        ]
