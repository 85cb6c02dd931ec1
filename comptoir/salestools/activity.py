"""The email activity feed (Sales tools > Notifications, TOOL-2): who opened, clicked or
replied to the emails the user sent from Comptoir, newest first; who opened the
documents the user owns or shared through a link (TOOL-4); who booked a meeting with the
user through a booking link (TOOL-7).

A user sees the events of their own emails only; automated events (scanners, excluded
networks, the sender) are left out. The contact shown is the first contact, among those the
user may see, associated with the email's engagement."""

from dataclasses import dataclass

from django.db.models import Q

from comptoir.core.associations.services import associated_ids, associations_by_target
from comptoir.core.records.values import base_queryset, display_name
from comptoir.documents.models import ViewSession, counted
from comptoir.mail.models import EmailEvent, EventKind
from comptoir.meetings.models import Booking

FEED_KINDS = (EventKind.OPEN, EventKind.CLICK, EventKind.REPLY)
DOCUMENT_VIEW = "document"  # a document's share link opened (documents.ViewSession)
MEETING_BOOKED = "meeting"  # a visitor booked a meeting (meetings.Booking)
KINDS = (*FEED_KINDS, DOCUMENT_VIEW, MEETING_BOOKED)
PAGE = 50
CONTACT_CHOICES = 100


@dataclass
class Entry:
    pk: int
    kind: str
    occurred_at: object
    subject: str
    url: str
    contact_id: int | None
    contact_name: str
    recipient: str
    starts_at: object = None  # a booked meeting's start


def _events(user, kind: str = "", contact_id: int | None = None):
    events = EmailEvent.objects.filter(outbound__user=user, automated=False, kind__in=FEED_KINDS)
    if kind in FEED_KINDS:
        events = events.filter(kind=kind)
    if contact_id is not None:
        if not base_queryset("contacts", user=user).filter(pk=contact_id).exists():
            return events.none()  # a contact the user may not see reads as one with no email
        events = events.filter(
            outbound__engagement_id__in=associated_ids("contacts", contact_id, "emails")
        )
    return events


def _recipient(outbound) -> str:
    if not outbound.to:
        return ""
    name, _sep, address = outbound.to[0].rpartition("<")
    return name.strip().strip('"') or address.rstrip(">").strip()


def _document_views(user, contact_id: int | None, limit: int) -> list[Entry]:
    """The latest views of the documents the user owns or sent a link to (confirmed ones:
    read in a browser, not fetched by a scanner)."""
    views = ViewSession.objects.filter(
        Q(document__owner=user) | Q(link__created_by=user), counted()
    )
    if contact_id is not None:
        if not base_queryset("contacts", user=user).filter(pk=contact_id).exists():
            return []
        views = views.filter(contact_id=contact_id)
    rows = list(
        views.select_related("document")
        .only("pk", "started_at", "viewer_email", "contact_id", "document__name")
        .order_by("-started_at", "-pk")[:limit]
    )
    contacts = {
        c.pk: display_name("contacts", c)
        for c in base_queryset("contacts", user=user)
        .filter(pk__in={r.contact_id for r in rows if r.contact_id})
        .only("pk", "firstname", "lastname", "email")
    }
    return [
        Entry(
            pk=r.pk,
            kind=DOCUMENT_VIEW,
            occurred_at=r.started_at,
            subject=r.document.name,
            url="",
            contact_id=r.contact_id if r.contact_id in contacts else None,
            contact_name=contacts.get(r.contact_id, ""),
            recipient=r.viewer_email,
        )
        for r in rows
    ]


def _bookings(user, contact_id: int | None, limit: int) -> list[Entry]:
    """The latest meetings booked with the user through their booking links."""
    bookings = Booking.objects.filter(host=user, status=Booking.CONFIRMED)
    if contact_id is not None:
        if not base_queryset("contacts", user=user).filter(pk=contact_id).exists():
            return []
        bookings = bookings.filter(contact_id=contact_id)
    rows = list(
        bookings.select_related("link")
        .only("pk", "created_at", "start", "name", "email", "contact_id", "link__title")
        .order_by("-created_at", "-pk")[:limit]
    )
    visible = set(
        base_queryset("contacts", user=user)
        .filter(pk__in={r.contact_id for r in rows if r.contact_id})
        .values_list("pk", flat=True)
    )
    return [
        Entry(
            pk=r.pk,
            kind=MEETING_BOOKED,
            occurred_at=r.created_at,
            subject=r.link.title,
            url="",
            contact_id=r.contact_id if r.contact_id in visible else None,
            contact_name=r.name,
            recipient=r.email,
            starts_at=r.start,
        )
        for r in rows
    ]


# The feed's sources besides the emails' events: kind -> (user, contact id, limit) -> Entries.
OTHER_SOURCES = {DOCUMENT_VIEW: _document_views, MEETING_BOOKED: _bookings}


def feed(user, *, kind: str = "", contact_id: int | None = None, limit: int = PAGE):
    """The latest events of the user's emails, views of their documents and meetings booked
    with them, as Entries (a constant number of queries)."""
    if kind in OTHER_SOURCES:
        return OTHER_SOURCES[kind](user, contact_id, limit)
    entries = _email_feed(user, kind=kind, contact_id=contact_id, limit=limit)
    if kind:
        return entries
    for source in OTHER_SOURCES.values():
        entries += source(user, contact_id, limit)
    return sorted(entries, key=lambda e: e.occurred_at, reverse=True)[:limit]


def newest_email(entries) -> int:
    """The newest email event's id (the page's browser notifications follow those)."""
    return next((e.pk for e in entries if e.kind in FEED_KINDS), 0)


def _email_feed(user, *, kind: str = "", contact_id: int | None = None, limit: int = PAGE):
    rows = list(
        _events(user, kind, contact_id)
        .select_related("outbound")
        .only(
            "pk",
            "kind",
            "occurred_at",
            "url",
            "outbound__subject",
            "outbound__to",
            "outbound__engagement_id",
        )
        .order_by("-occurred_at", "-pk")[:limit]
    )
    engagements = {r.outbound.engagement_id for r in rows if r.outbound.engagement_id}
    links = associations_by_target("emails", engagements, "contacts", user=user)
    first = {eid: min(targets) for eid, targets in links.items() if targets}
    contacts = {
        c.pk: display_name("contacts", c)
        for c in base_queryset("contacts", user=user)
        .filter(pk__in=set(first.values()))
        .only("pk", "firstname", "lastname", "email")
    }
    entries = []
    for r in rows:
        contact_id_ = first.get(r.outbound.engagement_id)
        entries.append(
            Entry(
                pk=r.pk,
                kind=r.kind,
                occurred_at=r.occurred_at,
                subject=r.outbound.subject,
                url=r.url,
                contact_id=contact_id_ if contact_id_ in contacts else None,
                contact_name=contacts.get(contact_id_, ""),
                recipient=_recipient(r.outbound),
            )
        )
    return entries


def contact_choices(user) -> list[tuple[int, str]]:
    """The contacts of the user's recent tracked emails (the feed's contact filter)."""
    engagements = list(
        _events(user)
        .order_by("-occurred_at")
        .values_list("outbound__engagement_id", flat=True)[:1000]
    )
    links = associations_by_target("emails", set(engagements) - {None}, "contacts", user=user)
    ids = {cid for targets in links.values() for cid in targets}
    found = (
        base_queryset("contacts", user=user)
        .filter(pk__in=ids)
        .only("pk", "firstname", "lastname", "email")
    )
    names = sorted(((c.pk, display_name("contacts", c)) for c in found), key=lambda x: x[1])
    return names[:CONTACT_CHOICES]
