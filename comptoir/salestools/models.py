"""Sales tools (SPEC §5). The call queue (TOOL-8): contacts to call one after the other."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CallQueue(models.Model):
    """A user's list of contacts to call, in order. Each call is logged on the contact's
    timeline like any call; the queue only remembers who is done."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_queues"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    # After a call is logged, open the next contact by itself after `delay_seconds`.
    auto_advance = models.BooleanField(default=True)
    delay_seconds = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class CallQueueEntry(models.Model):
    PENDING, CALLED, SKIPPED = "pending", "called", "skipped"
    STATES = [(PENDING, PENDING), (CALLED, CALLED), (SKIPPED, SKIPPED)]

    queue = models.ForeignKey(CallQueue, on_delete=models.CASCADE, related_name="entries")
    contact_id = models.BigIntegerField()  # a plain id: the contact may be deleted meanwhile
    position = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    call_id = models.BigIntegerField(null=True, blank=True)  # the call logged
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "contact_id"], name="uniq_queue_contact")
        ]
        indexes = [models.Index(fields=["queue", "state", "position"], name="queue_next_idx")]

    def __str__(self) -> str:
        return f"{self.queue_id}#{self.position} {self.contact_id}"
