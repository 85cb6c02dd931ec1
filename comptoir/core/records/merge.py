"""Merging two records of one type (OBJ-5)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from comptoir.core.associations.services import move_associations
from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.services import record_changes
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import to_api_string
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.records import observers
from comptoir.core.records.observers import Change
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import base_queryset, read_value
from comptoir.core.records.writes import search_document, update_record
from comptoir.core.timeline import events
from comptoir.core.timeline.models import TimelineEvent


def merge_records(object_type, primary_id, merged_id, *, source):
    """Merge `merged_id` into `primary_id` and return the survivor.

    The primary keeps its values and gains the other's where it had none; associations,
    timeline and history move to the primary; the other is archived, pointing at it.
    """
    ot = get_object_type(object_type)
    if not ot.mergeable:
        raise ValidationFailed(
            [PropertyError("objectType", "NOT_MERGEABLE", f"{ot.name} cannot be merged")]
        )
    if str(primary_id) == str(merged_id):
        raise ValidationFailed(
            [PropertyError("objectIdToMerge", "SAME_OBJECT", "cannot merge a record with itself")],
            "A record cannot be merged with itself.",
        )
    merge_source = source.derived(SourceType.MERGE, id=str(merged_id))
    now = timezone.now()
    defs = registry.definitions(ot)
    with transaction.atomic():
        primary = get_record(ot, primary_id, for_update=True)
        other = get_record(ot, merged_id, for_update=True)
        fill = {}
        for name, defn in defs.items():
            if defn.read_only_value or defn.has_unique_value:
                continue
            theirs = read_value(other, defn)
            if theirs is not None and read_value(primary, defn) is None:
                fill[name] = theirs
        if ot.name == "contacts" and other.email and other.email != primary.email:
            extra = [
                e for e in (primary.properties.get("hs_additional_emails") or "").split(";") if e
            ]
            fill["hs_additional_emails"] = ";".join(dict.fromkeys([*extra, other.email]))
        if ot.name == "companies" and other.domain and other.domain != primary.domain:
            extra = [
                d for d in (primary.properties.get("hs_additional_domains") or "").split(";") if d
            ]
            fill["hs_additional_domains"] = ";".join(dict.fromkeys([*extra, other.domain]))

        # Archive the other first: its unique values (email, domain) are then free.
        base_queryset(ot).filter(pk=other.pk).update(
            archived=True, archived_at=now, merged_into_id=primary.pk
        )
        gone = Change(
            other.pk,
            other,
            before=observers.notes(ot, other),
            left=True,
            kind="merged",
            into=primary.pk,
        )
        observers.written(ot, [gone], merge_source)
        PropertyChange.objects.filter(object_type=ot.type_id, object_id=other.pk).update(
            object_id=primary.pk
        )
        TimelineEvent.objects.filter(object_type=ot.type_id, object_id=other.pk).update(
            object_id=primary.pk
        )
        move_associations(ot, other.pk, primary.pk, source=merge_source)
        primary.refresh_from_db()
        if fill:
            primary = update_record(ot, primary, fill, source=merge_source, at=now)
        _restore_latest_history(ot, primary, defs, merge_source, now)
        primary.search_text = search_document(ot, primary)
        primary.save(update_fields=["search_text"])
        events.merged(ot, primary.pk, now, source, merged_id=other.pk)
    return primary


def _restore_latest_history(ot, primary, defs, source, now) -> None:
    """After moving the other's history over, the newest entry of each property must
    again be the primary's current value: add a MERGE entry where it is not."""
    latest = (
        PropertyChange.objects.filter(object_type=ot.type_id, object_id=primary.pk)
        .values("property")
        .annotate(at=Max("changed_at"))
    )
    newest_at = {row["property"]: row["at"] for row in latest}
    newest_value = {}
    for row in PropertyChange.objects.filter(object_type=ot.type_id, object_id=primary.pk):
        if newest_at.get(row.property) == row.changed_at:
            newest_value[row.property] = row.value
    fixes = {}
    for name, value in newest_value.items():
        defn = defs.get(name)
        if defn is None:
            continue
        current = to_api_string(defn, read_value(primary, defn))
        if current != value:
            fixes[name] = current
    record_changes(ot.type_id, primary.pk, fixes, source, now)
