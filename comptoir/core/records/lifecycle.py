"""Lifecycle stages only move forward when automations set them (HubSpot's rule)."""

from comptoir.core.history.models import SourceType
from comptoir.core.properties.defaults import LIFECYCLE_ORDER
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import update_record


def is_forward(current: str | None, new: str) -> bool:
    if current is None:
        return True
    if current not in LIFECYCLE_ORDER or new not in LIFECYCLE_ORDER:
        return False
    return LIFECYCLE_ORDER.index(new) > LIFECYCLE_ORDER.index(current)


def advance_lifecycle(object_type, ids, stage: str, source, automation: str) -> list[int]:
    """Move records' lifecycle stage forward to `stage`; returns the ids changed."""
    ids = list(ids)
    if not ids:
        return []
    auto_source = source.derived(SourceType.AUTOMATION, id=automation)
    changed = []
    qs = base_queryset(object_type).filter(pk__in=ids)
    for record in qs:
        current = (
            record.lifecyclestage
            if hasattr(record, "lifecyclestage")
            else record.properties.get("lifecyclestage")
        )
        if is_forward(current, stage):
            update_record(object_type, record, {"lifecyclestage": stage}, source=auto_source)
            changed.append(record.pk)
    return changed
