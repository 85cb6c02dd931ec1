"""What the association endpoints of every version share: the pair of object types
and its scopes, association type ids, batch inputs, and associating a batch with one error
per input that fails."""

from django.db import transaction

from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import (
    AssociationError,
    associate,
    associations_by_target,
    reachable_ids,
)
from comptoir.core.inputs import digits, parse_id, whole_number
from comptoir.core.objects.registry import AbsentObjectType, StandardType, get_object_type
from comptoir.core.scopes import object_scope
from comptoir.hubspot_api.auth import api_source, require_scope
from comptoir.hubspot_api.errors import ApiError, standard_error

V4 = "/crm/v4/associations/{from_type}/{to_type}"


READ_BATCH_MAX = 1000  # HubSpot: batch read ≤ 1,000 inputs


WRITE_BATCH_MAX = 2000  # HubSpot: batch create ≤ 2,000 inputs


def type_pair(request, from_type: str, to_type: str, *, write: bool):
    """Both object types (400 if unknown) after checking the scope of each (403)."""
    from_ot, to_ot = get_object_type(from_type), get_object_type(to_type)
    for ot in dict.fromkeys((from_ot, to_ot)):
        require_scope(request, object_scope(ot.name, write))
    return from_ot, to_ot


def read_pair(request, from_type: str, to_type: str):
    """type_pair() for reads: a standard HubSpot type Comptoir holds none of comes back as
    its StandardType (no records, no associations) instead of an error."""
    found = []
    for key in (from_type, to_type):
        try:
            ot = get_object_type(key)
        except AbsentObjectType as exc:
            found.append(exc.standard)
            continue
        require_scope(request, object_scope(ot.name, False))
        found.append(ot)
    return found[0], found[1]


def live_ids(ot, ids, user) -> set:
    """The ids among `ids` of records the user may see (none for a standard type)."""
    return set() if isinstance(ot, StandardType) else reachable_ids(ot, ids, user)


def targets_by_source(from_ot, from_ids, to_ot, user) -> dict:
    """associations_by_target(); nothing when either side is a type with no records."""
    if isinstance(from_ot, StandardType) or isinstance(to_ot, StandardType):
        return {}
    return associations_by_target(from_ot, from_ids, to_ot, user=user)


def require_associable(from_ot, to_ot) -> None:
    if atypes.default_type(from_ot, to_ot) is None:
        raise ApiError(
            400,
            f"{from_ot.name} cannot be associated with {to_ot.name}.",
            errors=[
                {
                    "message": f"No association type from {from_ot.name} to {to_ot.name}.",
                    "code": "INVALID_OBJECT_TYPE_PAIR",
                }
            ],
        )


def invalid_type(from_ot, to_ot, type_id) -> ApiError:
    return invalid_type_field(
        f"Association type {type_id} does not exist from {from_ot.name} to {to_ot.name}.",
        "associationTypeId",
        type_id,
    )


def invalid_type_field(message: str, field: str, value) -> ApiError:
    """HubSpot's INVALID_ASSOCIATION_TYPE error on the input field `field` (v3's `type`,
    v4's `associationTypeId`)."""
    return ApiError(
        400,
        message,
        errors=[
            {
                "message": f"invalid {field}",
                "code": "INVALID_ASSOCIATION_TYPE",
                "context": {field: [str(value)]},
            }
        ],
    )


def parse_type_id(value) -> int | None:
    if isinstance(value, str):
        return digits(value.strip())
    return whole_number(value, floats=False)


def input_ref(item: dict, key: str):
    """`item[key]["id"]` of a batch input (400 when the input is malformed)."""
    ref = item.get(key)
    value = ref.get("id") if isinstance(ref, dict) else None
    if value in (None, "") or isinstance(value, dict | list):
        raise ApiError(400, f"Each input needs {key}.id.")
    return value


def no_associations(from_ot, to_ot, from_id) -> dict:
    error = standard_error(
        f"No {to_ot.singular} is associated with {from_ot.singular} {from_id}.",
        "OBJECT_NOT_FOUND",
        {
            "fromObjectId": [str(from_id)],
            "fromObjectType": [from_ot.singular],
            "toObjectType": [to_ot.singular],
        },
    )
    error["subCategory"] = "crm.associations.NO_ASSOCIATIONS_FOUND"
    return error


def _missing_pair(from_ot, from_id, to_ot, to_id, from_ok: set, to_ok: set) -> dict:
    missing = []
    context = {}
    if parse_id(from_id) not in from_ok:
        missing.append(f"{from_ot.singular} {from_id}")
        context["fromObjectId"] = [str(from_id)]
    if parse_id(to_id) not in to_ok:
        missing.append(f"{to_ot.singular} {to_id}")
        context["toObjectId"] = [str(to_id)]
    return standard_error(
        f"Could not associate {from_ot.singular} {from_id} with {to_ot.singular} {to_id}: "
        f"{' and '.join(missing)} {'do' if len(missing) > 1 else 'does'} not exist.",
        "OBJECT_NOT_FOUND",
        context,
    )


def _over_limit(exc: AssociationError) -> bool:
    return any(e.code == "TOO_MANY_ASSOCIATIONS" for e in exc.errors)


def batch_associate(request, from_ot, to_ot, parsed):
    """associate() each (from, to, type ids) whose records exist; the others become errors.

    Returns [(input index, from pk, to pk)] of those done, and the errors."""
    # Pairs whose "from" record the user may not change read as missing, like invisible ones.
    from_ok = reachable_ids(from_ot, [p[0] for p in parsed], request.user, edit=True)
    to_ok = reachable_ids(to_ot, [p[1] for p in parsed], request.user)
    source = api_source(request)
    done, errors = [], []
    with transaction.atomic():
        for index, (from_id, to_id, type_ids) in enumerate(parsed):
            f, t = parse_id(from_id), parse_id(to_id)
            if f not in from_ok or t not in to_ok:
                errors.append(_missing_pair(from_ot, from_id, to_ot, to_id, from_ok, to_ok))
                continue
            try:
                associate(from_ot, f, to_ot, t, type_ids, source=source, check=False)
            except AssociationError as exc:
                if not _over_limit(exc):
                    raise
                # Past an association limit: this input fails alone (its savepoint rolled back).
                errors.append(
                    standard_error(
                        exc.message,
                        "VALIDATION_ERROR",
                        context={"fromObjectId": [str(from_id)], "toObjectId": [str(to_id)]},
                        errors=[{"message": exc.message, "code": "TOO_MANY_ASSOCIATIONS"}],
                    )
                )
                continue
            done.append((index, f, t))
    return done, errors


def allowed_pairs(request, from_ot, to_ot, pairs) -> set:
    """Pairs the user may change: the "from" record editable, the other one visible.
    The rest is skipped silently, as missing records are (nothing leaks)."""
    from_ok = reachable_ids(from_ot, [f for f, _ in pairs], request.user, edit=True)
    to_ok = reachable_ids(to_ot, [t for _, t in pairs], request.user)
    return {(f, t) for f, t in pairs if f in from_ok and t in to_ok}
