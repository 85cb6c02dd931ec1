"""Sequences (TOOL-5): ordered steps a contact goes through, one after the other, each a
number of business days after the previous one; enrolments; the rows that record each
step done (the work's claim: see comptoir/sequences/engine.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy


class Sequence(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sequences"
    )
    name = models.CharField(max_length=200)
    shared = models.BooleanField(default=False)  # False: its owner's alone
    # The send window, in hours of the contact's time zone (else the sender's, else the
    # account's): automated emails go on business days between window_start:00 and
    # window_end:00.
    window_start = models.PositiveSmallIntegerField(default=8)
    window_end = models.PositiveSmallIntegerField(default=18)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "shared"], name="sequence_owner_idx")]

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    EMAIL = "email", _lazy("Automated email")
    MANUAL_EMAIL = "manual_email", _lazy("Manual email task")
    CALL = "call", _lazy("Call task")
    TASK = "task", _lazy("Task")


class Step(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    # Business days after the previous step (the first step: after the enrolment).
    delay_days = models.PositiveSmallIntegerField(default=0)
    # Automated emails: the template (the emailtemplates app's); a follow-up is sent as a
    # reply to the sequence's first email (same thread).
    template = models.ForeignKey(
        "emailtemplates.EmailTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Task steps: the task's title and notes.
    title = models.CharField(max_length=200, blank=True, default="")
    notes = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["position", "pk"]


class EnrollmentState(models.TextChoices):
    ACTIVE = "active", _lazy("Active")
    PAUSED = "paused", _lazy("Paused")
    FINISHED = "finished", _lazy("Finished")
    UNENROLLED = "unenrolled", _lazy("Unenrolled")


LIVE_STATES = (EnrollmentState.ACTIVE, EnrollmentState.PAUSED)


class Enrollment(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments")
    contact_id = models.BigIntegerField()
    # Who sends: the emails leave from this user's mailbox, the tasks are theirs.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=16, choices=EnrollmentState.choices, default=EnrollmentState.ACTIVE
    )
    # Why it stopped (stopping.REASONS) or why it waits (paused by a problem: `error`).
    reason = models.CharField(max_length=32, blank=True, default="")
    error = models.TextField(blank=True, default="")
    due_at = models.DateTimeField(null=True, blank=True)  # when the next step runs
    # The first email's engagement: follow-ups answer it (In-Reply-To, References).
    first_engagement_id = models.BigIntegerField(null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["state", "due_at"], name="enrollment_due_idx"),
            models.Index(fields=["contact_id", "state"], name="enrollment_contact_idx"),
            models.Index(fields=["sequence", "state"], name="enrollment_sequence_idx"),
        ]
        constraints = [
            # A contact is in one sequence at a time (active or paused).
            models.UniqueConstraint(
                fields=["contact_id"],
                condition=Q(state__in=["active", "paused"]),
                name="enrollment_one_live_per_contact",
            )
        ]


class StepExecution(models.Model):
    """One step done for one enrolment. Inserted in the step's own transaction before the
    email or the task is written: the unique pair is the claim, so a step runs once."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="executions")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="executions")
    executed_at = models.DateTimeField()
    # What it made: the email (the mail app's row) and its engagement, or the task.
    outbound = models.ForeignKey(
        "mail.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    engagement_id = models.BigIntegerField(null=True, blank=True)
    sender_id = models.BigIntegerField(db_index=False)  # the user whose mailbox sent it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="stepexecution_once")
        ]
        indexes = [
            models.Index(fields=["sender_id", "executed_at"], name="stepexecution_sender_idx")
        ]


class Holiday(models.Model):
    """A day the portal does not work: no step falls on it (with Saturdays and Sundays)."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["day"]


class SequenceSettings(models.Model):
    """The portal's sending rules for sequences (one row)."""

    SINGLETON = 1
    # Automated sequence emails one mailbox sends per day (the sender's day).
    daily_limit = models.PositiveIntegerField(default=200)
    # The days of the week steps fall on (0 Monday ... 6 Sunday).
    working_days = models.JSONField(default=list)  # empty: Monday to Friday
    updated_at = models.DateTimeField(default=timezone.now)
