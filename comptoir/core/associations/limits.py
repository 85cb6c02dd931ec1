"""Association limits (HubSpot's "association definition configurations"): at most N
records of the target type per record, for one association type (label) of a pair.

`associate` refuses a new association beyond the limit; lowering a limit below what
records already have keeps those associations (HubSpot's behaviour) but blocks new ones.
"""

from django.db import transaction
from django.db.models import Q

from comptoir.core.associations import types as atypes
from comptoir.core.associations.models import Association, AssociationLimit
from comptoir.core.objects.registry import get_object_type

MAX_LIMIT = 10_000  # HubSpot's own ceiling for user-enforced limits


class LimitError(Exception):
    """One configuration that cannot be set; `code` is HubSpot-like, `field` names the input."""

    def __init__(self, message: str, code: str, field: str):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


def limit_of(from_type, to_type, type_id: int) -> int | None:
    a, b = get_object_type(from_type).name, get_object_type(to_type).name
    return (
        AssociationLimit.objects.filter(from_type=a, to_type=b, type_id=type_id)
        .values_list("max_to_object_ids", flat=True)
        .first()
    )


def configured(from_type=None, to_type=None) -> list[tuple[atypes.AssociationType, int | None]]:
    """(type, limit) for every type between the pair, or for every configured type."""
    if from_type is not None:
        a, b = get_object_type(from_type), get_object_type(to_type)
        limits = dict(
            AssociationLimit.objects.filter(from_type=a.name, to_type=b.name).values_list(
                "type_id", "max_to_object_ids"
            )
        )
        return [(t, limits.get(t.type_id)) for t in atypes.types_between(a, b)]
    found = []
    for row in AssociationLimit.objects.order_by("from_type", "to_type", "type_id"):
        t = atypes.find_type(row.from_type, row.to_type, row.type_id)
        if t is not None:  # a label deleted since: its limit no longer applies
            found.append((t, row.max_to_object_ids))
    return found


def _checked(from_ot, to_ot, type_id, category, maximum) -> atypes.AssociationType:
    if not isinstance(type_id, int) or isinstance(type_id, bool):
        raise LimitError("typeId is required and must be an integer.", "INVALID_TYPE_ID", "typeId")
    found = atypes.find_type(from_ot, to_ot, type_id)
    if found is None:
        raise LimitError(
            f"Association type {type_id} does not exist from {from_ot.name} to {to_ot.name}.",
            "INVALID_ASSOCIATION_TYPE",
            "typeId",
        )
    if category != found.category:
        raise LimitError(
            f"category must be {found.category} for association type {type_id}.",
            "INVALID_CATEGORY",
            "category",
        )
    if not isinstance(maximum, int) or isinstance(maximum, bool) or not 1 <= maximum <= MAX_LIMIT:
        raise LimitError(
            f"maxToObjectIds must be an integer between 1 and {MAX_LIMIT}.",
            "INVALID_LIMIT",
            "maxToObjectIds",
        )
    return found


def set_limit(from_type, to_type, type_id, category, maximum, *, create: bool):
    """Create (`create`) or change the limit of one association type of a pair."""
    a, b = get_object_type(from_type), get_object_type(to_type)
    found = _checked(a, b, type_id, category, maximum)
    with transaction.atomic():
        row = AssociationLimit.objects.filter(
            from_type=a.name, to_type=b.name, type_id=found.type_id
        ).first()
        if create and row is not None:
            raise LimitError(
                f"Association type {type_id} already has a limit; update it instead.",
                "CONFIGURATION_EXISTS",
                "typeId",
            )
        if not create and row is None:
            raise LimitError(
                f"Association type {type_id} has no limit to update; create one first.",
                "CONFIGURATION_DOESNT_EXIST",
                "typeId",
            )
        if row is None:
            row = AssociationLimit(from_type=a.name, to_type=b.name, type_id=found.type_id)
        row.category = found.category
        row.max_to_object_ids = maximum
        row.save()
    return found, maximum


def remove_limits(from_type, to_type, type_ids) -> int:
    a, b = get_object_type(from_type), get_object_type(to_type)
    deleted, _ = AssociationLimit.objects.filter(
        from_type=a.name, to_type=b.name, type_id__in=list(type_ids)
    ).delete()
    return deleted


def check_room(from_ot, from_id: int, to_ot, to_id: int, new_types) -> None:
    """Refuse (AssociationError) when one of `new_types` would give either record more
    associations of that type than its limit allows. One query when no limit is set."""
    if not new_types:
        return
    holders = {}  # (from type, to type, type id) → the records gaining one association
    for t in new_types:
        holders.setdefault((from_ot.name, to_ot.name, t.type_id), set()).add(from_id)
        holders.setdefault((to_ot.name, from_ot.name, t.inverse_type_id), set()).add(to_id)
    wanted = Q()
    for a, b, type_id in holders:
        wanted |= Q(from_type=a, to_type=b, type_id=type_id)
    for row in AssociationLimit.objects.filter(wanted):
        for holder in sorted(holders[(row.from_type, row.to_type, row.type_id)]):
            _refuse_past(row, holder)


def _refuse_past(row, holder: int) -> None:
    from comptoir.core.associations.services import AssociationError

    held = Association.objects.filter(
        from_type=row.from_type, from_id=holder, to_type=row.to_type, type_id=row.type_id
    ).count()
    if held + 1 > row.max_to_object_ids:
        t = atypes.find_type(row.from_type, row.to_type, row.type_id)
        name = (t.label if t else None) or f"type {row.type_id}"
        raise AssociationError(
            f"{get_object_type(row.from_type).singular} {holder} already has "
            f"{held} association(s) labelled {name!r} with {row.to_type}; the limit is "
            f"{row.max_to_object_ids}.",
            "TOO_MANY_ASSOCIATIONS",
        )
