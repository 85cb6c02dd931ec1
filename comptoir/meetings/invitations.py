"""Invitations of a booking (TOOL-7): an iCalendar event (METHOD:REQUEST on booking,
METHOD:CANCEL on cancel) emailed to the visitor and to the host through the portal's mailer
(comptoir/mail/backend.py), with the cancel and reschedule links; the same event is written
into the host's connected calendar. A group booking's event has every member as an
ATTENDEE; each member gets the email and the event in their own calendar.

The worker sends them after the booking committed (tasks.py): a mail server that is down
never loses the booking nor slows the visitor's page; each side's email is tried again
later (tasks.RETRY_DELAYS, about a day in all), then given up and logged. Each
side reads the email in its language: the host in their own, the visitor in the one their
booking page was shown in. The sides: VISITOR, HOST (the booking's host) and, for each other
member of a group booking, "host:<user id>"."""

import datetime as dt
import logging
import smtplib
import zoneinfo
from email.message import MIMEPart

import icalendar
from babel.dates import format_datetime
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.meetings import calendars
from comptoir.meetings.models import Booking

log = logging.getLogger("comptoir.meetings")

REQUEST, CANCEL = "REQUEST", "CANCEL"
VISITOR, HOST = "visitor", "host"


def absolute(path: str) -> str:
    return settings.COMPTOIR_BASE_URL.rstrip("/") + path


def links(booking: Booking) -> dict:
    return {
        "manage": absolute(reverse("meet:manage", args=[booking.token])),
        "cancel": absolute(reverse("meet:cancel", args=[booking.token])),
        "reschedule": absolute(reverse("meet:reschedule", args=[booking.token])),
    }


def uid(booking: Booking) -> str:
    return f"booking-{booking.pk}-{booking.token[:12]}@comptoir"


def _address(user) -> str:
    return user.email or settings.DEFAULT_FROM_EMAIL


def _host_address(booking: Booking) -> str:
    return _address(booking.host)


def _name(user) -> str:
    return user.get_full_name() or user.email


def sides_of(booking: Booking) -> list[str]:
    """Who receives the booking's emails: the visitor, the host, a group's other members."""
    return [VISITOR, HOST, *(f"{HOST}:{row.host_id}" for row in booking.rows()[1:])]


def _recipient(booking: Booking, side: str, hosts: list):
    """The user a host side names (None for the visitor or a member no longer booked)."""
    if side == HOST:
        return booking.host
    prefix, _colon, user_id = side.partition(":")
    if prefix == HOST:
        return next((h for h in hosts[1:] if str(h.pk) == user_id), None)
    return None


def calendar_text(booking: Booking, method: str, hosts: list | None = None) -> bytes:
    """The iCalendar object of the booking for `method` (REQUEST or CANCEL); `hosts`: the
    booking's hosts (booking.hosts()), every one an ATTENDEE when there are several."""
    hosts = hosts if hosts is not None else booking.hosts()
    link = booking.link
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Comptoir//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", uid(booking))
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", booking.start.astimezone(dt.UTC))
    event.add("dtend", booking.end.astimezone(dt.UTC))
    event.add("summary", f"{link.title} – {booking.name}")  # noqa: RUF001
    event.add("sequence", 1 if method == CANCEL else 0)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    if link.location:
        event.add("location", link.location)
    urls = links(booking)
    description = [link.description] if link.description else []
    description += [f"{q}: {a}" for q, a in booking.answers.items()]
    if method == REQUEST:
        description += [urls["cancel"], urls["reschedule"]]
    event.add("description", "\n".join(description))
    organizer = icalendar.vCalAddress(f"mailto:{_host_address(booking)}")
    organizer.params["cn"] = icalendar.vText(_name(booking.host))
    event.add("organizer", organizer)
    people = [(booking.email, booking.name)]
    if len(hosts) > 1:  # a group meeting: each member takes part
        people += [(_address(host), _name(host)) for host in hosts]
    for address, name in people:
        attendee = icalendar.vCalAddress(f"mailto:{address}")
        attendee.params["cn"] = icalendar.vText(name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("ACCEPTED")
        event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical()


def when(booking: Booking, zone_name: str, language: str) -> str:
    try:
        zone = zoneinfo.ZoneInfo(zone_name or booking.link.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(booking.link.time_zone)
    text = format_datetime(booking.start, "full", tzinfo=zone, locale=language)
    return text


def _language_of(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if getattr(user, "language", "") in codes else settings.LANGUAGE_CODE


def _message(booking: Booking, method: str, *, to, language: str, hosts: list):
    """The email of `method` to the host or member `to`, or to the visitor (None)."""
    to_host = to is not None
    with translation.override(language):
        zone = booking.link.time_zone if to_host else booking.time_zone
        context = {
            "booking": booking,
            "link": booking.link,
            "to_host": to_host,
            "cancelled": method == CANCEL,
            "when": when(booking, zone, language),
            "zone": zone or booking.link.time_zone,
            "host_name": ", ".join(_name(host) for host in hosts),
            "group": len(hosts) > 1,
            "urls": links(booking),
        }
        if method == CANCEL:
            subject = _("Cancelled: %(title)s with %(name)s")
        else:
            subject = _("Invitation: %(title)s with %(name)s")
        other = booking.name if to_host else context["host_name"]
        subject %= {"title": booking.link.title, "name": other}
        body = render_to_string("meetings/invitation.txt", context)
    message = EmailMultiAlternatives(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [_address(to) if to_host else booking.email],
        reply_to=[booking.email if to_host else _host_address(booking)],
    )
    part = MIMEPart()
    part.set_content(
        calendar_text(booking, method, hosts).decode(),
        subtype="calendar",
        charset="utf-8",
        params={"method": method},
    )
    message.attach(part)
    return message


def send(booking: Booking, method: str, *, visitor_language: str = "", sides=None) -> list[str]:
    """Email the invitation (or its cancellation) to each of `sides` (all: sides_of), one
    message each; returns the sides whose email the mail server did not take (to try
    again)."""
    hosts = booking.hosts()
    failed = []
    for side in sides_of(booking) if sides is None else sides:
        to = _recipient(booking, side, hosts)
        if to is None and side != VISITOR:
            continue  # a member the booking no longer has
        language = _language_of(to) if to is not None else (visitor_language or "en")
        message = _message(booking, method, to=to, language=language, hosts=hosts)
        try:
            mailers.default.send_messages([message])
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("Invitation of booking %s to the %s not sent: %r", booking.pk, side, exc)
            failed.append(side)
    return failed


def booked(booking: Booking, *, visitor_language: str = "") -> list[str]:
    """After a booking committed (the worker, tasks.py): the event into each host's
    calendar, then the invitations; the sides not reached."""
    rows = booking.rows()
    text = calendar_text(booking, REQUEST, [row.host for row in rows])
    for row in rows:
        url = calendars.write_event(row, text)
        if url:
            Booking.objects.filter(pk=row.pk).update(calendar_event_url=url)
            row.calendar_event_url = url
    return send(booking, REQUEST, visitor_language=visitor_language)


def cancelled(booking: Booking, *, visitor_language: str = "") -> list[str]:
    for row in booking.rows():
        calendars.delete_event(row)
    return send(booking, CANCEL, visitor_language=visitor_language)
