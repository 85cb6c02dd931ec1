"""Notifications (SET-7): what a user is told about, and how they want to be told."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from comptoir.notifications.kinds import record_url, title


class Notification(models.Model):
    """One thing to tell one user (none is made when both channels are off for its kind).

    The title is written from `kind` and `params` when shown, so it reads in the language
    of whoever looks at it (the bell, or the email in the recipient's language)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)  # comptoir.notifications.kinds
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The record it is about: object type name ("contacts") and id; a list when no id.
    object_type = models.CharField(max_length=32, blank=True, default="")
    object_id = models.BigIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict)  # names as they were: record, actor, count, due
    body = models.TextField(blank=True, default="")  # plain text (a note's first lines)
    in_app = models.BooleanField(default=True)  # shown in the bell and on /notifications/
    by_email = models.BooleanField(default=False)  # to be emailed
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # the SMTP server took it
    # A worker is sending it (tasks.send_notification_emails); expires if it died.
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_idx"),
            # The bell's count on every page: a partial index of the unread ones only.
            models.Index(
                fields=["recipient"],
                condition=Q(in_app=True, read_at__isnull=True),
                name="notif_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def title(self) -> str:
        return title(self)

    @property
    def url(self) -> str:
        return record_url(self)

    @property
    def unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A user's choice for one kind; without a row the kind's defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="uniq_notification_pref")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class TaskReminder(models.Model):
    """A task reminder that was handled (sent, or not wanted): never handled twice.

    The unique constraint is what makes two workers racing send one reminder: the second
    insert fails. A task whose due date moves gets reminded again for the new date."""

    task_id = models.BigIntegerField()  # a plain id: reminders outlive purged tasks
    kind = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_id", "kind", "due_at"], name="uniq_task_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.task_id} {self.due_at}"
