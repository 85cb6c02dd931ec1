"""Background work of Settings > Users & teams (run by `comptoir worker`)."""

from django.tasks import task

from comptoir.core.history.source import ChangeSource
from comptoir.users import team
from comptoir.users.models import User
from comptoir.users.throttle import purge_expired


@task
def hand_over_records(user_id: int, heir_id: int, actor_id: int | None = None) -> dict:
    """A deactivated user's records and open tasks go to their heir (see team.deactivate)."""
    user, heir = User.objects.get(pk=user_id), User.objects.get(pk=heir_id)
    return team.hand_over(user, heir, source=ChangeSource(actor_id=actor_id))


@task
def purge_throttle_counters() -> int:
    """Delete the sign-in and password-reset counters whose window is over."""
    return purge_expired()
