"""The outbox (API-4): the write observer that turns the writes subscribed to into
`WebhookEvent` rows, in the write's own transaction.

A write that commits has its events committed with it, and a write that rolls back has
none: nothing is lost when the process dies after the commit, and nothing is sent of what
never happened. The worker sends them later (comptoir/webhooks/delivery.py).

Cost: the active subscriptions are kept in the process's metadata cache
(`registry.cached`, dropped when a subscription or an app's settings change), so a write
of a type nobody subscribed to costs no query at all; a subscribed write costs one INSERT
for all its events, whatever their number (a bulk import of 1,000 rows: one), and after
the commit at most one task per second and process wakes the worker.

Events carry every record of the portal, whoever could see it: like HubSpot, which sends
an app all of its portal's events, the subscription is the app's (its token's scopes
checked when subscribing), not a user's view."""

import json

from django.db import connection
from django.utils import timezone

from comptoir.core.history.models import SourceType
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.records.bulk import insert_rows
from comptoir.core.records.observers import WriteObserver
from comptoir.webhooks import events
from comptoir.webhooks.models import WebhookEvent, WebhookSubscription
from comptoir.webhooks.tasks import wake

CACHE_KEY = "webhooks:subscriptions"


def active_subscriptions() -> dict:
    """{(object type, action): [(subscription id, app's target id, property name)]} of the
    active subscriptions of apps with a target URL whose delivery is on (cached)."""

    def load():
        found: dict = {}
        rows = WebhookSubscription.objects.filter(
            active=True, target__disabled_at__isnull=True, target__app__revoked_at__isnull=True
        ).exclude(target__target_url="")
        for sub_id, target_id, object_type, action, prop in rows.values_list(
            "pk", "target_id", "object_type", "action", "property_name"
        ).order_by("pk"):
            found.setdefault((object_type, action), []).append((sub_id, target_id, prop))
        return found

    return registry.cached(CACHE_KEY, load)


def subscribed_types() -> set[str]:
    return {object_type for object_type, _action in active_subscriptions()}


def change_source(source) -> dict:
    """HubSpot's changeSource and sourceId of a write."""
    if source is None:
        return {"changeSource": "CRM"}
    fields = {"changeSource": str(source.type)}
    if source.type == SourceType.CRM_UI and source.actor_id:
        fields["sourceId"] = f"userId:{source.actor_id}"
    elif source.id:
        fields["sourceId"] = str(source.id)
    return fields


def _event(sub, ot, action, object_id, at, payload) -> tuple:
    """One event as the row COLUMNS list (a tuple: a bulk write makes thousands)."""
    sub_id, target_id, _prop = sub
    return (
        target_id,
        sub_id,
        events.subscription_type(ot.name, action),
        ot.type_id,
        object_id,
        at,
        payload,
    )


_FLAGS = {
    events.CREATION: "CREATED",
    events.DELETION: "DELETED",
    events.MERGE: "MERGED",
    events.RESTORE: "RESTORED",
    events.PRIVACY_DELETION: "PRIVACY_DELETED",
}
_ACTION_OF_KIND = {
    "created": events.CREATION,
    "archived": events.DELETION,
    "purged": events.DELETION,
    "restored": events.RESTORE,
    "merged": events.MERGE,
}


def events_of_change(ot, change, subs: dict, source, now) -> list[tuple]:
    at = change.at or now
    origin = change_source(source)
    rows = []
    if change.kind == "updated":
        for sub in subs.get((ot.name, events.PROPERTY_CHANGE), ()):
            name = sub[2]
            if name in change.values:
                payload = {**origin, "propertyName": name, "propertyValue": change.values[name]}
                rows.append(_event(sub, ot, events.PROPERTY_CHANGE, change.record_id, at, payload))
        return rows
    if change.kind == "erased":  # a GDPR erasure: a deletion too, if the record was live
        actions = [events.PRIVACY_DELETION] + (
            [events.DELETION] if change.before is not None else []
        )
    else:
        actions = [_ACTION_OF_KIND[change.kind]] if change.kind in _ACTION_OF_KIND else []
    for action in actions:
        rows.extend(_events_of_action(ot, action, change, subs, origin, at))
    return rows


def _events_of_action(ot, action, change, subs, origin, at) -> list[tuple]:
    rows = []
    for sub in subs.get((ot.name, action), ()):
        payload = {**origin, "changeFlag": _FLAGS[action]}
        object_id = change.record_id
        if action == events.MERGE:
            object_id = change.into
            payload |= {
                "primaryObjectId": change.into,
                "mergedObjectIds": [change.record_id],
                "newObjectId": change.into,
            }
        rows.append(_event(sub, ot, action, object_id, at, payload))
    return rows


def events_of_associations(rows, removed: bool, subs: dict, source, now) -> list[tuple]:
    # Imported here: association types read the registry, filled once apps are ready.
    from comptoir.core.associations import types as atypes

    origin = change_source(source)
    found = []
    for row in rows:
        listening = subs.get((row.from_type, events.ASSOCIATION_CHANGE))
        if not listening:
            continue
        from_ot, to_ot = get_object_type(row.from_type), get_object_type(row.to_type)
        kind = atypes.find_type(from_ot, to_ot, row.type_id)
        payload = {
            **origin,
            "associationType": f"{from_ot.hubspot_name}_TO_{to_ot.hubspot_name}",
            "associationTypeId": row.type_id,
            "associationCategory": row.category,
            "fromObjectId": row.from_id,
            "toObjectId": row.to_id,
            "associationRemoved": removed,
            "isPrimaryAssociation": bool(kind and kind.is_primary),
        }
        for sub in listening:
            found.append(_event(sub, from_ot, events.ASSOCIATION_CHANGE, row.from_id, now, payload))
    return found


COLUMNS = [
    "target_id",
    "subscription_id",
    "subscription_type",
    "object_type_id",
    "object_id",
    "occurred_at",
    "payload",
]
BULK_FROM = 50
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def store(rows: list[tuple]) -> None:
    """The events in one statement: the ORM's for a few, the bulk write path's own
    `insert_rows` for many (several statements on SQLite past 500 rows, COPY on
    PostgreSQL), a third of the ORM's time per row."""
    if not rows:
        return
    if len(rows) < BULK_FROM:
        WebhookEvent.objects.bulk_create(
            [WebhookEvent(**dict(zip(COLUMNS, r, strict=True))) for r in rows]
        )
        wake()
        return
    when = WebhookEvent._meta.get_field("occurred_at")
    times: dict = {}  # a bulk write's rows share few times: each prepared once
    prepared = []
    for *head, at, payload in rows:
        if at not in times:
            times[at] = when.get_db_prep_save(at, connection)
        prepared.append((*head, times[at], _JSON.encode(payload)))
    insert_rows(WebhookEvent._meta.db_table, COLUMNS, prepared)
    wake()


class Outbox(WriteObserver):
    name = "webhooks"

    def watches(self, ot) -> bool:
        return ot.name in subscribed_types()

    def written(self, ot, changes, source) -> None:
        subs = active_subscriptions()
        now = timezone.now()
        rows = []
        for change in changes:
            rows.extend(events_of_change(ot, change, subs, source, now))
        store(rows)

    def associations_written(self, rows, removed: bool, source) -> None:
        subs = active_subscriptions()
        if not subs:
            return
        store(events_of_associations(rows, removed, subs, source, timezone.now()))
