"""Background work of meetings (TOOL-7): a booking's invitations and its event in the
host's calendar, done by the worker, so that a slow or down mail or CalDAV server never
holds up the visitor's page (comptoir/meetings/invitations.py does the work)."""

from django.tasks import task

from comptoir.meetings import invitations
from comptoir.meetings.models import Booking


@task
def send_invitations(booking_id: int, method: str, language: str = "") -> int:
    """METHOD:REQUEST after a booking (the event written into the host's calendar first),
    METHOD:CANCEL after a cancel (the event removed); how many emails went."""
    booking = Booking.objects.filter(pk=booking_id).select_related("link", "host").first()
    if booking is None or method not in (invitations.REQUEST, invitations.CANCEL):
        return 0
    if method == invitations.REQUEST:
        return invitations.booked(booking, visitor_language=language)
    return invitations.cancelled(booking, visitor_language=language)
