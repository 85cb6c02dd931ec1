"""The write and read path for associations (OBJ-4).

Both directions are stored; every function here keeps the pair of rows in step, keeps
one primary company per contact and per deal, and mirrors it into `associatedcompanyid`.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from comptoir.core.associations import types as atypes
from comptoir.core.associations.models import Association
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import UnknownObjectType, get_object_type
from comptoir.core.permissions import NotAllowed, editable
from comptoir.core.properties.errors import PropertyError, RecordNotFound, ValidationFailed
from comptoir.core.records import observers, rollups
from comptoir.core.records.behavior import behavior_for
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import automations_on, update_record


class AssociationError(ValidationFailed):
    """An association that cannot be made (unknown type, wrong pair, missing record)."""

    def __init__(self, message: str, code: str = "INVALID_ASSOCIATION"):
        super().__init__([PropertyError("associations", code, message)], message)


def resolve_types(from_ot, to_ot, type_ids) -> list[atypes.AssociationType]:
    """AssociationTypes for the given ids (None = the default); always includes the default."""
    default = atypes.default_type(from_ot, to_ot)
    if default is None:
        raise AssociationError(f"{from_ot.name} cannot be associated with {to_ot.name}.")
    chosen = [default]
    for type_id in type_ids or ():
        found = atypes.find_type(from_ot, to_ot, int(type_id))
        if found is None:
            raise AssociationError(
                f"Association type {type_id} does not exist from {from_ot.name} to {to_ot.name}.",
                "INVALID_ASSOCIATION_TYPE",
            )
        if found not in chosen:
            chosen.append(found)
    return chosen


def check_targets(from_ot, associations, user=None) -> None:
    """Validate inline associations of a record about to be created (before any write):
    each target must be a live record `user` may see (None: the system, any live one).
    One the user may not see is refused exactly as a missing one."""
    for to_type, to_id, type_ids in associations:
        try:
            to_ot = get_object_type(to_type)
        except UnknownObjectType:
            raise AssociationError(f"Unknown object type {to_type!r} in associations.") from None
        resolve_types(from_ot, to_ot, type_ids)
        if _int(to_id, to_ot) not in reachable_ids(to_ot, [to_id], user):
            raise AssociationError(
                f"{to_ot.singular} {to_id} does not exist (in associations).", "OBJECT_NOT_FOUND"
            )


def reachable_ids(ot, ids, user, *, edit: bool = False) -> set[int]:
    """Which of `ids` are live records of `ot` that `user` may see (with `edit`: and
    change), in one query; user None (the system): every live one. The one decision of
    every association path about the records it names."""
    ot = get_object_type(ot)
    pks = {pk for pk in map(parse_id, ids) if pk is not None}
    if not pks:
        return set()
    qs = base_queryset(ot, user=user)
    if edit and user is not None:
        qs = editable(qs, user, ot)
    return set(qs.filter(pk__in=pks).values_list("pk", flat=True))


def check_pair(from_ot, from_id, to_ot, to_id, user, *, from_known: bool = False) -> None:
    """May `user` associate these two records? The first must be one they may change
    (RecordNotFound when they may not see it, NotAllowed when they may only see it), the
    other one they may see (RecordNotFound otherwise, exactly as for a missing record)."""
    if not from_known and parse_id(from_id) not in reachable_ids(
        from_ot, [from_id], user, edit=True
    ):
        if user is not None and parse_id(from_id) in reachable_ids(from_ot, [from_id], user):
            raise NotAllowed(
                f"You can see this {from_ot.singular} but not change its associations."
            )
        raise RecordNotFound(from_ot, from_id)
    if parse_id(to_id) not in reachable_ids(to_ot, [to_id], user):
        raise RecordNotFound(to_ot, to_id)


def _int(value, ot) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RecordNotFound(ot, value) from None


def _holder(a_type: atypes.AssociationType, from_ot, from_id, to_id):
    """(object type, id) of the record whose primary company this association is."""
    if from_ot.name == "companies":
        return get_object_type(a_type.to_type), to_id
    return from_ot, from_id


def _rows(from_ot, from_id, to_ot, to_id, chosen):
    rows = []
    for t in chosen:
        rows.append(
            Association(
                from_type=from_ot.name,
                from_id=from_id,
                to_type=to_ot.name,
                to_id=to_id,
                type_id=t.type_id,
                category=t.category,
            )
        )
        rows.append(
            Association(
                from_type=to_ot.name,
                from_id=to_id,
                to_type=from_ot.name,
                to_id=from_id,
                type_id=t.inverse_type_id,
                category=t.category,
            )
        )
    return rows


def associate(
    from_type,
    from_id,
    to_type,
    to_id,
    type_ids=None,
    *,
    source,
    replace=False,
    record=None,
    check=True,
    user=None,
) -> list[atypes.AssociationType]:
    """Associate two records with the default type plus `type_ids`.

    With `replace`, the pair ends with exactly these labels (HubSpot's v4 PUT semantics).
    `check`: both records must exist; with `user` (None: the system), as check_pair()
    says. `check=False`: the caller checked them already.
    """
    from_ot, to_ot = get_object_type(from_type), get_object_type(to_type)
    from_id, to_id = _int(from_id, from_ot), _int(to_id, to_ot)
    if not type_ids and not replace:
        type_ids = _first_company_is_primary(from_ot, from_id, to_ot, to_id)
    chosen = resolve_types(from_ot, to_ot, type_ids)
    if check:
        check_pair(from_ot, from_id, to_ot, to_id, user, from_known=record is not None)
    # Imported here: comptoir.core.associations.limits imports this module when loaded.
    from comptoir.core.associations import limits

    with transaction.atomic():
        if replace:
            keep = {t.type_id for t in chosen}
            removed = _delete_pair(
                from_ot, from_id, to_ot, to_id, exclude_type_ids=keep, source=source
            )
            _forget_primary(removed, from_ot, from_id, to_id, source)
        for t in chosen:
            if t.is_primary:
                holder_ot, holder_id = _holder(t, from_ot, from_id, to_id)
                company_id = to_id if holder_ot is from_ot else from_id
                _clear_other_primaries(holder_ot, holder_id, keep_company=company_id)
        existing = set(
            Association.objects.filter(
                from_type=from_ot.name, from_id=from_id, to_type=to_ot.name, to_id=to_id
            ).values_list("type_id", flat=True)
        )
        new = [t for t in chosen if t.type_id not in existing]
        limits.check_room(from_ot, from_id, to_ot, to_id, new)
        added = _rows(from_ot, from_id, to_ot, to_id, new)
        Association.objects.bulk_create(added, ignore_conflicts=True)
        observers.associations_written([_observed(row) for row in added], False, source)
        if any(t.is_primary for t in new):
            t = next(t for t in new if t.is_primary)
            holder_ot, holder_id = _holder(t, from_ot, from_id, to_id)
            _set_primary_company_property(
                holder_ot, holder_id, to_id if holder_ot is from_ot else from_id, source
            )
        if new:
            _after_associate(from_ot, from_id, to_ot, to_id, source)
            rollups.after_associations_changed(from_ot, from_id, to_ot, to_id, source)
    return chosen


def _first_company_is_primary(from_ot, from_id, to_ot, to_id):
    """A contact's (or deal's) first company becomes its primary one, as in HubSpot."""
    primary = atypes.primary_type(from_ot, to_ot)
    if primary is None:
        return None
    holder_ot, holder_id = _holder(primary, from_ot, from_id, to_id)
    if primary_company_id(holder_ot, holder_id) is not None:
        return None
    return [primary.type_id]


def _after_associate(from_ot, from_id, to_ot, to_id, source):
    if automations_on(source):
        behavior_for(from_ot).after_associate(from_id, to_ot, to_id, source)
        behavior_for(to_ot).after_associate(to_id, from_ot, from_id, source)


def _clear_other_primaries(holder_ot, holder_id, keep_company) -> None:
    primary = atypes.primary_type(holder_ot, "companies")
    if primary is None:
        return
    others = list(
        Association.objects.filter(
            from_type=holder_ot.name,
            from_id=holder_id,
            to_type="companies",
            type_id=primary.type_id,
        )
        .exclude(to_id=keep_company)
        .values_list("to_id", flat=True)
    )
    for company_id in others:
        Association.objects.filter(
            Q(
                from_type=holder_ot.name,
                from_id=holder_id,
                to_type="companies",
                to_id=company_id,
                type_id=primary.type_id,
            )
            | Q(
                from_type="companies",
                from_id=company_id,
                to_type=holder_ot.name,
                to_id=holder_id,
                type_id=primary.inverse_type_id,
            )
        ).delete()


def _set_primary_company_property(holder_ot, holder_id, company_id, source) -> None:
    """Contacts mirror their primary company in `associatedcompanyid` (with history)."""
    if holder_ot.name != "contacts":
        return
    update_record(
        holder_ot,
        holder_id,
        {"associatedcompanyid": company_id},
        source=source,
        allow_read_only=True,
    )


def _observed(row: Association) -> observers.AssociationRow:
    return observers.AssociationRow(
        row.from_type, row.from_id, row.to_type, row.to_id, row.type_id, row.category
    )


def _delete_pair(
    from_ot, from_id, to_ot, to_id, exclude_type_ids=(), only_type_ids=None, *, source=None
):
    forward = Association.objects.filter(
        from_type=from_ot.name, from_id=from_id, to_type=to_ot.name, to_id=to_id
    )
    if only_type_ids is not None:
        forward = forward.filter(type_id__in=list(only_type_ids))
    forward = forward.exclude(type_id__in=list(exclude_type_ids))
    removed, gone = [], []
    for row in forward:
        t = atypes.find_type(from_ot, to_ot, row.type_id)
        inverse = t.inverse_type_id if t else None
        removed.append(t)
        Association.objects.filter(
            from_type=to_ot.name,
            from_id=to_id,
            to_type=from_ot.name,
            to_id=from_id,
            type_id=inverse,
        ).delete()
        gone.append(_observed(row))
        if inverse is not None:
            gone.append(
                observers.AssociationRow(
                    to_ot.name, to_id, from_ot.name, from_id, inverse, row.category
                )
            )
        row.delete()
    observers.associations_written(gone, True, source)
    return [t for t in removed if t is not None]


def remove_association(from_type, from_id, to_type, to_id, type_ids=None, *, source) -> int:
    """Remove the given labels between two records, or all of them (type_ids None).

    Removing the default (unlabeled) type removes every label, as in HubSpot.
    """
    from_ot, to_ot = get_object_type(from_type), get_object_type(to_type)
    from_id, to_id = _int(from_id, from_ot), _int(to_id, to_ot)
    default = atypes.default_type(from_ot, to_ot)
    if type_ids is not None and default is not None and default.type_id in set(map(int, type_ids)):
        type_ids = None
    with transaction.atomic():
        removed = _delete_pair(
            from_ot,
            from_id,
            to_ot,
            to_id,
            only_type_ids=None if type_ids is None else list(map(int, type_ids)),
            source=source,
        )
        _forget_primary(removed, from_ot, from_id, to_id, source)
        if removed:
            rollups.after_associations_changed(from_ot, from_id, to_ot, to_id, source)
    return len(removed)


def _forget_primary(removed, from_ot, from_id, to_id, source) -> None:
    primary = next((t for t in removed if t.is_primary), None)
    if primary is not None:
        holder_ot, holder_id = _holder(primary, from_ot, from_id, to_id)
        _set_primary_company_property(holder_ot, holder_id, None, source)


def associated_ids(from_type, from_id, to_type, *, include_archived=False) -> list[int]:
    """Ids of live records of `to_type` associated with one record, ascending."""
    from_ot, to_ot = get_object_type(from_type), get_object_type(to_type)
    ids = (
        Association.objects.filter(from_type=from_ot.name, from_id=int(from_id), to_type=to_ot.name)
        .values_list("to_id", flat=True)
        .distinct()
    )
    if not include_archived:
        ids = base_queryset(to_ot).filter(pk__in=ids).values_list("pk", flat=True)
    return sorted(ids)


def associations_by_target(
    from_type, from_ids, to_type, *, user=None
) -> dict[int, dict[int, list[int]]]:
    """{from_id: {to_id: [type ids]}} for live targets (those `user` may see), one query."""
    from_ot, to_ot = get_object_type(from_type), get_object_type(to_type)
    rows = (
        Association.objects.filter(
            from_type=from_ot.name,
            from_id__in=list(from_ids),
            to_type=to_ot.name,
            to_id__in=base_queryset(to_ot, user=user).values("pk"),
        )
        .order_by("from_id", "to_id", "type_id")
        .values_list("from_id", "to_id", "type_id")
    )
    result: dict = defaultdict(lambda: defaultdict(list))
    for from_id, to_id, type_id in rows:
        result[from_id][to_id].append(type_id)
    return result


def primary_company_id(holder_type, holder_id) -> int | None:
    holder_ot = get_object_type(holder_type)
    primary = atypes.primary_type(holder_ot, "companies")
    if primary is None:
        return None
    return (
        Association.objects.filter(
            from_type=holder_ot.name,
            from_id=int(holder_id),
            to_type="companies",
            type_id=primary.type_id,
        )
        .values_list("to_id", flat=True)
        .first()
    )


def delete_all_associations(ot, ids, *, source=None) -> None:
    """Remove every association of these records, both directions (purge, merge); the
    observers (webhooks' associationChange) see each row removed."""
    ot = get_object_type(ot)
    ids = list(ids)
    forward = Association.objects.filter(from_type=ot.name, from_id__in=ids)
    rows = list(
        forward.values_list("from_type", "from_id", "to_type", "to_id", "type_id", "category")
    )
    targets: dict[str, set[int]] = defaultdict(set)
    for _from_type, _from_id, to_type, to_id, _type_id, _category in rows:
        targets[to_type].add(to_id)
    backward = []
    for to_type, to_ids in targets.items():
        mirror = Association.objects.filter(
            from_type=to_type, from_id__in=list(to_ids), to_type=ot.name, to_id__in=ids
        )
        backward += mirror.values_list(
            "from_type", "from_id", "to_type", "to_id", "type_id", "category"
        )
        mirror.delete()
    forward.delete()
    gone = [observers.AssociationRow(*row) for row in rows + backward]
    if gone:
        observers.associations_written(gone, True, source)


def move_associations(ot, from_id: int, to_id: int, *, source) -> None:
    """Give record `to_id` every association of `from_id` (merge), without duplicates."""
    ot = get_object_type(ot)
    rows = list(Association.objects.filter(from_type=ot.name, from_id=from_id))
    delete_all_associations(ot, [from_id], source=source)
    by_target: dict = defaultdict(list)
    for row in rows:
        if row.to_type == ot.name and row.to_id == to_id:
            continue  # the two merged records were associated with each other
        by_target[(row.to_type, row.to_id)].append(row.type_id)
    for (target_type, target_id), type_ids in by_target.items():
        target_ot = get_object_type(target_type)
        keep = []
        for type_id in type_ids:
            t = atypes.find_type(ot, target_ot, type_id)
            if t is None:
                continue
            if t.is_primary and primary_company_id(ot, to_id) is not None:
                continue  # the survivor keeps its own primary company
            keep.append(type_id)
        associate(ot, to_id, target_ot, target_id, keep, source=source, check=False)
