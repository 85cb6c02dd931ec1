"""The open pixel and the click redirect (/t/o/<token>/, /t/c/<token>/?u=<address>):
public, no session read, no CSRF, never cached. The pixel checks its signed token and queues
the open (comptoir/mail/hits.py: a thread of the process writes the queue in batches); so
does the redirect, whose token signs the link's address (tracking's module doc): neither
reads the database. Counts and notifications follow in the worker (events.tally).

A token that is not one of ours answers a neutral 404 (a transparent pixel for the open
URL), never a 500; so does an open written at once (a zero COMPTOIR_TRACKING_FLUSH_MS)
whose email is gone (the writer drops a queued open or click of a deleted email), and the
click of an unsigned link (an email sent before addresses were signed) whose email is gone.
A click redirects only to the address its token signs or, unsigned, to the URL stored at
the token's index (OutboundEmail.tracked_links), with the visitor hint added when it leads
to the company's website (tracking.with_visitor_hint, TOOL-6)."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from comptoir.mail import hits, tracking
from comptoir.mail.models import EventKind
from comptoir.users.throttle import client_address

log = logging.getLogger(__name__)


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


def _hit(request, outbound_id: int, kind: str, url: str = "") -> hits.Hit:
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return hits.Hit(
        outbound_id,
        kind,
        at=timezone.now(),
        ip=tracking.clean_address(client_address(request)),
        user_agent=tracking.clean_agent(request.META.get("HTTP_USER_AGENT", "")),
        url=url,
        session_key=session_key if isinstance(session_key, str) else "",
    )


@login_not_required
@csrf_exempt
def open_pixel(request, token):
    found = tracking.read_token(token)
    if found is None or found[1] != tracking.OPEN:
        return _pixel(404)
    # Queued (the email's existence checked by the writer) or written now (tests).
    if not hits.record(_hit(request, found[0], EventKind.OPEN)):
        return _pixel(404)
    return _pixel()


@login_not_required
@csrf_exempt
def click(request, token):
    address = request.GET.get(tracking.URL_PARAM)
    if address is not None:
        return _signed_click(request, token, tracking.address_of(address))
    # A link of an email sent before addresses were signed: the address stored at its index.
    found = tracking.read_token(token)
    if found is None or found[1] == tracking.OPEN:
        return _missing()
    email = hits.emails([found[0]]).get(found[0])
    if email is None:
        return _missing()
    links = email["tracked_links"]
    index = int(found[1])
    if index >= len(links) or not isinstance(links[index], str):
        return _missing()
    url = links[index]
    if not tracking.trackable(url):
        return _missing()
    hits.record(_hit(request, email["pk"], EventKind.CLICK, url), known={email["pk"]: email})
    # A link to the company's website carries the visitor hint (TOOL-6): its snippet
    # then knows the visitor as this email's recipient.
    return _no_store(HttpResponseRedirect(tracking.with_visitor_hint(url, email["pk"])))


def _signed_click(request, token, url):
    """A click whose address the token signs: no database read before the redirect (the
    writer drops the click of an email that is gone; the link still leads to its page)."""
    found = None if url is None else tracking.read_token(token, url=url)
    if found is None or not tracking.trackable(url):
        return _missing()
    hits.record(_hit(request, found[0], EventKind.CLICK, url))
    return _no_store(HttpResponseRedirect(tracking.with_visitor_hint(url, found[0])))
