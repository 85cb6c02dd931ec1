"""Association limits (HubSpot's "association definition configurations"): at most N
records of the target type per record, for one association type (label) of a pair.

`associate` refuses a new association beyond the limit; lowering a limit below what
records already have keeps those associations (HubSpot's behaviour) but blocks new ones.
"""

from django.db import transaction

from comptoir.core.associations import types as atypes
from comptoir.core.associations.models import Association, AssociationLimit
from comptoir.core.associations.services import AssociationError
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.registry import cached

MAX_LIMIT = 10_000  # HubSpot's own ceiling for user-enforced limits


class LimitError(Exception):
    """One configuration that cannot be set; `code` is HubSpot-like, `field` names the input."""

    def __init__(self, message: str, code: str, field: str):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


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
        registry.invalidate()
    return found, maximum


def remove_limits(from_type, to_type, type_ids) -> int:
    a, b = get_object_type(from_type), get_object_type(to_type)
    with transaction.atomic():
        deleted, _ = AssociationLimit.objects.filter(
            from_type=a.name, to_type=b.name, type_id__in=list(type_ids)
        ).delete()
        registry.invalidate()
    return deleted


def check_room(from_ot, from_id: int, to_ot, to_id: int, new_types) -> None:
    """Refuse (AssociationError) when one of `new_types` would give either record more
    associations of that type than its limit allows. One query when no limit is set."""
    if not new_types:
        return
    limits = all_limits()
    if not limits:
        return
    holders = {}  # (from type, to type, type id) → the records gaining one association
    for t in new_types:
        holders.setdefault((from_ot.name, to_ot.name, t.type_id), set()).add(from_id)
        holders.setdefault((to_ot.name, from_ot.name, t.inverse_type_id), set()).add(to_id)
    for key, records in holders.items():
        if key in limits:
            for holder in sorted(records):
                _refuse_past(key, limits[key], holder)


def all_limits() -> dict:
    """{(from type, to type, type id): limit}, cached until the schema changes: associating
    costs no query while no limit is set."""
    return cached(
        "assoc-limits",
        lambda: {
            (row.from_type, row.to_type, row.type_id): row.max_to_object_ids
            for row in AssociationLimit.objects.all()
        },
    )


def _refuse_past(key, maximum: int, holder: int) -> None:
    from_type, to_type, type_id = key
    held = Association.objects.filter(
        from_type=from_type, from_id=holder, to_type=to_type, type_id=type_id
    ).count()
    if held + 1 > maximum:
        t = atypes.find_type(from_type, to_type, type_id)
        name = (t.label if t else None) or f"type {type_id}"
        raise AssociationError(
            f"{get_object_type(from_type).singular} {holder} already has "
            f"{held} association(s) labelled {name!r} with {to_type}; the limit is "
            f"{maximum}.",
            "TOO_MANY_ASSOCIATIONS",
        )
