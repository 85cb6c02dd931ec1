"""Background work of meetings (TOOL-7): a booking's invitations and its event in the
host's calendar, done by the worker, so that a slow or down mail or CalDAV server never
holds up the visitor's page (comptoir/meetings/invitations.py does the work). An email the
mail server did not take is tried again after each of RETRY_DELAYS, then given up."""

import datetime as dt
import logging

from django.tasks import task, task_backends
from django.utils import timezone

from comptoir.meetings import invitations
from comptoir.meetings.models import Booking

log = logging.getLogger("comptoir.meetings")
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
    dt.timedelta(hours=12),
)


@task
def send_invitations(
    booking_id: int, method: str, language: str = "", attempt: int = 0, sides=None
) -> int:
    """METHOD:REQUEST after a booking (the event written into each host's calendar first),
    METHOD:CANCEL after a cancel (the events removed); a later attempt sends again only to
    the `sides` not reached. Returns how many emails went."""
    booking = Booking.objects.filter(pk=booking_id).select_related("link", "host").first()
    if booking is None or method not in (invitations.REQUEST, invitations.CANCEL):
        return 0
    if attempt == 0 and method == invitations.REQUEST:
        failed = invitations.booked(booking, visitor_language=language)
        tried = len(invitations.sides_of(booking))
    elif attempt == 0:
        failed = invitations.cancelled(booking, visitor_language=language)
        tried = len(invitations.sides_of(booking))
    else:
        # Only the sides the booking still has (a member no longer in it gets nothing).
        sides = [side for side in sides or () if side in invitations.sides_of(booking)]
        tried = len(sides)
        failed = invitations.send(booking, method, visitor_language=language, sides=sides)
    if failed:
        retry(booking_id, method, language, attempt, failed)
    return tried - len(failed)


def retry(booking_id: int, method: str, language: str, attempt: int, sides: list[str]) -> bool:
    """Queue another try for `sides` after the next delay; False once they ran out (or the
    task backend runs tasks at once and cannot wait: the demo's, some tests')."""
    if attempt >= len(RETRY_DELAYS) or not task_backends["default"].supports_defer:
        log.warning("Invitation of booking %s to %s given up", booking_id, ", ".join(sides))
        return False
    send_invitations.using(run_after=timezone.now() + RETRY_DELAYS[attempt]).enqueue(
        booking_id, method, language, attempt + 1, list(sides)
    )
    return True
