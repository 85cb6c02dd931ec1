"""What happens to an email after it left (EmailEvent): writing an event, and the worker's
tally of them into the email's engagement and the notifications.

Anyone recording an event calls `record_event`, and only that: the open pixel and the
click redirect (comptoir/mail/tracking_views.py), the mailbox sync for replies and bounces.
It writes one row and nothing else, so the request that records it never waits on more
than one INSERT. The worker (`tally`, every minute and on demand) then:

- counts each tallied email's events again from the table (automated ones left out) and
  writes the counts and last dates on its `emails` engagement, through update_record, so
  the change is in the record's history like any other (hs_email_open_count,
  hs_email_click_count, hs_email_reply_count, hs_email_last_open_date,
  hs_email_last_click_date, hs_email_last_reply_date);
- hands the new events that are a person's to EVENT_OBSERVERS (the notifications app tells
  the sender, per their SET-7 switches).

Counting again from the table makes a tally that died midway harmless: the next one writes
the same numbers. An event is handed to observers only by the worker whose UPDATE marked it
tallied."""

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import update_record
from comptoir.mail.models import EmailEvent, EventKind, OutboundEmail
from comptoir.mail.tracking import clean_address, clean_agent

log = logging.getLogger(__name__)

TALLY_BATCH = 500
# Called after a tally with the new events that are a person's, grouped by email:
# f(outbound, [events]). The notifications app adds its hook in AppConfig.ready().
EVENT_OBSERVERS: list = []
# The engagement's properties each kind keeps up to date: (count, last date).
PROPERTIES = {
    EventKind.OPEN: ("hs_email_open_count", "hs_email_last_open_date"),
    EventKind.CLICK: ("hs_email_click_count", "hs_email_last_click_date"),
    EventKind.REPLY: ("hs_email_reply_count", "hs_email_last_reply_date"),
}


def record_event(
    outbound: OutboundEmail | int,
    kind: str,
    *,
    at=None,
    ip: str | None = None,
    user_agent: str = "",
    url: str = "",
    automated: bool = False,
    reason: str = "",
) -> EmailEvent:
    """Write one event of an email sent from the CRM (one INSERT, nothing else).

    `outbound`: the OutboundEmail (or its id); `kind`: EventKind.OPEN, CLICK, REPLY or
    BOUNCE; `at`: when it happened (now by default); `ip` and `user_agent` as received
    (anything that is not an address is stored as none); `url`: a click's original URL;
    `automated` with a `reason` (tracking.REASONS) for an event that is nobody's (kept,
    never counted). The counts on the engagement and the notifications follow within a
    minute (`tally`, in the worker)."""
    if kind not in EventKind.values:
        raise ValueError(f"Unknown email event kind: {kind!r}")
    return EmailEvent.objects.create(
        outbound_id=outbound if isinstance(outbound, int) else outbound.pk,
        kind=kind,
        occurred_at=at or timezone.now(),
        ip=clean_address(ip),
        user_agent=clean_agent(user_agent),
        url=(url or "")[:2000],
        automated=bool(automated),
        reason=(reason or "")[:32] if automated else "",
    )


def counts(outbound_id: int) -> dict:
    """The engagement's tracking properties of one email, from its events."""
    rows = (
        EmailEvent.objects.filter(outbound_id=outbound_id, automated=False)
        .values("kind")
        .annotate(n=Count("pk"), last=Max("occurred_at"))
    )
    found = {row["kind"]: row for row in rows}
    props = {}
    for kind, (count_name, last_name) in PROPERTIES.items():
        row = found.get(kind)
        props[count_name] = str(row["n"]) if row else "0"
        props[last_name] = format_datetime(row["last"]) if row else ""
    return props


def _source(outbound) -> ChangeSource:
    return ChangeSource.for_user(outbound.user, SourceType.SALES, f"email-tracking:{outbound.pk}")


def _write_counts(outbound: OutboundEmail) -> None:
    if outbound.engagement_id is None:
        return
    if not base_queryset("emails").filter(pk=outbound.engagement_id).exists():
        return  # the engagement was deleted: the events stay, nothing to show them on
    update_record(
        "emails",
        outbound.engagement_id,
        counts(outbound.pk),
        source=_source(outbound),
        allow_read_only=True,
    )


def tally(limit: int = TALLY_BATCH) -> int:
    """Carry the events not tallied yet into their emails' engagements and the
    observers; returns how many events this run took."""
    pending = list(
        EmailEvent.objects.filter(tallied=False)
        .order_by("pk")
        .values_list("pk", "outbound_id")[:limit]
    )
    by_email = defaultdict(list)
    for pk, outbound_id in pending:
        by_email[outbound_id].append(pk)
    taken = 0
    for outbound_id, ids in by_email.items():
        with transaction.atomic():
            claimed = EmailEvent.objects.filter(pk__in=ids, tallied=False).update(tallied=True)
            if not claimed:
                continue  # another worker has them
            taken += claimed
            outbound = OutboundEmail.objects.select_related("user").filter(pk=outbound_id).first()
            if outbound is None:
                continue
            _write_counts(outbound)
            fresh = list(
                EmailEvent.objects.filter(pk__in=ids, automated=False).order_by("occurred_at")
            )
            if fresh:
                for observer in EVENT_OBSERVERS:
                    transaction.on_commit(
                        lambda o=observer, m=outbound, e=fresh: o(m, e), robust=True
                    )
    if taken:
        log.info("Email events tallied: %s.", taken)
    return taken


def person_events(queryset=None):
    """Events that are a person's (the feed, the analytics)."""
    queryset = queryset if queryset is not None else EmailEvent.objects.all()
    return queryset.filter(Q(automated=False))
