"""Making notifications (SET-7): who is told what, through which channels.

The engine's services call the hooks below explicitly (no signals). Nothing is made until
the write commits (`transaction.on_commit`), so a rolled-back change tells nobody. Inside
`batch()` (bulk actions) the hooks only collect; the whole batch is then made with a
constant number of queries, whatever the number of records, and one recipient given many
records of a type at once gets one notification for them all.
"""

import contextlib
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from comptoir.core.history.models import SourceType
from comptoir.core.properties import registry
from comptoir.core.records.observers import WriteObserver
from comptoir.core.records.values import display_name, write_value
from comptoir.notifications.kinds import (
    ASSIGNED,
    DOCUMENT_VIEWED,
    EMAIL_ACTIVITY,
    EMAIL_BOUNCED,
    EMAIL_CLICKED,
    EMAIL_FAILED,
    EMAIL_OPENED,
    EMAIL_REPLIED,
    EXPORT_READY,
    INBOUND_REFUSED,
    KINDS,
    MENTION,
    WEBHOOKS_DISABLED,
)
from comptoir.notifications.models import Notification, NotificationPreference
from comptoir.notifications.tasks import send_notification_emails
from comptoir.users.models import Owner, User
from comptoir.users.teams_and_roles import settings_admins

# Imports and data migrations never notify: 100k imported rows must not mean 100k emails.
SILENT_SOURCES = {SourceType.IMPORT, SourceType.MIGRATION, SourceType.MERGE}
# From this many records of one type assigned to one user at once, one grouped notice.
GROUP_FROM = 4


@dataclass
class Intent:
    """A notification to make, before its recipient is resolved and preferences applied."""

    kind: str
    object_type: str = ""
    object_id: int | None = None
    record: str = ""  # the record's name as it was
    owner_id: int | None = None  # recipient given as an owner (assignments)
    user_id: int | None = None  # recipient given as a user (mentions, reminders)
    actor_id: int | None = None  # the user who acted (never notified of it)
    body: str = ""
    params: dict = field(default_factory=dict)


_pending: ContextVar[list | None] = ContextVar("notifications_pending", default=None)


@contextlib.contextmanager
def batch():
    """Collect the notifications of many writes and make them together at the end."""
    if _pending.get() is not None:  # nested: the outer batch delivers
        yield
        return
    pending: list[Intent] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    # Registered after every intent's own on_commit, so it runs after them. Robust: a
    # failure is logged, never shown to a user whose change is saved already.
    transaction.on_commit(lambda: deliver(pending), robust=True)


def _add(intents: list[Intent]) -> None:
    if not intents:
        return
    pending = _pending.get()
    if pending is not None:
        transaction.on_commit(lambda: pending.extend(intents))
    else:
        transaction.on_commit(lambda: deliver(intents), robust=True)


def notifies(source) -> bool:
    return source is None or source.type not in SILENT_SOURCES


# -- hooks called by the engine and the composer ----------------------------------------------


def records_assigned(ot, items, source) -> None:
    """Many records got owners: items = [(record id, owner id, record name)]."""
    if not ot.assignable or not notifies(source):
        return
    actor = getattr(source, "actor_id", None)
    params = {}
    if getattr(source, "is_automation", False):
        # An automation did it, nobody in person: it is the notice's author.
        actor, params = None, {"automation": source.id or ""}
    _add(
        [
            Intent(
                ASSIGNED,
                object_type=ot.name,
                object_id=int(pk),
                record=name,
                owner_id=int(owner),
                actor_id=actor,
                params=dict(params),
            )
            for pk, owner, name in items
            if owner not in (None, "")
        ]
    )


class AssignmentNotices(WriteObserver):
    """Tells new owners of the records a write assigned (registered in apps.py)."""

    name = "notifications.assigned"

    def watches(self, ot) -> bool:
        return ot.assignable

    def written(self, ot, changes, source) -> None:
        if not notifies(source):
            return
        items = [
            (c.record_id, c.values["hubspot_owner_id"], display_name(ot, _record(ot, c)))
            for c in changes
            if c.values.get("hubspot_owner_id") not in (None, "")
        ]
        records_assigned(ot, items, source)

    def batch(self):
        return batch()


def _record(ot, change):
    """The record as written; a bulk-created row is made up from its values (for its name)."""
    if change.record is not None:
        return change.record
    defs = registry.definitions(ot)
    record = ot.model(pk=change.record_id, properties={}, created_at=change.at)
    record.updated_at = change.at
    for name, value in change.values.items():
        write_value(record, defs[name], value)
    return record


def mentioned(user_ids, *, actor_id, ot, record_id, record_name: str, body: str = "") -> None:
    """Users mentioned in a note on a record; each told once, the author never."""
    _add(
        [
            Intent(
                MENTION,
                object_type=ot.name,
                object_id=int(record_id),
                record=record_name,
                user_id=int(uid),
                actor_id=actor_id,
                body=body[:500],
            )
            for uid in dict.fromkeys(user_ids)
        ]
    )


def export_ready(user_id: int, export_id: int, name: str) -> None:
    """A background export finished: its file waits on the export's page."""
    _add(
        [
            Intent(
                EXPORT_READY,
                object_type="exports",
                object_id=export_id,
                record=name,
                user_id=user_id,
            )
        ]
    )


def email_failed(outbound) -> None:
    """An email written in the CRM could not be sent (comptoir.mail.delivery): its author
    is told, with the server's reason."""
    _add(
        [
            Intent(
                EMAIL_FAILED,
                object_type="outbound_emails",
                object_id=outbound.pk,
                record=outbound.subject[:200],
                user_id=outbound.user_id,
                body=outbound.error[:500],
            )
        ]
    )


def webhooks_disabled(user_id: int, app_id: int, name: str, reason: str) -> None:
    """An app's webhooks kept failing and were switched off (comptoir.webhooks.delivery):
    the token's owner and the administrators (who can switch them on again) are told why."""
    told = [user_id, *settings_admins().exclude(pk=user_id).values_list("pk", flat=True)]
    _add(
        [
            Intent(
                WEBHOOKS_DISABLED,
                object_type="webhook_apps",
                object_id=app_id,
                record=name[:200],
                user_id=uid,
                body=reason[:500],
            )
            for uid in told
        ]
    )


def email_bounced(outbound, reason: str) -> None:
    """A delivery report said an email written in the CRM was not delivered
    (comptoir.mail.replies): its author is told, with the receiving server's reason."""
    _add(
        [
            Intent(
                EMAIL_BOUNCED,
                object_type="outbound_emails",
                object_id=outbound.pk,
                record=outbound.subject[:200],
                user_id=outbound.user_id,
                body=reason[:500],
            )
        ]
    )


def inbound_refused(message) -> None:
    """Someone who is not a Comptoir user wrote to the BCC or forwarding address
    (comptoir.mail.inbound): the administrators are told who."""
    admins = settings_admins()
    _add(
        [
            Intent(
                INBOUND_REFUSED,
                object_type="inbound_messages",
                object_id=message.pk,
                record=(message.from_address or "?")[:200],
                user_id=pk,
                body=message.subject[:500],
            )
            for pk in admins.values_list("pk", flat=True)
        ]
    )


_ENGAGED = {"open": EMAIL_OPENED, "click": EMAIL_CLICKED, "reply": EMAIL_REPLIED}


def email_engaged(outbound, events) -> None:
    """A person opened, clicked or replied to an email written in the CRM (the worker's
    tally, comptoir.mail.events): its author is told once per kind for the events of one
    tally (five opens in a minute are one notice), per their SET-7 switches."""
    by_kind = {}
    for event in events:
        if event.kind in _ENGAGED:
            by_kind.setdefault(event.kind, []).append(event)
    who = ""
    if outbound.to:
        name, _sep, address = outbound.to[0].rpartition("<")
        who = name.strip().strip('"') or address.rstrip(">").strip()
    _add(
        [
            Intent(
                _ENGAGED[kind],
                object_type=EMAIL_ACTIVITY,
                object_id=outbound.pk,
                record=outbound.subject[:200],
                user_id=outbound.user_id,
                body=found[-1].url[:500] if kind == "click" else "",
                params={"who": who[:200], "count": len(found)},
            )
            for kind, found in by_kind.items()
        ]
    )


def document_viewed(user_id: int, document_id: int, name: str, *, who: str) -> None:
    """A share link of a document was opened for the first time (comptoir.documents): its
    owner is told who opened it, per their SET-7 switches."""
    _add(
        [
            Intent(
                DOCUMENT_VIEWED,
                object_type="documents",
                object_id=document_id,
                record=name[:200],
                user_id=user_id,
                params={"who": who[:200]},
            )
        ]
    )


# -- preferences -----------------------------------------------------------------------------


def channels(kind: str, pref=None) -> tuple[bool, bool]:
    """(in app, by email) for a kind, from the user's row or the kind's defaults."""
    if pref is not None:
        return pref.in_app, pref.email
    default = KINDS[kind]
    return default.in_app, default.email


def preferences(user) -> dict[str, tuple[bool, bool]]:
    rows = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return {kind: channels(kind, rows.get(kind)) for kind in KINDS}


def set_preferences(user, choices: dict[str, tuple[bool, bool]]) -> None:
    """Save the user's channels for every kind given (unknown kinds are ignored)."""
    with transaction.atomic():
        for kind, (in_app, email) in choices.items():
            if kind in KINDS:
                NotificationPreference.objects.update_or_create(
                    user=user, kind=kind, defaults={"in_app": bool(in_app), "email": bool(email)}
                )


# -- delivery --------------------------------------------------------------------------------


def deliver(intents: list[Intent]) -> list[Notification]:
    """Resolve recipients, drop self-notifications, group, apply preferences, save in bulk
    and queue the emails. A constant number of queries for any number of intents."""
    if not intents:
        return []
    owner_ids = {i.owner_id for i in intents if i.owner_id is not None}
    owners = dict(
        Owner.objects.filter(pk__in=owner_ids, user__is_active=True).values_list("pk", "user_id")
        if owner_ids
        else ()
    )
    for intent in intents:
        if intent.owner_id is not None:
            intent.user_id = owners.get(intent.owner_id)
    wanted = [i for i in intents if i.user_id is not None and i.user_id != i.actor_id]
    named = {i.user_id for i in wanted} | {i.actor_id for i in wanted if i.actor_id}
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=named).only(
            "pk", "first_name", "last_name", "email", "is_active"
        )
    }
    wanted = [i for i in wanted if i.user_id in users and users[i.user_id].is_active]
    if not wanted:
        return []
    prefs = {
        (p.user_id, p.kind): p
        for p in NotificationPreference.objects.filter(user_id__in={i.user_id for i in wanted})
    }
    now = timezone.now()
    rows = []
    for intent, count in _grouped(wanted):
        in_app, email = channels(intent.kind, prefs.get((intent.user_id, intent.kind)))
        if not (in_app or email):
            continue
        actor = users.get(intent.actor_id)
        params = {**intent.params, "record": intent.record}
        if actor is not None:
            params["actor"] = actor.get_full_name() or actor.email
        if count > 1:
            params["count"] = count
        rows.append(
            Notification(
                recipient_id=intent.user_id,
                kind=intent.kind,
                actor_id=intent.actor_id,
                object_type=intent.object_type,
                object_id=None if count > 1 else intent.object_id,
                params=params,
                body=intent.body,
                in_app=in_app,
                by_email=email,
                created_at=now,
            )
        )
    made = Notification.objects.bulk_create(rows)
    to_email = [n.pk for n in made if n.by_email]
    if to_email:
        transaction.on_commit(lambda: send_notification_emails.enqueue(to_email), robust=True)
    return made


def _grouped(intents):
    """[(intent, count)]: assignments of one type to one user at once, from GROUP_FROM on,
    become one intent counting them."""
    groups = defaultdict(list)
    for intent in intents:
        if intent.kind == ASSIGNED:
            groups[(intent.user_id, intent.object_type, intent.actor_id)].append(intent)
    seen_groups = set()
    seen = set()
    for intent in intents:
        key = (intent.user_id, intent.object_type, intent.actor_id)
        if intent.kind == ASSIGNED and len(groups[key]) >= GROUP_FROM:
            if key not in seen_groups:
                seen_groups.add(key)
                yield intent, len(groups[key])
            continue
        once = (intent.kind, intent.user_id, intent.object_type, intent.object_id)
        if once in seen:  # the same record twice in one batch: tell once
            continue
        seen.add(once)
        yield intent, 1


# -- reading and marking ---------------------------------------------------------------------


def unread_count(user) -> int:
    """The bell's number: served by the partial index of unread notifications."""
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


def recent(user, limit: int = 8):
    return list(
        Notification.objects.filter(recipient=user, in_app=True).order_by("-created_at", "-pk")[
            :limit
        ]
    )


def mark_read(user, notification_id) -> Notification | None:
    """Mark one of the user's notifications read; None when it is not theirs."""
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )
