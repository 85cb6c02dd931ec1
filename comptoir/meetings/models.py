"""Meetings (TOOL-7): a user's booking links (/meet/<slug>) and the bookings made through
them. A booking is also a `meetings` engagement on the contact's timeline (meeting_id);
the rows here keep what the engagement does not: the link, the visitor's answers, the
cancel token, and a unique slot per host, which makes two bookings of one slot impossible.
A group booking (every member of a group link at once) is a row per member: the link
owner's (the visitor's token, the engagement) and one for each other member pointing at it
(`main`), so that each member's slot is taken, in their bookings, feed and calendar."""

import copy

from django.conf import settings
from django.db import models
from django.utils import timezone

from comptoir.core.secrets import SecretField

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_hours() -> dict:
    """Monday to Friday, 9:00 to 17:00 (the host's time zone)."""
    return {day: [["09:00", "17:00"]] for day in WEEKDAYS[:5]}


class MeetingLink(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_links"
    )
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    location = models.CharField(max_length=500, blank=True, default="")  # place or video link
    description = models.TextField(blank=True, default="")
    # {"mon": [["09:00", "12:00"], ["14:00", "18:00"]], ...} in `time_zone`
    hours = models.JSONField(default=default_hours)
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    minimum_notice_minutes = models.PositiveIntegerField(default=120)
    horizon_days = models.PositiveSmallIntegerField(default=30)
    questions = models.JSONField(default=list, blank=True)  # [{"label": ..., "required": bool}]
    active = models.BooleanField(default=True)
    # A team link. Round robin: each time is offered when one of `members` is free, and
    # booked with the free member who has the fewest bookings from this link so far.
    # Group (HubSpot's group meeting link): a time is offered when every member is free
    # (the link's user is one of them), and booked with all of them at once.
    PERSONAL, ROUND_ROBIN, GROUP = "personal", "round_robin", "group"
    KINDS = (PERSONAL, ROUND_ROBIN, GROUP)
    kind = models.CharField(max_length=12, default=PERSONAL)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="team_meeting_links"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"/meet/{self.slug}"

    def hosts(self) -> list:
        """Who may be booked through the link, by pk: its user, or a team link's active
        members (a deactivated member is left out); a group link's always has its user."""
        if self.kind in (self.ROUND_ROBIN, self.GROUP):
            members = [m for m in self.members.order_by("pk") if m.is_active]
            if self.kind == self.GROUP and all(m.pk != self.user_id for m in members):
                members = sorted([self.user, *members], key=lambda m: m.pk)
            if members:
                return members
        return [self.user]

    def for_host(self, user) -> "MeetingLink":
        """The link as seen for one host (availability and booking read `link.user`)."""
        if user.pk == self.user_id:
            return self
        clone = copy.copy(self)
        clone.user = user
        return clone


class Booking(models.Model):
    CONFIRMED, CANCELLED = "confirmed", "cancelled"

    link = models.ForeignKey(MeetingLink, on_delete=models.PROTECT, related_name="bookings")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, default=CONFIRMED)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    answers = models.JSONField(default=dict, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, default="")  # the visitor's
    contact_id = models.BigIntegerField(null=True, blank=True)
    meeting_id = models.BigIntegerField(null=True, blank=True)  # the engagement
    token = models.CharField(max_length=64, unique=True)  # cancel and reschedule links
    # The event written into the host's connected calendar (CalDAV), to remove on cancel.
    calendar_event_url = models.CharField(max_length=500, blank=True, default="")
    # A group booking's row for a member other than the link's user: the booking it is part
    # of (that one's token, contact and engagement count; this row holds the member's slot).
    main = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="member_rows"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One confirmed booking per host and start: the second of two visitors who
            # chose the same slot at once gets "just taken", whatever the processes.
            models.UniqueConstraint(
                fields=["host", "start"],
                condition=models.Q(status="confirmed"),
                name="one_booking_per_host_slot",
            )
        ]
        indexes = [models.Index(fields=["host", "start"], name="booking_host_start_idx")]

    def __str__(self) -> str:
        return f"{self.email} {self.start:%Y-%m-%d %H:%M}"

    def rows(self) -> list["Booking"]:
        """The booking's rows, one per host booked: this one, then a group's other members'."""
        return [self, *self.member_rows.select_related("host").order_by("host_id")]

    def hosts(self) -> list:
        return [row.host for row in self.rows()]


class CalendarConnection(models.Model):
    """A user's own calendar over CalDAV: its busy times leave their booking links, and
    each booking is written into it. The password is encrypted at rest (core/secrets)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_calendar"
    )
    url = models.URLField(max_length=500)  # the calendar collection
    username = models.CharField(max_length=200, blank=True, default="")
    password = SecretField()
    # The last failure to read or write it ("" when the last try worked), for the host.
    last_error = models.CharField(max_length=500, blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.url
