"""The call queue (TOOL-8): build a queue from a selection or a list view, walk through it,
log each call through the composer's service (history, timeline, the contact's company).

A queue only holds contacts its user may see; a contact deleted or hidden since is skipped
when its turn comes."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.objects.registry import get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.properties.formatting import format_datetime_short
from comptoir.core.records.values import base_queryset, display_name
from comptoir.core.search.compiler import order_by
from comptoir.core.ui import composer
from comptoir.salestools.models import CallQueue, CallQueueEntry

MAX_CONTACTS = 500


class QueueError(ValueError):
    """A queue that cannot be made; the message is for the user."""


def default_name() -> str:
    moment = format_datetime_short(timezone.now(), portal().report_time_zone)
    return _("Calls of %(date)s") % {"date": moment}


def create_queue(user, contact_ids, *, name: str = "") -> CallQueue:
    """A queue of the given contacts, in the given order, keeping those `user` may see."""
    wanted = list(dict.fromkeys(int(pk) for pk in contact_ids))[:MAX_CONTACTS]
    visible = set(
        base_queryset("contacts", user=user).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    ordered = [pk for pk in wanted if pk in visible]
    if not ordered:
        raise QueueError(_("Select at least one contact to call."))
    with transaction.atomic():
        queue = CallQueue.objects.create(user=user, name=(name or default_name())[:200])
        CallQueueEntry.objects.bulk_create(
            CallQueueEntry(queue=queue, contact_id=pk, position=i) for i, pk in enumerate(ordered)
        )
    return queue


def create_queue_from_list(user, state, *, name: str = "") -> CallQueue:
    """A queue of the contacts a list view shows (its filters, search and sort), at most
    MAX_CONTACTS of them."""
    qs = state.queryset(user).order_by(*order_by(state.ot, [state.sort]))
    ids = list(qs.values_list("pk", flat=True)[:MAX_CONTACTS])
    if not ids:
        raise QueueError(_("This view has no contacts to call."))
    return create_queue(user, ids, name=name)


def progress(queue: CallQueue) -> dict:
    counts = dict.fromkeys(dict(CallQueueEntry.STATES), 0)
    for row in queue.entries.order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    total = sum(counts.values())
    done = total - counts[CallQueueEntry.PENDING]
    return {
        "total": total,
        "done": done,
        "called": counts[CallQueueEntry.CALLED],
        "skipped": counts[CallQueueEntry.SKIPPED],
        "position": min(done + 1, total),
        "finished": total > 0 and done == total,
    }


def current(queue: CallQueue, user):
    """(entry, contact) of the next contact to call, or (None, None) when the queue is done.
    Contacts deleted or no longer visible are skipped on the way."""
    visible = base_queryset("contacts", user=user)
    while True:
        entry = queue.entries.filter(state=CallQueueEntry.PENDING).first()
        if entry is None:
            return None, None
        contact = visible.filter(pk=entry.contact_id).first()
        if contact is not None:
            return entry, contact
        _finish(entry, CallQueueEntry.SKIPPED)


def _finish(entry: CallQueueEntry, state: str, call_id=None) -> None:
    entry.state, entry.call_id, entry.done_at = state, call_id, timezone.now()
    entry.save(update_fields=["state", "call_id", "done_at"])


def log_call(entry: CallQueueEntry, contact, raw, *, source, owner_id=None, user=None):
    """Log the call on the contact (composer's service) and move on; (call, errors)."""
    if entry.state != CallQueueEntry.PENDING:
        raise QueueError(_("This contact was already done in this queue."))
    contacts = get_object_type("contacts")
    call, errors = composer.log(
        "call", contacts, contact, display_name(contacts, contact), raw, source, owner_id, user
    )
    if call is not None:
        _finish(entry, CallQueueEntry.CALLED, call.pk)
    return call, errors


def skip(entry: CallQueueEntry) -> None:
    if entry.state == CallQueueEntry.PENDING:
        _finish(entry, CallQueueEntry.SKIPPED)


UPCOMING = 10
MOVES = ("up", "down", "next")


def upcoming(queue: CallQueue, user, current_entry=None) -> list[dict]:
    """The next contacts after the one on screen, in order, with their names (those no
    longer visible are left out here and skipped when their turn comes)."""
    entries = list(
        queue.entries.filter(state=CallQueueEntry.PENDING)
        .exclude(pk=getattr(current_entry, "pk", None))
        .order_by("position")[:UPCOMING]
    )
    contacts = {
        c.pk: c
        for c in base_queryset("contacts", user=user).filter(pk__in=[e.contact_id for e in entries])
    }
    return [
        {"entry": e, "name": display_name("contacts", contacts[e.contact_id])}
        for e in entries
        if e.contact_id in contacts
    ]


def move(queue: CallQueue, entry_id, to: str) -> bool:
    """Move a contact still to call one place up or down, or to the front ("next": called
    right after the one on screen... or first when none is). The other pending contacts
    keep their order; the done ones keep their places."""
    if to not in MOVES:
        raise QueueError(_("Choose up, down or next."))
    with transaction.atomic():
        pending = list(
            queue.entries.select_for_update()
            .filter(state=CallQueueEntry.PENDING)
            .order_by("position", "pk")
        )
        index = next((i for i, e in enumerate(pending) if e.pk == entry_id), None)
        if index is None:
            return False
        slots = [e.position for e in pending]
        entry = pending.pop(index)
        target = {"up": max(index - 1, 0), "down": min(index + 1, len(pending))}.get(to)
        if to == "next":
            target = min(1, len(pending))  # after the one on screen (the first pending)
        pending.insert(target, entry)
        # The same slots, dealt out again: done entries never collide with them.
        slots = sorted(slots)
        for slot, item in zip(slots, pending, strict=True):
            item.position = slot
        CallQueueEntry.objects.bulk_update(pending, ["position"])
    return True


def change_settings(queue: CallQueue, *, auto_advance: bool, delay: str) -> None:
    try:
        seconds = int(delay)
    except (TypeError, ValueError):
        raise QueueError(_("Enter a delay in seconds, from 0 to 60.")) from None
    if not 0 <= seconds <= 60:
        raise QueueError(_("Enter a delay in seconds, from 0 to 60."))
    queue.auto_advance, queue.delay_seconds = auto_advance, seconds
    queue.save(update_fields=["auto_advance", "delay_seconds"])
