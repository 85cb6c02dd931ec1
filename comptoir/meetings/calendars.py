"""The host's own calendar over CalDAV (TOOL-7): busy times read from it leave the booking
page, and each booking is written into it (and removed on cancel).

Every request has a short timeout (COMPTOIR_CALDAV_TIMEOUT seconds, 5 by default: a server
that takes the connection and never answers is given up after it; the `caldav` library
tries once more without a body after a failure, so a call waits at most about twice that).
A calendar that cannot be read (down, hanging, refused, wrong password) never fails a page:
the visitor gets the slots from the CRM's data, the failure is kept on the connection
(`last_error`) and shown to the host on their Meetings page. Its host goes through the mail
accounts' address check (no private address unless allowed)."""

import datetime as dt
import logging
import urllib.parse

import caldav
import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.mail import connection as mail_connection
from comptoir.meetings.availability import Interval
from comptoir.meetings.models import CalendarConnection

log = logging.getLogger("comptoir.meetings")

# After a failure the calendar is left alone this long (the booking pages stay fast while
# it is down); saving the connection on the Meetings page tries it again at once.
RETRY_AFTER = dt.timedelta(minutes=1)


class CalendarFailure(Exception):
    pass


def check_url(url: str) -> str:
    """`url` if it is an http(s) URL whose host may be reached; CalendarFailure otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CalendarFailure(_("Enter the calendar's address, starting with https://."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise CalendarFailure(_("The address's port is not a number.")) from None
    try:
        mail_connection.resolve(parts.hostname, port, "url")
    except mail_connection.MailFailure as failure:
        raise CalendarFailure(mail_connection.describe(failure.as_dict())) from None
    return url


def _calendar(conn: CalendarConnection):
    check_url(conn.url)
    client = caldav.DAVClient(
        url=conn.url,
        username=conn.username or None,
        password=str(conn.password) or None,
        timeout=settings.COMPTOIR_CALDAV_TIMEOUT,
    )
    return client.calendar(url=conn.url)


def _failed(conn: CalendarConnection, exc: BaseException) -> str:
    if isinstance(exc, CalendarFailure):
        text = str(exc)
    elif isinstance(exc, requests.Timeout | TimeoutError):
        seconds = settings.COMPTOIR_CALDAV_TIMEOUT
        text = ngettext(
            "no answer within %(seconds)d second", "no answer within %(seconds)d seconds", seconds
        ) % {"seconds": seconds}
    else:
        text = type(exc).__name__
    message = _("The calendar could not be reached (%(reason)s).") % {"reason": text[:300]}
    CalendarConnection.objects.filter(pk=conn.pk).update(
        last_error=message[:500], last_error_at=timezone.now()
    )
    log.warning("CalDAV calendar %s failed: %r", conn.pk, exc)
    return message


def _worked(conn: CalendarConnection) -> None:
    if conn.last_error:
        CalendarConnection.objects.filter(pk=conn.pk).update(last_error="", last_error_at=None)


def _instant(value, zone: dt.tzinfo | None = None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    # An all-day event: the whole day, in the host's time zone.
    return dt.datetime.combine(value, dt.time(0), tzinfo=zone or dt.UTC).astimezone(dt.UTC)


def connection_of(user) -> CalendarConnection | None:
    return CalendarConnection.objects.filter(user=user).first()


def busy_times(user, start: dt.datetime, end: dt.datetime, zone=None):
    """(intervals, error): the user's busy times between `start` and `end` from their
    calendar; ([], "") without one; ([], message) when it could not be read."""
    conn = connection_of(user)
    if conn is None:
        return [], ""
    if conn.last_error and conn.last_error_at and conn.last_error_at > timezone.now() - RETRY_AFTER:
        return [], conn.last_error
    try:
        events = _calendar(conn).search(start=start, end=end, event=True, expand=True)
        found = []
        for event in events:
            for component in event.icalendar_instance.walk("VEVENT"):
                if str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
                    continue
                if str(component.get("STATUS", "")).upper() == "CANCELLED":
                    continue
                begin = component.get("DTSTART")
                if begin is None:
                    continue
                finish = component.get("DTEND")
                begin_at = _instant(begin.dt, zone)
                if finish is not None:
                    end_at = _instant(finish.dt, zone)
                elif component.get("DURATION") is not None:
                    end_at = begin_at + component.get("DURATION").dt
                else:
                    whole_day = not isinstance(begin.dt, dt.datetime)
                    end_at = begin_at + dt.timedelta(days=1 if whole_day else 0)
                if end_at > begin_at:
                    found.append(Interval(begin_at, end_at))
    except Exception as exc:
        return [], _failed(conn, exc)
    _worked(conn)
    return found, ""


def write_event(booking, calendar_text: bytes) -> str:
    """Write the booking's event into the host's calendar; its URL, or "" (no calendar, or
    it failed: noted on the connection)."""
    conn = connection_of(booking.host)
    if conn is None:
        return ""
    try:
        event = _calendar(conn).save_event(calendar_text.decode())
    except Exception as exc:
        _failed(conn, exc)
        return ""
    _worked(conn)
    return str(event.url)[:500]


def delete_event(booking) -> None:
    conn = connection_of(booking.host)
    if conn is None or not booking.calendar_event_url:
        return
    try:
        _calendar(conn).event_by_url(booking.calendar_event_url).delete()
    except Exception as exc:
        _failed(conn, exc)
        return
    _worked(conn)


def check_connection(conn: CalendarConnection) -> str:
    """ "" when the calendar answers, else the message (kept on the connection)."""
    now = timezone.now()
    try:
        _calendar(conn).search(start=now, end=now + dt.timedelta(days=1), event=True)
    except Exception as exc:
        return _failed(conn, exc)
    _worked(conn)
    return ""
