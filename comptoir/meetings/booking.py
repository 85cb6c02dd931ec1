"""Booking a meeting through a link (TOOL-7), in one transaction: the slot is checked free
again under a lock on the host, the contact is found by email or created, the meeting is
logged as a `meetings` engagement on the contact (owned by the host), and the booking row's
unique (host, start) makes a second booking of the same slot impossible even when two
processes got past the check together: that visitor hears "just taken". A group link books
every member at once: each member's row locked (in the order of their ids), each one's slot
checked again, one engagement owned by the link's user with all of them as attendees, and a
booking row per member (each unique per host and start), so that a group booking and
another booking of one of its members for the same time cannot both succeed.

History names the source SALES with the booking link as its id. A booking stops the
contact's sequences; a cancel marks the engagement CANCELED (through the write path, so
with its history); a reschedule cancels and books again in one transaction."""

import datetime as dt
import secrets
import zoneinfo
from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from comptoir.core.accounts import user_model
from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import create_record, update_record
from comptoir.meetings import availability
from comptoir.meetings.models import Booking, MeetingLink
from comptoir.sequences.stopping import MEETING_BOOKED, stop_sequences


class BookingError(Exception):
    """`field` names what to fix ("start" when the slot was just taken)."""

    def __init__(self, field: str, message: str, code: str = "invalid"):
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


def _taken() -> BookingError:
    return BookingError("start", _("This time was just taken: choose another one."), code="taken")


def clean(link: MeetingLink, data: dict) -> dict:
    """The visitor's form, checked; BookingError naming the first field to fix."""
    name = " ".join(str(data.get("name", "")).split())[:200]
    if not name:
        raise BookingError("name", _("Enter your name."))
    try:
        email = validate_email(
            str(data.get("email", "")).strip()[:254], check_deliverability=False
        ).normalized.lower()
    except EmailNotValidError:
        raise BookingError("email", _("Enter a valid email address.")) from None
    zone = str(data.get("time_zone", ""))[:64]
    if zone and zone not in zoneinfo.available_timezones():
        zone = ""
    answers = {}
    for index, question in enumerate(link.questions or []):
        answer = str(data.get(f"q{index}", "")).strip()[:2000]
        if question.get("required") and not answer:
            raise BookingError(f"q{index}", _("Answer this question."))
        if answer:
            answers[str(question.get("label", ""))[:200]] = answer
    return {"name": name, "email": email, "time_zone": zone, "answers": answers}


def _contact_for(email: str, name: str, source: ChangeSource):
    """The contact with this email, its blank names filled from what the visitor typed
    (never overwriting the CRM's), or a new contact."""
    first, _space, last = name.partition(" ")
    typed = {"firstname": first.strip(), "lastname": last.strip()}
    found = base_queryset("contacts").filter(email=email).first()
    if found is None:
        return create_record("contacts", {"email": email, **typed}, source=source)
    blanks = {k: v for k, v in typed.items() if v and not getattr(found, k, "")}
    return update_record("contacts", found.pk, blanks, source=source) if blanks else found


def _description(booking_answers: dict) -> str:
    return "".join(
        f"<p><strong>{escape(q)}</strong><br>{escape(a)}</p>" for q, a in booking_answers.items()
    )


def _attendees(hosts) -> dict:
    """The engagement's attendees (HubSpot's hs_attendee_owner_ids): the hosts' owners."""
    owners = [getattr(host, "owner", None) for host in hosts]
    ids = [str(o.pk) for o in owners if o is not None and not o.archived]
    return {"hs_attendee_owner_ids": ";".join(ids)} if ids else {}


def _book(link: MeetingLink, hosts: list, start, data: dict, *, now, busy: dict) -> Booking:
    """Book `start` with every one of `hosts` at once (the first owns the engagement and
    holds the visitor's token; a group's others get a row each pointing at it)."""
    visitor = clean(link, data)
    if start.tzinfo is None:
        raise BookingError("start", _("Choose a time from the list."))
    start = start.astimezone(dt.UTC)
    end = start + dt.timedelta(minutes=link.duration_minutes)
    source = ChangeSource(type=SourceType.SALES, id=f"meeting-link:{link.pk}")
    lead = hosts[0]
    try:
        with transaction.atomic():
            # One booking at a time per host (PostgreSQL row locks, taken in the order of
            # the users' ids so that two bookings sharing members never wait on each other
            # crosswise; SQLite writes one by one). Then each host's slot is checked again.
            list(
                user_model()
                .objects.select_for_update()
                .filter(pk__in=[h.pk for h in hosts])
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for host in hosts:
                if not availability.is_free(
                    link.for_host(host), start, now=now, extra_busy=busy.get(host.pk, ())
                ):
                    raise _taken()
            contact = _contact_for(visitor["email"], visitor["name"], source)
            owner = getattr(lead, "owner", None)
            meeting = create_record(
                "meetings",
                {
                    "hs_meeting_title": f"{link.title} – {visitor['name']}"[:250],  # noqa: RUF001
                    "hs_meeting_start_time": format_datetime(start),
                    "hs_meeting_end_time": format_datetime(end),
                    "hs_timestamp": format_datetime(start),
                    "hs_meeting_location": link.location,
                    "hs_meeting_outcome": "SCHEDULED",
                    "hs_meeting_body": _description(visitor["answers"]),
                    **({"hubspot_owner_id": str(owner.pk)} if owner else {}),
                    **_attendees(hosts),
                },
                source=source,
                associations=[("contacts", contact.pk, None)],
            )
            stop_sequences(contact.pk, MEETING_BOOKED)
            rows = {
                "link": link, "start": start, "end": end, "name": visitor["name"],
                "email": visitor["email"], "answers": visitor["answers"],
                "time_zone": visitor["time_zone"], "contact_id": contact.pk,
                "meeting_id": meeting.pk,
            }  # fmt: skip
            booking = Booking.objects.create(
                host_id=lead.pk, token=secrets.token_urlsafe(32), **rows
            )
            for host in hosts[1:]:
                Booking.objects.create(
                    host_id=host.pk, main=booking, token=secrets.token_urlsafe(32), **rows
                )
            return booking
    except IntegrityError:  # the other visitor's booking committed first
        raise _taken() from None


def book(link: MeetingLink, start: dt.datetime, data: dict, *, now=None, extra_busy=()) -> Booking:
    """Book `start` with the link's user for the visitor (`data`: the form); `extra_busy`:
    the host's calendar's busy times, read before (never a network call inside the
    transaction)."""
    return _book(
        link, [link.user], start, data, now=now or timezone.now(), busy={link.user_id: extra_busy}
    )


def book_link(link: MeetingLink, start: dt.datetime, data: dict, *, now=None, busy=None) -> Booking:
    """Book `start` through a personal or a team link. A round robin tries its members free
    at `start`, the one with the fewest bookings from the link first (then the
    longest-serving, the counts read under a lock on the link); "just taken" only when none
    of them is. A group link books all its members at once, or none when one of them is no
    longer free. `busy`: {user id: the busy times of their own calendar}."""
    now = now or timezone.now()
    busy = busy or {}
    hosts = link.hosts()
    if link.kind == MeetingLink.GROUP:
        # The link's user first: the engagement is theirs.
        hosts = sorted(hosts, key=lambda h: (h.pk != link.user_id, h.pk))
        return _book(link, hosts, start, data, now=now, busy=busy)
    if len(hosts) == 1:
        return _book(link, hosts, start, data, now=now, busy=busy)
    clean(link, data)  # a visitor's mistake is told before any member is tried
    with transaction.atomic():
        # The members' counts are read under a lock on the link, so that visitors booking
        # through it at once are shared out in turn, not all given the member who had the
        # fewest before any of them booked (the link first, then the member: always in this
        # order, so no two bookings wait on each other crosswise).
        MeetingLink.objects.select_for_update().filter(pk=link.pk).values_list("pk").first()
        counts = Counter(
            Booking.objects.filter(link=link, status=Booking.CONFIRMED).values_list(
                "host_id", flat=True
            )
        )
        for host in sorted(hosts, key=lambda h: (counts[h.pk], h.pk)):
            try:
                return _book(link, [host], start, data, now=now, busy=busy)
            except BookingError as error:
                if error.code != "taken":
                    raise
    raise _taken()


def _source(booking: Booking) -> ChangeSource:
    return ChangeSource(type=SourceType.SALES, id=f"meeting-link:{booking.link_id}")


def _cancel_locked(booking: Booking, now: dt.datetime, outcome: str) -> None:
    booking.status, booking.cancelled_at = Booking.CANCELLED, now
    booking.save(update_fields=["status", "cancelled_at"])
    # A group booking's other members are free again too.
    Booking.objects.filter(main=booking, status=Booking.CONFIRMED).update(
        status=Booking.CANCELLED, cancelled_at=now
    )
    if booking.meeting_id and base_queryset("meetings").filter(pk=booking.meeting_id).exists():
        update_record(
            "meetings", booking.meeting_id, {"hs_meeting_outcome": outcome}, source=_source(booking)
        )


def cancel(booking: Booking, *, now=None) -> bool:
    """Cancel a confirmed booking (its slot is free again); False if it was not confirmed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update()
            .filter(pk=booking.pk, status=Booking.CONFIRMED)
            .first()
        )
        if locked is None:
            return False
        _cancel_locked(locked, now, "CANCELED")
    booking.refresh_from_db()
    return True


def reschedule(booking: Booking, start: dt.datetime, *, now=None, busy=None) -> Booking:
    """Move a confirmed booking to `start`: the old one cancelled (its engagement marked
    RESCHEDULED) and a new one booked, in one transaction (a taken slot changes nothing)."""
    now = now or timezone.now()
    link = booking.link
    data = {"name": booking.name, "email": booking.email, "time_zone": booking.time_zone}
    for index, question in enumerate(link.questions or []):
        answer = booking.answers.get(str(question.get("label", ""))[:200], "")
        data[f"q{index}"] = answer or ("-" if question.get("required") else "")
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update()
            .filter(pk=booking.pk, status=Booking.CONFIRMED)
            .first()
        )
        if locked is None:
            raise BookingError("start", _("This meeting was cancelled: book a new one."), "gone")
        _cancel_locked(locked, now, "RESCHEDULED")
        return book_link(link, start, data, now=now, busy=busy)
