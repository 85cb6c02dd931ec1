"""What other tools call to take a contact out of their sequences (TOOL-5): a booked
meeting (meetings/booking.py), a reply or a bounce (found by the mail sync, observed in
comptoir/sequences/apps.py); and how any enrolment ends or changes state, with its event
on the contact's timeline."""

from django.db import transaction
from django.utils import timezone

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.timeline import events
from comptoir.sequences.models import LIVE_STATES, Enrollment, EnrollmentState

MEETING_BOOKED, REPLIED, BOUNCED, BY_HAND = "meeting_booked", "replied", "bounced", "by_hand"
CONTACT_DELETED = "contact_deleted"


def record(enrollment: Enrollment, action: str, reason: str, *, error: str = "", actor=None):
    """The enrolment's event on its contact's timeline (enrolled, paused, resumed,
    unenrolled, finished)."""
    source = ChangeSource.for_user(
        actor or enrollment.user, SourceType.SALES, f"sequence:{enrollment.sequence_id}"
    )
    events.sequence_changed(
        get_object_type("contacts"),
        enrollment.contact_id,
        timezone.now(),
        source,
        action=action,
        sequence_id=enrollment.sequence_id,
        sequence=enrollment.sequence.name,
        reason=reason,
    )


def end(enrollment: Enrollment, state: str, reason: str, *, actor=None) -> bool:
    """Active or paused → finished or unenrolled (a conditional UPDATE: ended once)."""
    now = timezone.now()
    with transaction.atomic():
        done = Enrollment.objects.filter(pk=enrollment.pk, state__in=LIVE_STATES).update(
            state=state, reason=reason, due_at=None, ended_at=now, updated_at=now
        )
        if done:
            action = "finished" if state == EnrollmentState.FINISHED else "unenrolled"
            record(enrollment, action, reason, actor=actor)
    return bool(done)


def stop_sequences(contact_id: int, reason: str) -> int:
    """Unenroll the contact from every active sequence, for `reason`; returns how many."""
    live = Enrollment.objects.select_related("sequence", "user").filter(
        contact_id=contact_id, state__in=LIVE_STATES
    )
    return sum(1 for e in live if end(e, EnrollmentState.UNENROLLED, reason))
