"""Webhooks (API-4), in HubSpot's terms: an app (a private-app token, `ApiToken`) has one
target URL and a signing secret (`WebhookTarget`, HubSpot's "settings") and subscriptions
to event types (`WebhookSubscription`). The write path puts one `WebhookEvent` per
subscribed event into the outbox in the write's own transaction; the worker gathers an
app's events into batches of up to 100 (`WebhookBatch`, one POST each), and every try of a
batch is logged (`WebhookAttempt`). See comptoir/webhooks/delivery.py."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.secrets import SecretField


class WebhookTarget(models.Model):
    """An app's webhook settings: where its events go and the secret that signs them."""

    # The app is the private-app token: appId in the API and in every event is its id.
    app = models.OneToOneField(
        "users.ApiToken", on_delete=models.CASCADE, related_name="webhook_target"
    )
    target_url = models.URLField(max_length=2000, blank=True)
    max_concurrent_requests = models.PositiveIntegerField(default=10)
    client_secret = SecretField()
    # Consecutive batches that failed every try; reset by a delivered batch.
    failed_batches = models.PositiveIntegerField(default=0)
    # Set when the app's delivery was switched off after repeated failures (or by hand):
    # nothing is captured for it until it is switched on again.
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"app {self.app_id} → {self.target_url or '—'}"


class WebhookSubscription(models.Model):
    """One event type of one object type (e.g. contact.propertyChange of `email`)."""

    target = models.ForeignKey(
        WebhookTarget, on_delete=models.CASCADE, related_name="subscriptions"
    )
    object_type = models.CharField(max_length=32)  # object type name, "contacts"
    action = models.CharField(max_length=32)  # creation, deletion, propertyChange...
    property_name = models.CharField(max_length=100, blank=True)  # propertyChange only
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "object_type", "action", "property_name"],
                name="uniq_webhook_subscription",
            )
        ]

    def __str__(self) -> str:
        suffix = f" ({self.property_name})" if self.property_name else ""
        return f"{self.object_type}.{self.action}{suffix}"


class BatchState(models.TextChoices):
    PENDING = "pending", _lazy("Waiting")
    SENDING = "sending", _lazy("Sending")
    RETRYING = "retrying", _lazy("Retrying")
    DELIVERED = "delivered", _lazy("Delivered")
    FAILED = "failed", _lazy("Failed")


class WebhookBatch(models.Model):
    """Up to 100 events of one app sent in one POST, tried until delivered or a day passed."""

    target = models.ForeignKey(WebhookTarget, on_delete=models.CASCADE, related_name="batches")
    state = models.CharField(max_length=16, choices=BatchState.choices, default=BatchState.PENDING)
    attempts = models.PositiveIntegerField(default=0)  # tries of the current round
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_batch_due"),
            models.Index(fields=["target", "state"], name="webhook_batch_target"),
        ]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.state})"


class WebhookEvent(models.Model):
    """One event in the outbox: its id is HubSpot's eventId. Every write subscribed to
    inserts these, so they carry two indexes only: (target, batch), which finds an app's
    waiting events, and batch, which reads a batch's."""

    # db_index=False: the (target, batch) index serves lookups by target.
    target = models.ForeignKey(
        WebhookTarget, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_index=False,
        # The event keeps its subscriptionId when the subscription is deleted (no scan of
        # the outbox to clear it).
        db_constraint=False,
    )
    subscription_type = models.CharField(max_length=64)  # "contact.creation"
    object_type_id = models.CharField(max_length=16)  # "0-1"
    object_id = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    # The event's other fields, in HubSpot's names (propertyName, changeSource...).
    payload = models.JSONField(default=dict)
    batch = models.ForeignKey(
        WebhookBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )

    class Meta:
        indexes = [models.Index(fields=["target", "batch"], name="webhook_event_unbatched")]

    def __str__(self) -> str:
        return f"{self.subscription_type} {self.object_id}"


class WebhookAttempt(models.Model):
    """One POST of a batch: the delivery log."""

    batch = models.ForeignKey(WebhookBatch, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()  # HubSpot's attemptNumber (0 for the first)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)  # in plain words, empty when delivered
    events = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"batch {self.batch_id} #{self.number}: {self.status_code or self.error}"
