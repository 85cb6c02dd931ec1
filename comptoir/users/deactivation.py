"""Deactivating a user (SET-5) with a hand-over of their records and open tasks to someone
else, now or in the worker, and reactivating them.

Every refusal is a UserError naming the form field it belongs to, worded for the user;
nothing is changed when one is raised."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import crm_names
from comptoir.core.properties import registry
from comptoir.core.properties.expressions import PropValue
from comptoir.core.records import writes
from comptoir.core.records.values import base_queryset
from comptoir.users.models import Owner, PendingHandOver, User
from comptoir.users.services import UserError
from comptoir.users.teams_and_roles import is_settings_admin, settings_admins


def holdings(user: User) -> dict:
    """{object type: count} of what a user owns and would hand over: records and open
    tasks."""
    owner = Owner.objects.filter(user=user).first()
    if owner is None:
        return {}
    counts = {
        name: base_queryset(name).filter(hubspot_owner_id=owner.pk).count() for name in crm_names()
    }
    counts["tasks"] = _open_tasks(owner).count()
    return counts


def _open_tasks(owner):
    status = PropValue("hs_task_status")
    return (
        base_queryset("tasks")
        .filter(hubspot_owner_id=owner.pk)
        .annotate(_status=status)
        .filter(Q(_status__isnull=True) | ~Q(_status="COMPLETED"))
    )


def deactivate(
    user: User, *, transfer_to: User | None = None, source=None, later: bool = False
) -> dict:
    """Deactivate a user, handing their records and open tasks to `transfer_to`.

    With `later`, the hand-over runs in the worker (comptoir.users.tasks): each record moves
    through update_record (a few ms each), too long for a request when someone owns
    thousands. The user is deactivated at once either way. Returns what moved now."""
    if transfer_to is not None:
        if transfer_to.pk == user.pk:
            raise UserError(_("Choose someone else to take over."), "transfer_to")
        if not transfer_to.is_active:
            raise UserError(_("This user is deactivated: choose an active user."), "transfer_to")
    if not user.is_active:
        raise UserError(_("This user is already deactivated."), "__all__")
    if is_settings_admin(user) and not settings_admins(exclude=user).exists():
        raise UserError(
            _("This is the last user who can manage settings: give that right to someone else."),
            "__all__",
        )
    source = source or ChangeSource()
    moved: dict[str, int] = {}
    with transaction.atomic():
        if transfer_to is not None and not later:
            moved = hand_over(user, transfer_to, source=source)
        User.objects.filter(pk=user.pk).update(is_active=False)
        Owner.objects.filter(user=user).update(archived=True, updated_at=timezone.now())
        heir = transfer_to.email if transfer_to is not None else ""
        audit.record(AuditAction.USER_DEACTIVATED, user.email, records_to=heir)
        registry.invalidate()
        if transfer_to is not None and later:
            # Imported here: comptoir.users.tasks imports this module when loaded.
            from comptoir.users.tasks import hand_over_records

            # Enqueued in the same transaction: no deactivation without its hand-over, and
            # pending until it is complete (a killed worker's is queued again).
            PendingHandOver.objects.update_or_create(
                user=user,
                defaults={
                    "heir": transfer_to,
                    "actor_id": source.actor_id,
                    "updated_at": timezone.now(),
                },
            )
            hand_over_records.enqueue(user.pk, transfer_to.pk, source.actor_id)
    return moved


def hand_over(user: User, heir: User, *, source, beat=None) -> dict:
    """Give `user`'s records and open tasks to `heir`, each through update_record (history
    entry per record). Returns {object type: records moved}. `beat` is called every 100
    records (the worker's heartbeat)."""
    owner = Owner.objects.filter(user=user).first()
    if owner is None:
        return {}
    new_owner = str(Owner.objects.get(user=heir).pk)
    batches = [
        (name, base_queryset(name).filter(hubspot_owner_id=owner.pk)) for name in crm_names()
    ]
    batches.append(("tasks", _open_tasks(owner)))
    moved: dict[str, int] = {}
    for name, qs in batches:
        count = 0
        for record in qs.order_by("pk").iterator(chunk_size=500):
            writes.update_record(name, record, {"hubspot_owner_id": new_owner}, source=source)
            count += 1
            if beat is not None and count % 100 == 0:
                beat()
        moved[name] = count
    return moved


def reactivate(user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        Owner.objects.filter(user=user).update(archived=False, updated_at=timezone.now())
        audit.record(AuditAction.USER_REACTIVATED, user.email)
        registry.invalidate()
