"""The open pixel and the click redirect (/t/o/<token>/, /t/c/<token>/): public, no
session read, no CSRF, never cached. Each answers after one SELECT (the email's tracking
columns and the portal's excluded networks, in one query) and one INSERT (the event,
events.insert_event: record_event's row, as SQL); counts and notifications follow in the
worker (events.tally).

A token that is not one of ours, or whose email is gone, answers the same neutral 404 (a
transparent pixel for the open URL), never a 500. A click redirects only to the URL stored
at the token's index (tracking.read_token / OutboundEmail.tracked_links), with the
visitor hint added when it leads to the company's website (tracking.with_visitor_hint)."""

import datetime as dt
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from comptoir.mail import tracking
from comptoir.mail.events import insert_event
from comptoir.mail.models import EventKind, TrackingSettings
from comptoir.users.throttle import client_address

log = logging.getLogger(__name__)

# The email's tracking columns and the portal's excluded networks, in one statement written
# as SQL (the ORM's query building cost more than the query itself when measured).
_SELECT = (
    "SELECT o.id, o.tracked_links, o.sent_at, o.accepted_at, o.sender_ip, o.sender_session, "
    "(SELECT s.excluded_networks FROM mail_trackingsettings s WHERE s.id = %s) "
    "FROM mail_outboundemail o WHERE o.id = %s"
)


def _no_store(response):
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
    response["Pragma"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _pixel(status=200):
    return _no_store(HttpResponse(tracking.PIXEL, content_type="image/gif", status=status))


def _missing():
    return _no_store(HttpResponse("Not found\n", content_type="text/plain", status=404))


def _moment(value):
    """A datetime column read by raw SQL (SQLite gives text, PostgreSQL a datetime)."""
    if value is None or isinstance(value, dt.datetime):
        moment = value
    else:
        moment = parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _email(pk: int) -> dict | None:
    """The email's tracking columns and the excluded networks, in one query; None if gone."""
    with connection.cursor() as cursor:
        cursor.execute(_SELECT, [TrackingSettings.SINGLETON, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, links, sent_at, accepted_at, sender_ip, sender_session, excluded = row
    if isinstance(links, str | bytes):
        try:
            links = json.loads(links)
        except ValueError:
            links = []
    return {
        "pk": pk,
        "tracked_links": links if isinstance(links, list) else [],
        "sent_at": _moment(sent_at),
        "accepted_at": _moment(accepted_at),
        "sender_ip": str(sender_ip) if sender_ip else None,
        "sender_session": sender_session or "",
        "excluded": excluded or "",
    }


def _record(request, row, kind, url=""):
    now = timezone.now()
    ip = tracking.clean_address(client_address(request))
    agent = tracking.clean_agent(request.META.get("HTTP_USER_AGENT", ""))
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    reason = tracking.classify(
        kind,
        ip=ip,
        user_agent=agent,
        at=now,
        sent_at=row["accepted_at"] or row["sent_at"],
        excluded=row["excluded"] or "",
        sender_ip=row["sender_ip"],
        sender_session=row["sender_session"],
        session_key=session_key if isinstance(session_key, str) else "",
    )
    insert_event(row["pk"], kind, at=now, ip=ip, user_agent=agent, url=url, reason=reason)


@login_not_required
@csrf_exempt
def open_pixel(request, token):
    found = tracking.read_token(token)
    if found is None or found[1] != tracking.OPEN:
        return _pixel(404)
    row = _email(found[0])
    if row is None:
        return _pixel(404)
    _record(request, row, EventKind.OPEN)
    return _pixel()


@login_not_required
@csrf_exempt
def click(request, token):
    found = tracking.read_token(token)
    if found is None or found[1] == tracking.OPEN:
        return _missing()
    row = _email(found[0])
    if row is None:
        return _missing()
    links = row["tracked_links"] or []
    index = int(found[1])
    if index >= len(links) or not isinstance(links[index], str):
        return _missing()
    url = links[index]
    if not tracking.trackable(url):
        return _missing()
    _record(request, row, EventKind.CLICK, url)
    # A link to the company's website carries the visitor hint (TOOL-6): its snippet
    # then knows the visitor as this email's recipient.
    return _no_store(HttpResponseRedirect(tracking.with_visitor_hint(url, row["pk"])))
