"""The open pixel and the click redirect (/t/o/<token>/, /t/c/<token>/): public, no
session read, no CSRF, never cached. Each answers after one SELECT (the email's tracking
columns and the portal's excluded networks, in one query) and one INSERT (the event,
events.record_event); counts and notifications follow in the worker (events.tally).

A token that is not one of ours, or whose email is gone, answers the same neutral 404 (a
transparent pixel for the open URL), never a 500. A click redirects only to the URL stored
at the token's index (tracking.read_token / OutboundEmail.tracked_links)."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Subquery
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from comptoir.mail import tracking
from comptoir.mail.events import record_event
from comptoir.mail.models import EventKind, OutboundEmail, TrackingSettings
from comptoir.users.throttle import client_address

log = logging.getLogger(__name__)

_COLUMNS = ("pk", "tracked_links", "sent_at", "accepted_at", "sender_ip", "sender_session")


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


def _email(pk: int):
    """The email's tracking columns and the excluded networks, in one query; None if gone."""
    excluded = TrackingSettings.objects.filter(pk=TrackingSettings.SINGLETON).values(
        "excluded_networks"
    )
    return (
        OutboundEmail.objects.filter(pk=pk)
        .annotate(excluded=Subquery(excluded[:1]))
        .values(*_COLUMNS, "excluded")
        .first()
    )


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
    record_event(
        row["pk"],
        kind,
        at=now,
        ip=ip,
        user_agent=agent,
        url=url,
        automated=bool(reason),
        reason=reason,
    )


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
    return _no_store(HttpResponseRedirect(url))
