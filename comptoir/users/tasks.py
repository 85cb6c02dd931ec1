"""Background work of Settings > Users & teams (run by `comptoir worker`)."""

import datetime as dt

from django.tasks import task
from django.utils import timezone

from comptoir.core.history.source import ChangeSource
from comptoir.users import deactivation
from comptoir.users.models import PendingHandOver, User
from comptoir.users.throttle import purge_expired

# A hand-over whose worker has been silent this long died: it is run again.
HAND_OVER_STALL = dt.timedelta(minutes=5)


@task
def hand_over_records(user_id: int, heir_id: int, actor_id: int | None = None) -> dict:
    """A deactivated user's records and open tasks go to their heir (see deactivation.deactivate).
    Pending (users.models.PendingHandOver) until every record has moved."""
    pending = PendingHandOver.objects.filter(user_id=user_id, heir_id=heir_id)

    def beat():
        pending.update(updated_at=timezone.now())

    beat()
    user, heir = User.objects.get(pk=user_id), User.objects.get(pk=heir_id)
    moved = deactivation.hand_over(user, heir, source=ChangeSource(actor_id=actor_id), beat=beat)
    pending.delete()
    return moved


def resume_hand_overs(now=None) -> list[int]:
    """Queue again every hand-over no worker has run for HAND_OVER_STALL (its worker died,
    or its job was lost). A conditional UPDATE picks the one scheduler that requeues it.
    Run by the scheduler's every tick (comptoir.core.scheduling)."""
    now = now or timezone.now()
    quiet = PendingHandOver.objects.filter(updated_at__lt=now - HAND_OVER_STALL)
    queued = []
    for user_id, heir_id, actor_id, updated_at in quiet.values_list(
        "user_id", "heir_id", "actor_id", "updated_at"
    ):
        touched = PendingHandOver.objects.filter(user_id=user_id, updated_at=updated_at).update(
            updated_at=now
        )
        if touched:
            hand_over_records.enqueue(user_id, heir_id, actor_id)
            queued.append(user_id)
    return queued


@task
def purge_throttle_counters() -> int:
    """Delete the sign-in and password-reset counters whose window is over."""
    return purge_expired()
