"""Writing and reading property history."""

from collections import defaultdict

from comptoir.core.history.models import PropertyChange
from comptoir.core.history.source import ChangeSource


def history_rows(type_id: str, object_id: int, changes: dict, source: ChangeSource, at):
    """Unsaved PropertyChange rows for {property: api string or None}."""
    return [
        PropertyChange(
            object_type=type_id,
            object_id=object_id,
            property=name,
            value=value,
            changed_at=at,
            source_type=source.type,
            source_id=source.id,
            actor_id=source.actor_id,
            request_id=source.request_id,
        )
        for name, value in changes.items()
    ]


def record_changes(type_id: str, object_id: int, changes: dict, source: ChangeSource, at) -> None:
    if changes:
        PropertyChange.objects.bulk_create(history_rows(type_id, object_id, changes, source, at))


def property_history(type_id: str, object_ids, names=None) -> dict:
    """{object_id: {property: [PropertyChange newest first]}} for propertiesWithHistory."""
    qs = PropertyChange.objects.filter(object_type=type_id, object_id__in=list(object_ids))
    if names is not None:
        qs = qs.filter(property__in=list(names))
    result: dict = defaultdict(lambda: defaultdict(list))
    for row in qs.order_by("object_id", "property", "-changed_at", "-id"):
        result[row.object_id][row.property].append(row)
    return result
