"""Opens and clicks as they arrive (issue 17, points 3 and 9): each request of the pixel or
the redirect makes a `Hit`; `write()` classifies hits (a person's, or automated and why)
and inserts them, many in one statement.

With COMPTOIR_TRACKING_FLUSH_MS above 0 (the default, 200), a request only queues its hit
and answers: a thread of the server process writes the queue every so many milliseconds
(sooner past MAX_QUEUE hits) in one transaction, so that a burst of opens holds the write
lock once, not once per open. The price: a server process killed with -9 loses the hits of
its last fraction of a second (a graceful stop writes them); the database never holds half
a batch. With 0 (the tests' setting), each request writes its own hit before answering."""

import atexit
import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from comptoir.mail import tracking
from comptoir.mail.models import TrackingSettings

log = logging.getLogger(__name__)
MAX_QUEUE = 500


@dataclass(frozen=True)
class Hit:
    outbound_id: int
    kind: str  # EventKind.OPEN or CLICK
    at: dt.datetime
    ip: str | None  # cleaned (tracking.clean_address)
    user_agent: str  # cleaned (tracking.clean_agent)
    url: str = ""
    session_key: str = ""  # the reader's session cookie, to know the sender's own hits


# The emails' tracking columns and the portal's excluded networks, in one statement written
# as SQL (the ORM's query building cost more than the query itself when measured).
_SELECT = (
    "SELECT o.id, o.tracked_links, o.sent_at, o.accepted_at, o.sender_ip, o.sender_session, "
    "(SELECT s.excluded_networks FROM mail_trackingsettings s WHERE s.id = %s) "
    "FROM mail_outboundemail o WHERE o.id IN ({})"
)
_INSERT = (
    "INSERT INTO mail_emailevent (outbound_id, kind, occurred_at, ip, user_agent, url, "
    "automated, reason, tallied) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _moment(value):
    """A datetime column read by raw SQL (SQLite gives text, PostgreSQL a datetime)."""
    if value is None or isinstance(value, dt.datetime):
        moment = value
    else:
        moment = parse_datetime(str(value))
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def emails(ids) -> dict[int, dict]:
    """{id: the email's tracking columns and the excluded networks} of those still there."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _SELECT.format(", ".join(["%s"] * len(ids))), [TrackingSettings.SINGLETON, *ids]
        )
        for pk, links, sent_at, accepted_at, sender_ip, sender_session, excluded in cursor:
            if isinstance(links, str | bytes):
                try:
                    links = json.loads(links)
                except ValueError:
                    links = []
            found[pk] = {
                "pk": pk,
                "tracked_links": links if isinstance(links, list) else [],
                "sent_at": _moment(accepted_at) or _moment(sent_at),
                "sender_ip": str(sender_ip) if sender_ip else None,
                "sender_session": sender_session or "",
                "excluded": excluded or "",
            }
    return found


def write(hits: list[Hit], known: dict | None = None) -> int:
    """Classify and insert `hits` in one transaction; hits of emails that are gone are
    dropped. `known`: emails already read by the caller (the redirect reads its links).
    Returns how many were written."""
    if not hits:
        return 0
    known = dict(known or {})
    missing = {h.outbound_id for h in hits} - set(known)
    known |= emails(missing)
    ops, rows = connection.ops, []
    for hit in hits:
        email = known.get(hit.outbound_id)
        if email is None:
            continue
        reason = tracking.classify(
            hit.kind,
            ip=hit.ip,
            user_agent=hit.user_agent,
            at=hit.at,
            sent_at=email["sent_at"],
            excluded=email["excluded"],
            sender_ip=email["sender_ip"],
            sender_session=email["sender_session"],
            session_key=hit.session_key,
        )
        rows.append(
            [
                hit.outbound_id,
                hit.kind,
                ops.adapt_datetimefield_value(hit.at),
                ops.adapt_ipaddressfield_value(hit.ip),
                hit.user_agent,
                hit.url[:2000],
                bool(reason),
                reason[:32],
                False,
            ]
        )
    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # An open or a click is worth less than the wait for the WAL's flush: on a crash
            # the last fraction of a second of events may be lost, never half-written (the
            # database stays consistent; PostgreSQL's asynchronous commit).
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if len(rows) == 1:
            cursor.execute(_INSERT, rows[0])
        else:
            cursor.executemany(_INSERT, rows)
    return len(rows)


class Queue:
    """The server process's hits waiting for the writer thread (one per process)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._hits: list[Hit] = []
        self._wake = threading.Event()
        self._pid = None
        self._generation = 0
        self._thread = None

    def add(self, hit: Hit) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use, or a process forked from ours
                self.restart()
            self._hits.append(hit)
            if len(self._hits) >= MAX_QUEUE:
                self._wake.set()

    def restart(self) -> None:
        """A new writer thread (with the current interval); the previous one stops."""
        self._hits, self._pid = [], os.getpid()
        self._generation += 1
        self._wake.set()  # the previous thread wakes and sees it is not the current one
        self._wake = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(self._generation, self._wake), name="tracking-hits", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Write what waits and end the writer thread (it closes its connection)."""
        self.flush()
        with self._lock:
            self._generation += 1
            self._pid = None
            self._wake.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def flush(self) -> int:
        with self._lock:
            hits, self._hits = self._hits, []
        if not hits:
            return 0
        try:
            return write(hits)
        except Exception:
            log.exception("%d opens and clicks could not be written", len(hits))
            return 0

    def _run(self, generation: int, wake: threading.Event) -> None:
        interval = settings.COMPTOIR_TRACKING_FLUSH_MS / 1000
        while True:
            wake.wait(interval)
            wake.clear()
            if generation != self._generation:
                break
            self.flush()
            connection.close_if_unusable_or_obsolete()
        connection.close()

    def __len__(self) -> int:
        return len(self._hits)


queue = Queue()
atexit.register(queue.stop)  # a graceful stop writes what is waiting


def record(hit: Hit, known: dict | None = None) -> bool:
    """Take a hit: queued for the writer thread, or written now when the queue is off
    (returns whether it was written or queued; False: its email is gone)."""
    if settings.COMPTOIR_TRACKING_FLUSH_MS > 0:
        queue.add(hit)
        return True
    return write([hit], known) == 1
