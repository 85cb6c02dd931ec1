"""Background work of Settings > Users & teams (run by `comptoir worker`)."""

import datetime as dt

from django.tasks import task
from django.utils import timezone

from comptoir.core.history.source import ChangeSource
from comptoir.core.scheduling.requeue import requeue_quiet
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
    return requeue_quiet(
        PendingHandOver.objects.all(),
        stall=HAND_OVER_STALL,
        now=now,
        key="user_id",
        read=("heir_id", "actor_id"),
        enqueue=lambda row: hand_over_records.enqueue(
            row["user_id"], row["heir_id"], row["actor_id"]
        ),
    )


@task
def purge_throttle_counters() -> int:
    """Delete the sign-in and password-reset counters whose window is over."""
    return purge_expired()
