"""Rollup properties (ACT-2) of contacts, companies and deals, kept by the write services.

Called explicitly (never by signals) when an activity is created, associated, changes
date, is archived or restored, and when associations change, by single writes and bulk
ones alike (imports, API batches, demo data). Values are recomputed from the association
table for the records concerned (a few queries per call, whatever the number of
activities), then written through `update_records_in_bulk` (what `update_record` does for
each record, one statement per property) with an automation source, so history is kept and
unchanged values write nothing.

An activity dated in the future (a task due later, a planned meeting) is counted but is no
"last activity" nor "last contacted" until its time has come: the worker's periodic job
`rollups_came_due` rolls up the records of activities whose time came, and
`comptoir recompute_rollups` recomputes every record (a repair, in short batches).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from comptoir.core.associations.models import Association
from comptoir.core.history.models import SourceType
from comptoir.core.objects.registry import OBJECT_TYPES, activity_types, get_object_type
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.properties.registry import definitions
from comptoir.core.records.values import base_queryset, read_value

CHUNK = 500


# Each type declares its rollups: `activity_rollups` (num_notes, notes_last_updated... from
# its activities: activity_rollups() below) and `association_counts` ({rollup property:
# associated object type}).
def rolled_up() -> tuple[str, ...]:
    return tuple(ot.name for ot in OBJECT_TYPES if ot.activity_rollups)


def _counts(object_type: str) -> dict:
    return get_object_type(object_type).association_counts


def _counted() -> set[str]:
    """The types some other type counts (contacts, deals)."""
    return {target for ot in OBJECT_TYPES for target in ot.association_counts.values()}


def activity_rollups(object_type: str, ids, now=None) -> dict[int, dict]:
    """{record id: {rollup: canonical value}} from the live activities associated with them.
    As HubSpot's "Number of sales activities" and "Number of times contacted" count activities
    logged, and its last-activity dates are past ones, every rollup takes only activities
    whose time has come (by `now`): a task due next week or a planned meeting counts on the
    day it happens (the worker's rollups_came_due job refreshes them then)."""
    activities_model = get_object_type("notes").model  # one model for every kind
    now = now or timezone.now()
    ids = list(ids)
    kinds = [ot.name for ot in activity_types()]
    result = {
        i: {
            "num_notes": 0,
            "num_contacted_notes": 0,
            "notes_last_updated": None,
            "notes_last_contacted": None,
            "hs_last_sales_activity_timestamp": None,
        }
        for i in ids
    }
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        links = Association.objects.filter(
            from_type=object_type,
            from_id__in=chunk,
            to_type__in=kinds,
        ).values_list("from_id", "to_id")
        by_activity = defaultdict(set)
        for record_id, activity_id in links:
            by_activity[activity_id].add(record_id)
        if not by_activity:
            continue
        activities = activities_model.objects.filter(
            pk__in=list(by_activity), archived=False
        ).values_list("pk", "object_type_name", "hs_timestamp")
        for pk, kind, when in activities:
            if when is not None and when > now:
                continue  # not happened yet: neither counted nor a last activity
            contacted = get_object_type(kind).conversation
            for record_id in by_activity[pk]:
                values = result[record_id]
                values["num_notes"] += 1
                if contacted:
                    values["num_contacted_notes"] += 1
                if when is None:
                    continue  # undated: counted (it was logged), but no last activity
                stamp = format_datetime(when)
                for name in ("notes_last_updated", "hs_last_sales_activity_timestamp") + (
                    ("notes_last_contacted",) if contacted else ()
                ):
                    if values[name] is None or stamp > values[name]:
                        values[name] = stamp
    return result


def association_counts(object_type: str, ids, targets=None) -> dict[int, dict]:
    """{record id: {num_associated_x: count of live associated records}}; `targets` limits
    the counts to some associated types."""
    ids = list(ids)
    wanted = {
        name: target
        for name, target in _counts(object_type).items()
        if targets is None or target in targets
    }
    result = {i: dict.fromkeys(wanted, 0) for i in ids}
    for name, target in wanted.items():
        for start in range(0, len(ids), CHUNK):
            rows = (
                Association.objects.filter(
                    from_type=object_type,
                    from_id__in=ids[start : start + CHUNK],
                    to_type=target,
                )
                # A lookup by id per link: `to_id IN (live records)` read every live
                # record of the target type for each chunk (80 ms at 44,000 contacts,
                # most of an import's time, growing with the table).
                .filter(Exists(base_queryset(target).filter(pk=OuterRef("to_id"))))
                .values("from_id")
                .annotate(n=Count("to_id", distinct=True))
                .values_list("from_id", "n")
            )
            for record_id, n in rows:
                result[record_id][name] = n
    return result


def refresh(object_type, ids, source, *, activities: bool = True, counts=None) -> None:
    """Recompute and store the rollups of some contacts, companies or deals; `counts`: the
    associated types whose counts to recompute (None: all, empty: none)."""
    # Imported here: comptoir.core.records.writes imports this module when loaded.
    from comptoir.core.records.bulk_update import update_records_in_bulk

    ot = get_object_type(object_type)
    count_targets = set(ot.association_counts.values())
    if counts is not None:
        count_targets &= set(counts)
    if not ot.activity_rollups or not (activities or count_targets):
        return
    ids = sorted({int(i) for i in ids})
    if not ids:
        return
    values: dict[int, dict] = {i: {} for i in ids}
    if activities:
        for record_id, rolled in activity_rollups(ot.name, ids).items():
            values[record_id].update(rolled)
    if count_targets:
        for record_id, rolled in association_counts(ot.name, ids, count_targets).items():
            values[record_id].update(rolled)
    auto = source.derived(SourceType.AUTOMATION, id="rollups")
    live = base_queryset(ot).filter(pk__in=ids)
    # One UPDATE per rollup for the whole call, history written in bulk (as update_record
    # would write it for each record): one update_record per company was 84 % of an
    # import's time once the rest was batched.
    update_records_in_bulk(
        ot,
        [(record, values[record.pk]) for record in live if values[record.pk]],
        source=auto,
        allow_read_only=True,
    )


def recompute(object_type, source, *, batch: int = CHUNK, after: int = 0) -> int:
    """Recompute the rollups of every live record of a type, in keyset batches of `batch`
    records: each batch is read outside any transaction and the records that changed are
    written together by `update_records_in_bulk` in a short transaction of their own (no
    long write lock); returns how many records changed."""
    # Imported here: comptoir.core.records.writes imports this module when loaded.
    from comptoir.core.records.bulk_update import update_records_in_bulk

    ot = get_object_type(object_type)
    if not ot.activity_rollups:
        return 0
    defs = definitions(ot.name)
    changed = 0
    while True:
        ids = list(
            base_queryset(ot)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return changed
        after = ids[-1]
        values = activity_rollups(ot.name, ids)
        for record_id, counts in association_counts(ot.name, ids).items():
            values[record_id].update(counts)
        auto = source.derived(SourceType.AUTOMATION, id="rollups")
        stale = [
            (record, values[record.pk])
            for record in base_queryset(ot).filter(pk__in=ids)
            if any(
                read_value(record, defs[n]) != v for n, v in values[record.pk].items() if n in defs
            )
        ]
        changed += len(update_records_in_bulk(ot, stale, source=auto, allow_read_only=True))


def recompute_all(source, *, batch: int = CHUNK, write=None) -> dict[str, int]:
    """`recompute` for every type with rollups: {type: records changed}."""
    done = {}
    for name in rolled_up():
        done[name] = recompute(name, source, batch=batch)
        if write is not None:
            write(f"{name}: {done[name]} records changed")
    return done


def came_due(source, since: dt.datetime, now=None) -> int:
    """Roll up again the records of the activities whose time came between `since` and
    `now` (their last-activity dates can now take them); returns the activities seen."""
    now = now or timezone.now()
    activities = get_object_type("notes").model.objects.filter(
        archived=False, hs_timestamp__gt=since, hs_timestamp__lte=now
    )
    ids = list(activities.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        targets = _linked_any(ids[start : start + CHUNK])
        for target, record_ids in targets.items():
            refresh(target, record_ids, source, counts=set())
    return len(ids)


def _linked_any(activity_ids) -> dict[str, set[int]]:
    kinds = [ot.name for ot in activity_types()]
    return _linked_by(from_type__in=kinds, from_id__in=list(activity_ids))


def _linked(object_type: str, ids) -> dict[str, set[int]]:
    """{rolled-up type: ids} of the records associated with some records."""
    return _linked_by(from_type=object_type, from_id__in=list(ids))


def _linked_by(**sources) -> dict[str, set[int]]:
    """{rolled-up type: ids} of the records associated with the records `sources` picks."""
    found: dict[str, set[int]] = defaultdict(set)
    rows = Association.objects.filter(**sources, to_type__in=rolled_up()).values_list(
        "to_type", "to_id"
    )
    for to_type, to_id in rows:
        found[to_type].add(to_id)
    return found


# -- the hooks the services call -----------------------------------------------------------------


def after_associations_changed(from_ot, from_id, to_ot, to_id, source) -> None:
    """Two records gained or lost an association."""
    for ot, record_id, other in ((from_ot, from_id, to_ot), (to_ot, to_id, from_ot)):
        if not ot.activity_rollups:
            continue
        refresh(ot, [record_id], source, activities=other.is_activity, counts={other.name})


def after_record_changed(ot, record_id, source) -> None:
    """An activity was archived, restored or changed date, or a contact or deal was archived
    or restored: the records it is associated with roll up again."""
    ot = get_object_type(ot)
    if not (ot.is_activity or ot.name in _counted()):
        return
    for target, ids in _linked(ot.name, [record_id]).items():
        refresh(target, ids, source, activities=ot.is_activity, counts={ot.name})


def after_bulk_links(ot, links_per_record, source) -> None:
    """Records created in bulk with associations (API batches): each associated record rolls
    up once, with a few queries per chunk of records rather than per new record."""
    ot = get_object_type(ot)
    targets: dict[str, set[int]] = defaultdict(set)
    for links in links_per_record:
        for to_type, to_id, _type_ids in links:
            targets[get_object_type(to_type).name].add(int(to_id))
    for to_type, ids in targets.items():
        refresh(to_type, ids, source, activities=ot.is_activity, counts={ot.name})
