"""The write path for every CRM record: create, update, archive, restore, purge (merge is
in merge.py, many records at once in bulk.py).

Each function owns its transaction, writes history rows for changed values only, and
then calls the object type's behaviour for automations. API handlers, views, imports
and tasks call these; nothing else saves CRM records. Values are checked by validation.py
first; records are read through reads.py."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.services import record_changes
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import to_api_string
from comptoir.core.properties.errors import (
    DuplicateValue,
    PropertyError,
    RecordNotFound,
    ValidationFailed,
)
from comptoir.core.records import observers, rollups
from comptoir.core.records.behavior import behavior_for
from comptoir.core.records.observers import Change
from comptoir.core.records.reads import get_record
from comptoir.core.records.validation import check_required, check_unique, shown_id, validate
from comptoir.core.records.values import base_queryset, read_value, write_value
from comptoir.core.search.text import document
from comptoir.core.timeline import events
from comptoir.core.timeline.models import TimelineEvent


def apply_values(ot, record, values: dict) -> tuple[dict, dict]:
    """Write changed values onto the instance; returns ({name: api string}, {name: old})."""
    defs = registry.definitions(ot)
    changes, old = {}, {}
    for name, value in values.items():
        defn = defs[name]
        current = read_value(record, defn)
        if current == value and type(current) is type(value):
            continue
        old[name] = current
        write_value(record, defn, value)
        changes[name] = to_api_string(defn, value)
    return changes, old


def searchable_definitions(ot) -> list:
    """[(definition, is a phone number)] of the properties full-text search covers."""
    defs = registry.definitions(ot)
    return [
        (defs[name], defs[name].field_type == "phonenumber")
        for name in ot.searchable_properties
        if name in defs
    ]


def search_document(ot, record, searchable: list | None = None) -> str:
    """The record's search text; `searchable`: searchable_definitions(ot), when the caller
    builds many documents."""
    texts, phones = [], []
    for defn, is_phone in searchable if searchable is not None else searchable_definitions(ot):
        value = read_value(record, defn)
        if value is None:
            continue
        if is_phone:
            phones.append(str(value))
        texts.append(str(value))
    return document(texts, phones)


def _changed_fields(ot, names) -> list[str]:
    cols = registry.columns(ot)
    fields = {cols[n] for n in names if n in cols and cols[n] != "id"}
    if any(n not in cols for n in names):
        fields.add("properties")
    return sorted(fields)


def _raise_if(errors):
    if errors:
        raise ValidationFailed(errors)


def _duplicate_from_integrity(ot, record, exc, user=None) -> None:
    """A unique index caught a race the pre-check missed: report it as a duplicate.

    Called after the write's transaction (or savepoint) rolled back, so it can query."""
    for name in ("email", "domain"):
        value = getattr(record, name, None)
        if value:
            existing = (
                base_queryset(ot)
                .filter(**{name: value})
                .exclude(pk=record.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if existing is not None:
                raise DuplicateValue(ot, name, value, shown_id(ot, existing, user)) from exc


def create_record(
    ot, properties: dict, *, source: ChangeSource, associations=(), at=None, user=None
):
    """Create one record; `associations` = [(to_type, to_id, [type ids] | None)].

    `user`: the person creating it (None: the system). Their associations may reach only
    records they may see, and a taken unique value names only a record they may see."""
    # Imported here: comptoir.core.associations.services imports this module when loaded.
    from comptoir.core.associations.services import associate, check_targets

    ot = get_object_type(ot)
    behavior = behavior_for(ot)
    now = at or timezone.now()
    values, errors = validate(ot, properties, allow_read_only=False)
    if not errors:
        behavior.clean(values, None, errors, now=now)
        check_required(ot, values, errors)
    _raise_if(errors)
    check_targets(ot, associations, user=user)
    record = ot.model(properties={}, created_at=now, updated_at=now)
    if ot.is_activity:
        record.object_type_name = ot.name
    changes, _ = apply_values(ot, record, values)
    record.search_text = search_document(ot, record)
    try:
        with transaction.atomic():
            check_unique(ot, values, user=user)
            record.save(force_insert=True)
            record_changes(ot.type_id, record.pk, changes, source, now)
            for to_type, to_id, type_ids in associations:
                # check_targets() above validated the targets already.
                associate(
                    ot,
                    record.pk,
                    to_type,
                    to_id,
                    type_ids,
                    source=source,
                    record=record,
                    check=False,
                )
            if automations_on(source):
                behavior.after_create(record, changes, source)
            observers.written(ot, [Change(record.pk, record, changes, kind="created")], source)
    except IntegrityError as exc:
        _duplicate_from_integrity(ot, record, exc, user)
        raise
    return record


def update_record(
    ot,
    record_id,
    properties: dict,
    *,
    source: ChangeSource,
    allow_read_only: bool = False,
    at=None,
    user=None,
):
    """Change some properties of one record; unchanged values write nothing. `user`: the
    person changing it (None: the system), for a taken unique value's message only: the
    caller checked they may change the record."""
    ot = get_object_type(ot)
    behavior = behavior_for(ot)
    values, errors = validate(ot, properties, allow_read_only=allow_read_only)
    _raise_if(errors)
    seen = {}  # the record written, for the duplicate report after a rollback
    try:
        return _update(ot, behavior, record_id, values, errors, source, at, seen, user)
    except IntegrityError as exc:
        if "record" in seen:
            _duplicate_from_integrity(ot, seen["record"], exc, user)
        raise


def _update(ot, behavior, record_id, values, errors, source, at, seen, user):
    with transaction.atomic():
        record = (
            record_id
            if isinstance(record_id, ot.model)
            else get_record(ot, record_id, for_update=True)
        )
        seen["record"] = record
        before = observers.notes(ot, record)
        behavior.clean(values, record, errors, now=at)
        check_required(ot, values, errors, record)
        _raise_if(errors)
        changed = {
            name: value
            for name, value in values.items()
            if read_value(record, registry.definitions(ot)[name]) != value
        }
        check_unique(ot, changed, record, user)
        changes, old = apply_values(ot, record, values)
        if not changes:
            return record
        now = at or timezone.now()
        record.updated_at = now
        fields = [*_changed_fields(ot, changes), "updated_at"]
        if set(changes) & set(ot.searchable_properties):
            record.search_text = search_document(ot, record)
            fields.append("search_text")
        record.save(update_fields=fields)
        record_changes(ot.type_id, record.pk, changes, source, now)
        _system_events(ot, record, changes, old, source, now)
        if ot.is_activity and "hs_timestamp" in changes:
            rollups.after_record_changed(ot, record.pk, source)
        if automations_on(source):
            behavior.after_update(record, changes, old, source)
        observers.written(
            ot, [Change(record.pk, record, changes, before=before, kind="updated")], source
        )
    return record


def automations_on(source: ChangeSource) -> bool:
    # Automations never trigger further automations: no loops, predictable results.
    return source.type != SourceType.AUTOMATION


def _system_events(ot, record, changes, old, source, now) -> None:
    def changed(name, event, **extra):
        if name in changes:
            event(ot, record.pk, now, source, old=old.get(name), new=changes[name], **extra)

    changed("hubspot_owner_id", events.owner_changed)
    changed("dealstage", events.stage_changed, pipeline=getattr(record, "pipeline", None))
    changed("lifecyclestage", events.lifecycle_changed)


def archive_record(ot, record_id, *, source: ChangeSource, at=None) -> None:
    """Move a record to the recycle bin (restorable for COMPTOIR_RESTORE_DAYS)."""
    ot = get_object_type(ot)
    now = at or timezone.now()
    with transaction.atomic():  # the dashboard's counters change with the record
        record = get_record(ot, record_id, for_update=True)
        updated = base_queryset(ot).filter(pk=record.pk).update(archived=True, archived_at=now)
        if not updated:
            raise RecordNotFound(ot, record_id)
        events.archived(ot, record.pk, now, source)  # who deleted it, for "Deleted records"
        before = observers.notes(ot, record)
        observers.written(
            ot, [Change(record.pk, record, before=before, left=True, kind="archived")], source
        )
    rollups.after_record_changed(ot, record.pk, source)


def restore_record(ot, record_id, *, source: ChangeSource, at=None):
    ot = get_object_type(ot)
    now = at or timezone.now()
    with transaction.atomic():
        record = get_record(ot, record_id, archived=True, for_update=True)
        if record.merged_into_id:
            raise ValidationFailed(
                [PropertyError("id", "MERGED", f"was merged into {record.merged_into_id}")],
                f"{ot.singular} {record.pk} was merged into {record.merged_into_id} and "
                "cannot be restored.",
            )
        defs = registry.definitions(ot)
        unique = {n: read_value(record, d) for n, d in defs.items() if d.has_unique_value}
        check_unique(ot, unique, record)
        base_queryset(ot, archived=True).filter(pk=record.pk).update(
            archived=False, archived_at=None, updated_at=now
        )
        events.restored(ot, record.pk, now, source)
        record.archived, record.archived_at = False, None
        observers.written(ot, [Change(record.pk, record, kind="restored")], source)
        rollups.after_record_changed(ot, record.pk, source)
    return record


def purge_records(ot, record_ids, *, gdpr: bool = False, source=None) -> int:
    """Delete records for good with their history, associations and timeline (GDPR, purge),
    and the records merged into them: those keep the merged person's email and names, and a
    GDPR erasure that left them would not erase anything. Observers see the live records
    leave ("purged"), or, for a GDPR erasure, every record erased ("erased": webhooks send
    HubSpot's privacyDeletion), and the associations removed."""
    # Imported here: comptoir.core.associations.services imports this module when loaded.
    from comptoir.core.associations.services import delete_all_associations

    ot = get_object_type(ot)
    ids = [int(i) for i in record_ids]
    if not ids:
        return 0
    with transaction.atomic():
        ids = _with_merged_records(ot, ids)
        if observers.watched(ot):  # live ones leave (archived ones left already)
            erased = base_queryset(ot, archived=None if gdpr else False).filter(pk__in=ids)
            gone = [
                Change(
                    r.pk,
                    r,
                    before=None if r.archived else observers.notes(ot, r),
                    left=True,
                    kind="erased" if gdpr else "purged",
                )
                for r in erased
            ]
            observers.written(ot, gone, source)
        delete_all_associations(ot, ids, source=source)
        PropertyChange.objects.filter(object_type=ot.type_id, object_id__in=ids).delete()
        TimelineEvent.objects.filter(object_type=ot.type_id, object_id__in=ids).delete()
        deleted, _ = base_queryset(ot, archived=None).filter(pk__in=ids).delete()
        audit.record(AuditAction.RECORDS_DELETED, ot.name, count=len(ids), ids=sorted(ids)[:1000])
    return deleted


def _with_merged_records(ot, ids: list[int]) -> list[int]:
    """`ids` and every record merged into one of them, however many merges ago."""
    found, frontier = set(ids), set(ids)
    while frontier:
        frontier = set(
            base_queryset(ot, archived=None)
            .filter(merged_into_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found |= frontier
    return sorted(found)
