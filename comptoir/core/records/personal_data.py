"""A GDPR export (right of access, art. 15): everything Comptoir holds on one record of a
type holding personal data (contacts: `ObjectType.personal_data`), as one JSON document:
its properties with their labels, every value they ever had and who set it, its
associations, the activities logged on it, its timeline events, and what other apps hold
(SECTIONS: an app above core adds a function in AppConfig.ready(), e.g. email tracking).

Everything is exported whatever the role of who asks: only administrators may ask
(comptoir/core/ui/personal_data.py), and the export is written to the audit log."""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from comptoir.core.associations.models import Association
from comptoir.core.history.models import PropertyChange
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.timeline.models import TimelineEvent

# (object type, record) -> (key, JSON-able value); None to add nothing.
SECTIONS: list[Callable] = []


def _json(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _properties(ot, record) -> dict:
    out = {}
    for name, defn in registry.definitions(ot).items():
        value = read_value(record, defn)
        if value not in (None, ""):
            out[name] = {"label": defn.label, "value": _json(value)}
    return out


def _history(ot, pk) -> list[dict]:
    rows = PropertyChange.objects.filter(object_type=ot.type_id, object_id=pk).order_by(
        "changed_at", "pk"
    )
    return [
        {
            "property": row.property,
            "value": row.value,
            "changedAt": _json(row.changed_at),
            "sourceType": row.source_type,
            "sourceId": row.source_id,
            "actorId": row.actor_id,
        }
        for row in rows.iterator(chunk_size=2000)
    ]


def _associations(ot, pk) -> tuple[dict, dict[str, list[int]]]:
    linked: dict[str, list[int]] = {}
    for to_type, to_id in Association.objects.filter(from_type=ot.name, from_id=pk).values_list(
        "to_type", "to_id"
    ):
        linked.setdefault(to_type, []).append(to_id)
    records = {}
    for to_type, ids in sorted(linked.items()):
        target = get_object_type(to_type)
        if target.is_activity:
            continue
        rows = base_queryset(target, archived=None).filter(pk__in=ids).order_by("pk")
        records[to_type] = [{"id": r.pk, "name": display_name(target, r)} for r in rows]
    return records, linked


def _activities(linked: dict[str, list[int]]) -> list[dict]:
    out = []
    for kind, ids in sorted(linked.items()):
        target = get_object_type(kind)
        if not target.is_activity:
            continue
        for activity in base_queryset(target, archived=None).filter(pk__in=ids).order_by("pk"):
            out.append(
                {"type": kind, "id": activity.pk, "properties": _properties(target, activity)}
            )
    return out


def _events(ot, pk) -> list[dict]:
    rows = TimelineEvent.objects.filter(object_type=ot.type_id, object_id=pk).order_by(
        "occurred_at", "pk"
    )
    return [
        {"type": e.event_type, "occurredAt": _json(e.occurred_at), "data": e.data} for e in rows
    ]


def export(object_type, record) -> dict:
    ot = get_object_type(object_type)
    if not ot.personal_data:
        raise ValueError(f"{ot.name} records hold no personal data to export")
    associations, linked = _associations(ot, record.pk)
    document = {
        "exportedAt": _json(timezone.now()),
        "objectType": ot.name,
        "id": record.pk,
        "name": display_name(ot, record),
        "archived": bool(getattr(record, "archived", False)),
        "properties": _properties(ot, record),
        "propertyHistory": _history(ot, record.pk),
        "associations": associations,
        "activities": _activities(linked),
        "timelineEvents": _events(ot, record.pk),
    }
    for section in SECTIONS:
        found = section(ot, record)
        if found is not None:
            key, value = found
            document[key] = value
    return document
