"""Records, history and associations in HubSpot's JSON shapes (reference §3)."""

from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import associations_by_target
from comptoir.core.history.services import property_history
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import api_properties


def timestamp(value) -> str | None:
    return format_datetime(value) if value is not None else None


def property_names(ot, requested: list[str] | None) -> list[str]:
    """Default set when none asked; else the known ones asked for, plus HubSpot's three."""
    if not requested:
        return list(ot.default_properties)
    defs = registry.definitions(ot)
    names = [n for n in requested if n in defs]
    for always in (ot.created_property, ot.modified_property, "hs_object_id"):
        if always not in names:
            names.append(always)
    return names


def history_names(ot, requested: list[str]) -> list[str]:
    defs = registry.definitions(ot)
    return [n for n in requested if n in defs]


def simple_object(ot, record, names: list[str]) -> dict:
    body = {
        "id": str(record.pk),
        "properties": api_properties(ot, record, names),
        "createdAt": timestamp(record.created_at),
        "updatedAt": timestamp(record.updated_at),
        "archived": record.archived,
    }
    if record.archived:
        body["archivedAt"] = timestamp(record.archived_at)
    return body


def attach_history(ot, bodies: list[dict], records: list, names: list[str]) -> None:
    if not names:
        return
    history = property_history(ot.type_id, [r.pk for r in records], names)
    for body, record in zip(bodies, records, strict=True):
        rows = history.get(record.pk, {})
        body["propertiesWithHistory"] = {
            name: [
                {
                    "value": row.value if row.value is not None else "",
                    "timestamp": timestamp(row.changed_at),
                    "sourceType": row.source_type,
                    **({"sourceId": row.source_id} if row.source_id else {}),
                    **({"updatedByUserId": row.actor_id} if row.actor_id else {}),
                }
                for row in rows.get(name, [])
            ]
            for name in names
        }


def attach_associations(
    ot, bodies: list[dict], records: list, to_types: list[str], user=None
) -> None:
    """`associations` on list/get: {plural: {"results": [{"id", "type"}]}}, omitted if none."""
    ids = [r.pk for r in records]
    for to_name in to_types:
        to_ot = get_object_type(to_name)
        found = associations_by_target(ot, ids, to_ot, user=user)
        for body, record in zip(bodies, records, strict=True):
            targets = found.get(record.pk)
            if not targets:
                continue
            results = []
            for to_id, type_ids in targets.items():
                for type_id in type_ids:
                    t = atypes.find_type(ot, to_ot, type_id)
                    results.append({"id": str(to_id), "type": t.name if t else str(type_id)})
            body.setdefault("associations", {})[to_ot.name] = {"results": results}


def records_to_bodies(
    ot, records, *, properties=None, history=None, associations=None, user=None
) -> list[dict]:
    names = property_names(ot, properties)
    bodies = [simple_object(ot, r, names) for r in records]
    attach_history(ot, bodies, records, history_names(ot, history or []))
    if associations:
        attach_associations(ot, bodies, records, associations, user)
    return bodies
