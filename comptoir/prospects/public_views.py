"""The website snippet and its beacons (/p/snippet.js, /p/collect): public, no session.

`/p/collect` takes page views only from the company's own website (Settings > Prospects:
the Origin header, or the Referer when a browser sends no Origin, must be one of its
domains or under one; every page URL too) and answers CORS only to those. A beacon is read
up to MAX_BODY bytes and checked whole (JSON, sizes, URLs, the visitor id's form, the
tracked email's signed hint, the identified address) before anything is written: a bad one
gets a 4xx naming what is wrong and writes nothing. The hint (`h`) is a tracked email's or a
shared document's (mail/tracking.py `read_hint`): the email's id, or the contact's, is kept
on the page views for the worker. The good one is queued for the
server process's writer thread (one transaction every COMPTOIR_TRACKING_FLUSH_MS for all
the beacons received meanwhile), or written at once in one INSERT when that is 0.
Attributing them is the worker's (`attribution.attribute`), never the request's."""

import atexit
import json
import re
import time
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from comptoir.core.counters import count
from comptoir.mail import hits, tracking
from comptoir.mail.tracking import clean_address, clean_agent
from comptoir.prospects.conf import beacon_conf, host_allowed
from comptoir.prospects.models import PageView
from comptoir.users.throttle import client_address

MAX_BODY = 16 * 1024
MAX_EVENTS = 20
MAX_URL = 2048
MAX_TITLE = 300
CHUNK = 500  # rows an INSERT (12 parameters each: under SQLite's 32,766)
VISITOR = re.compile(r"[A-Za-z0-9_-]{22}")
EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,63}")
SNIPPET = Path(__file__).with_name("snippet.js")


class BadBeacon(Exception):
    def __init__(self, status: int, error: str, field: str = ""):
        super().__init__(error)
        self.status, self.error, self.field = status, error, field


def _base(request) -> str:
    # The script was fetched from this server: its beacons go back where it came from.
    return request.build_absolute_uri("/").rstrip("/")


@cache
def _source() -> str:
    return SNIPPET.read_text()


@login_not_required
def snippet(request):
    """The script the website includes; it posts to this server's /p/collect."""
    base = _base(request)
    body = (
        _source()
        .replace("__ENDPOINT__", base + reverse("prospects_public:collect"))
        .replace("__SCRIPT__", base + reverse("prospects_public:snippet"))
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _origin(request) -> str:
    """The website the beacon comes from: its Origin, else its Referer's; "" when neither."""
    origin = request.META.get("HTTP_ORIGIN", "")
    if origin and origin != "null":
        return origin
    referer = request.META.get("HTTP_REFERER", "")
    if referer:
        parts = urlsplit(referer[:MAX_URL])
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return ""


def _allowed_origin(request, domains) -> str:
    origin = _origin(request)
    try:
        parts = urlsplit(origin)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host_allowed(host, domains):
        return ""
    return origin


def _answer(status: int, origin: str = "", payload=None):
    if payload is None:
        response = HttpResponse(status=status)
    else:
        response = JsonResponse(payload, status=status)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def _text(value, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadBeacon(400, "not text", field)
    if len(value) > limit:
        raise BadBeacon(413, "too long", field)
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise BadBeacon(400, "control characters", field)
    return value


def _page_url(value, field: str, domains) -> str:
    url = _text(value, field, MAX_URL)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise BadBeacon(400, "not a URL", field) from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadBeacon(400, "not a URL", field)
    if not host_allowed(host, domains):
        raise BadBeacon(403, "not a page of the website", field)
    return url


def parse(body: bytes, domains) -> dict:
    """The beacon's values, checked; BadBeacon otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadBeacon(400, "not JSON") from None
    if not isinstance(data, dict):
        raise BadBeacon(400, "not a JSON object")
    visitor = _text(data.get("v"), "v", 64)
    if visitor and not VISITOR.fullmatch(visitor):
        raise BadBeacon(400, "not a visitor id", "v")
    hint = _text(data.get("h"), "h", tracking.HINT_MAX)
    email_id = contact_id = None
    if hint:
        found = tracking.read_hint(hint)
        if found is None:
            raise BadBeacon(400, "not a hint of this portal", "h")
        kind, pk = found
        if kind == tracking.CONTACT_HINT:
            contact_id = pk
        else:
            email_id = pk
    email = _text(data.get("i"), "i", 254).strip()
    if email and not EMAIL.fullmatch(email):
        raise BadBeacon(400, "not an email address", "i")
    events = data.get("e") or []
    if not isinstance(events, list):
        raise BadBeacon(400, "not a list", "e")
    if len(events) > MAX_EVENTS:
        raise BadBeacon(413, "too many page views", "e")
    pages = []
    for n, event in enumerate(events):
        if not isinstance(event, dict):
            raise BadBeacon(400, "not an object", f"e.{n}")
        pages.append(
            (
                _page_url(event.get("u"), f"e.{n}.u", domains),
                _text(event.get("r"), f"e.{n}.r", MAX_URL),
                _text(event.get("t"), f"e.{n}.t", MAX_TITLE),
            )
        )
    if not pages and not (email_id or contact_id or email):
        raise BadBeacon(400, "nothing to record", "e")
    return {
        "visitor": visitor,
        "email_id": email_id,
        "contact_id": contact_id,
        "email": email.lower(),
        "pages": pages,
    }


def _read(request) -> bytes:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise BadBeacon(413, "too large")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise BadBeacon(413, "too large")
    return body


_COLUMNS = (
    "occurred_at, visitor, url, referrer, title, ip, user_agent, email_id, contact_id, email, "
    "processed, domain"
)
_ROW = "(" + ", ".join(["%s"] * 12) + ")"


def _write(rows: list[tuple]) -> int:
    """Page views in one transaction, an INSERT written as SQL per CHUNK rows (the ORM's
    bulk_create cost a third of the request when measured: bench/prospects.py)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A page view is worth less than the wait for the WAL's flush: a crash may
            # lose the last fraction of a second of them, never half of one.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for start in range(0, len(rows), CHUNK):
            sql, params = _insert(rows[start : start + CHUNK])
            cursor.execute(sql, params)
    return len(rows)


def _insert(rows: list[tuple]) -> tuple[str, list]:
    ops = connection.ops
    params = []
    for at, visitor, url, referrer, title, ip, agent, email_id, contact_id, email in rows:
        params += [
            ops.adapt_datetimefield_value(at),
            visitor,
            url,
            referrer,
            title,
            ops.adapt_ipaddressfield_value(ip),
            agent,
            email_id,
            contact_id,
            email,
            False,
            "",
        ]
    sql = f"INSERT INTO {PageView._meta.db_table} ({_COLUMNS}) VALUES " + ", ".join(
        [_ROW] * len(rows)
    )
    return sql, params


def _queued(batches: list[list[tuple]]) -> int:
    """The writer thread's flush: every queued beacon's page views, in one transaction."""
    return _write([row for rows in batches for row in rows])


# With COMPTOIR_TRACKING_FLUSH_MS above 0 (the default), a beacon's page views are queued
# and a thread of the server process writes the queue every so many milliseconds, as the
# email pixel's opens are (comptoir/mail/hits.py: a process killed with -9 loses its last
# fraction of a second of page views; never half a beacon). With 0 (the tests), each
# beacon writes its own before answering.
queue = hits.Queue(writer=_queued, name="prospects-page-views")
atexit.register(queue.stop)


RATE_WINDOW = 60  # seconds


def _too_many(ip: str | None) -> bool:
    """More beacons from one address this minute than a person's browsing sends
    (COMPTOIR_PROSPECTS_RATE_LIMIT; 0: no limit)."""
    limit = settings.COMPTOIR_PROSPECTS_RATE_LIMIT
    if not limit:
        return False
    window = int(time.time() // RATE_WINDOW)
    return count(f"pv:{ip or '-'}:{window}", RATE_WINDOW + 1) > limit


@login_not_required
@csrf_exempt
def collect(request):
    domains = beacon_conf().domains
    origin = _allowed_origin(request, domains)
    if request.method == "OPTIONS":
        if not origin:
            return _answer(403)
        response = _answer(204, origin)
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method != "POST":
        response = _answer(405, "", {"error": "POST only"})
        response["Allow"] = "POST, OPTIONS"
        return response
    if not origin:
        return _answer(403, "", {"error": "not the portal's website", "field": "origin"})
    ip = clean_address(client_address(request)) or None
    if _too_many(ip):
        response = _answer(429, origin, {"error": "too many beacons from this address"})
        response["Retry-After"] = str(RATE_WINDOW)
        return response
    try:
        beacon = parse(_read(request), domains)
    except BadBeacon as bad:
        return _answer(bad.status, origin, {"error": bad.error, "field": bad.field})
    now = timezone.now()
    agent = clean_agent(request.META.get("HTTP_USER_AGENT", ""))[:300]
    who = (beacon["email_id"], beacon["contact_id"], beacon["email"])
    visitor = beacon["visitor"]
    rows = [(now, visitor, u, r, t, ip, agent, *who) for u, r, t in beacon["pages"]]
    if not rows:  # an identify() alone: a row without a page, the worker only reads who
        rows = [(now, visitor, "", "", "", ip, agent, *who)]
    if settings.COMPTOIR_TRACKING_FLUSH_MS > 0:
        queue.add(rows)
    else:
        _write(rows)
    return _answer(204, origin)
