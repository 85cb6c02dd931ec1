"""Associations v4 (`/crm/v4/...`) and the legacy v3 batch endpoints (reference §2.7-§2.8).

Handlers only translate HubSpot's wire shapes; the association services decide. Routes carry
full paths because this router is mounted at "".
"""

from django.db import transaction
from django.utils import timezone
from ninja import Router

from comptoir.core.associations import labels as label_service
from comptoir.core.associations import limits as limit_service
from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import (
    AssociationError,
    associate,
    associations_by_target,
    reachable_ids,
    remove_association,
)
from comptoir.core.inputs import digits, parse_id, whole_number
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import NotAllowed
from comptoir.core.scopes import object_scope
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.auth import api_source, require_scope
from comptoir.hubspot_api.body import inputs, json_body
from comptoir.hubspot_api.errors import ApiError, not_found, standard_error
from comptoir.hubspot_api.params import cursor, integer
from comptoir.hubspot_api.responses import batch_response, respond
from comptoir.hubspot_api.serializers import timestamp
from comptoir.users.models import User

router = Router(tags=["Associations"])

RECORD = "/crm/v4/objects/{object_type}/{object_id}/associations"
V4 = "/crm/v4/associations/{from_type}/{to_type}"
V3 = "/crm/v3/associations/{from_type}/{to_type}"
READ_BATCH_MAX = 1000  # HubSpot: batch read ≤ 1,000 inputs
WRITE_BATCH_MAX = 2000  # HubSpot: batch create ≤ 2,000 inputs
PAGE_SIZE = 500  # v4 GET default (and our maximum) per page


# -- helpers ----------------------------------------------------------------------------------


def _pair(request, from_type: str, to_type: str, *, write: bool):
    """Both object types (400 if unknown) after checking the scope of each (403)."""
    from_ot, to_ot = get_object_type(from_type), get_object_type(to_type)
    for ot in dict.fromkeys((from_ot, to_ot)):
        require_scope(request, object_scope(ot.name, write))
    return from_ot, to_ot


def _associable(from_ot, to_ot) -> None:
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


def _require(ot, object_id, user, *, edit: bool = False) -> int:
    """The record's id if the user may see it (and change it, with `edit`), else 404/403."""
    pk = parse_id(object_id)
    if pk is None or pk not in reachable_ids(ot, [pk], user):
        raise not_found(ot, object_id)
    if edit and pk not in reachable_ids(ot, [pk], user, edit=True):
        raise NotAllowed(f"You can see this {ot.singular} but not change its associations.")
    return pk


def _invalid_type(from_ot, to_ot, type_id) -> ApiError:
    return ApiError(
        400,
        f"Association type {type_id} does not exist from {from_ot.name} to {to_ot.name}.",
        errors=[
            {
                "message": "invalid associationTypeId",
                "code": "INVALID_ASSOCIATION_TYPE",
                "context": {"associationTypeId": [str(type_id)]},
            }
        ],
    )


def _type_id(value) -> int | None:
    if isinstance(value, str):
        return digits(value.strip())
    return whole_number(value, floats=False)


def _spec_type(from_ot, to_ot, spec) -> atypes.AssociationType:
    """One AssociationSpec → the AssociationType it names (400 when HubSpot would refuse it)."""
    if not isinstance(spec, dict):
        raise ApiError(
            400,
            "Each association spec must be a JSON object with "
            "associationCategory and associationTypeId.",
        )
    category = spec.get("associationCategory")
    if category is not None and category not in atypes.CATEGORIES:
        raise ApiError(
            400, f"associationCategory {category!r} is not one of {', '.join(atypes.CATEGORIES)}."
        )
    raw = spec.get("associationTypeId")
    type_id = _type_id(raw)
    if type_id is None:
        raise ApiError(400, "associationTypeId is required and must be an integer.")
    found = atypes.find_type(from_ot, to_ot, type_id)
    if found is None or (category is not None and category != found.category):
        raise _invalid_type(from_ot, to_ot, raw)
    return found


def _spec_ids(from_ot, to_ot, specs) -> list[int]:
    if specs is None:
        specs = []
    if not isinstance(specs, list):
        raise ApiError(400, "types must be a JSON array of AssociationSpec objects.")
    return list(dict.fromkeys(_spec_type(from_ot, to_ot, s).type_id for s in specs))


def _ref(item: dict, key: str):
    """`item[key]["id"]` of a batch input (400 when the input is malformed)."""
    ref = item.get(key)
    value = ref.get("id") if isinstance(ref, dict) else None
    if value in (None, "") or isinstance(value, dict | list):
        raise ApiError(400, f"Each input needs {key}.id.")
    return value


def _spec_with_label(from_ot, to_ot, type_id: int) -> dict:
    t = atypes.find_type(from_ot, to_ot, type_id)
    if t is None:
        return {"category": atypes.HUBSPOT_DEFINED, "typeId": type_id, "label": None}
    return {"category": t.category, "typeId": t.type_id, "label": t.label}


def _labels(from_ot, to_ot, type_ids) -> list[str]:
    found = (atypes.find_type(from_ot, to_ot, type_id) for type_id in type_ids)
    return [t.label for t in found if t is not None and t.label]


def _labels_between(from_ot, from_id: int, to_ot, to_id: int, type_ids) -> dict:
    """LabelsBetweenObjectPair: ids as JSON numbers, as HubSpot sends them."""
    return {
        "fromObjectTypeId": from_ot.type_id,
        "fromObjectId": from_id,
        "toObjectTypeId": to_ot.type_id,
        "toObjectId": to_id,
        "labels": _labels(from_ot, to_ot, type_ids),
    }


def _default_results(from_ot, from_id, to_ot, to_id) -> list[dict]:
    """PublicDefaultAssociation for both directions of a new unlabeled association."""
    t = atypes.default_type(from_ot, to_ot)

    def one(a, b, type_id):
        return {
            "from": {"id": str(a)},
            "to": {"id": str(b)},
            "associationSpec": {"associationCategory": t.category, "associationTypeId": type_id},
        }

    return [one(from_id, to_id, t.type_id), one(to_id, from_id, t.inverse_type_id)]


def _page(from_ot, to_ot, targets: dict, after: int | None, limit: int):
    """(results, next cursor) over {to_id: [type ids]}, ordered by target id."""
    to_ids = sorted(i for i in targets if after is None or i >= after)
    page, rest = to_ids[:limit], to_ids[limit:]
    results = [
        {
            "toObjectId": to_id,
            "associationTypes": [_spec_with_label(from_ot, to_ot, t) for t in targets[to_id]],
        }
        for to_id in page
    ]
    return results, (str(rest[0]) if rest else None)


def _no_associations(from_ot, to_ot, from_id) -> dict:
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


def _batch_associate(request, from_ot, to_ot, parsed):
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


def _batch_envelope(results, errors, started, status: int):
    """A batch envelope with errors but a fixed status (operations without a 207 model)."""
    body = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": timestamp(started),
        "completedAt": timestamp(timezone.now()),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    return respond(body, status=status)


# -- v4: one record ---------------------------------------------------------------------------
# The 3-segment "default" route is declared first so it is never read as {toObjectType}.


@router.put(
    RECORD + "/default/{to_type}/{to_id}",
    summary="Associate two records (unlabeled)",
    openapi_extra=docs.op(answer="BatchResponsePublicDefaultAssociation"),
)
def create_default(request, object_type: str, object_id: str, to_type: str, to_id: str):
    from_ot, to_ot = _pair(request, object_type, to_type, write=True)
    _associable(from_ot, to_ot)
    from_pk = _require(from_ot, object_id, request.user, edit=True)
    to_pk = _require(to_ot, to_id, request.user)
    started = timezone.now()
    associate(from_ot, from_pk, to_ot, to_pk, [], source=api_source(request), check=False)
    return _batch_envelope(_default_results(from_ot, from_pk, to_ot, to_pk), [], started, 200)


@router.put(
    RECORD + "/{to_type}/{to_id}",
    summary="Set the labels between two records",
    openapi_extra=docs.op(
        body="AssociationSpec", array_of=True, ok=201, answer="LabelsBetweenObjectPair"
    ),
)
def create(request, object_type: str, object_id: str, to_type: str, to_id: str):
    from_ot, to_ot = _pair(request, object_type, to_type, write=True)
    _associable(from_ot, to_ot)
    type_ids = _spec_ids(from_ot, to_ot, json_body(request, expect=list))
    from_pk = _require(from_ot, object_id, request.user, edit=True)
    to_pk = _require(to_ot, to_id, request.user)
    associate(
        from_ot,
        from_pk,
        to_ot,
        to_pk,
        type_ids,
        source=api_source(request),
        replace=True,
        check=False,
    )
    current = (
        associations_by_target(from_ot, [from_pk], to_ot, user=request.user)
        .get(from_pk, {})
        .get(to_pk, [])
    )
    return respond(_labels_between(from_ot, from_pk, to_ot, to_pk, current), status=201)


@router.get(
    RECORD + "/{to_type}",
    summary="List the associations of a record",
    openapi_extra=docs.op(
        query=docs.PAGE, answer="CollectionResponseMultiAssociatedObjectWithLabel"
    ),
)
def get_page(request, object_type: str, object_id: str, to_type: str):
    from_ot, to_ot = _pair(request, object_type, to_type, write=False)
    from_pk = _require(from_ot, object_id, request.user)
    limit = min(integer(request, "limit", PAGE_SIZE, maximum=10_000), PAGE_SIZE)
    after = cursor(request.GET.get("after"))
    targets = associations_by_target(from_ot, [from_pk], to_ot, user=request.user).get(from_pk, {})
    results, next_after = _page(from_ot, to_ot, targets, after, limit)
    body = {"results": results}
    if next_after is not None:
        link = request.build_absolute_uri(f"{request.path}?after={next_after}&limit={limit}")
        body["paging"] = {"next": {"after": next_after, "link": link}}
    return respond(body)


@router.delete(
    RECORD + "/{to_type}/{to_id}", summary="Remove every association between two records"
)
def archive(request, object_type: str, object_id: str, to_type: str, to_id: str):
    from_ot, to_ot = _pair(request, object_type, to_type, write=True)
    from_pk = _require(from_ot, object_id, request.user, edit=True)
    to_pk = _require(to_ot, to_id, request.user)
    remove_association(from_ot, from_pk, to_ot, to_pk, source=api_source(request))
    return respond(None, status=204)


# -- v4: batches ------------------------------------------------------------------------------


@router.post(
    V4 + "/batch/create",
    summary="Associate records with labels (batch)",
    openapi_extra=docs.op(
        body="BatchAssociationCreate",
        ok=201,
        partial=True,
        answer="BatchResponseLabelsBetweenObjectPair",
    ),
)
def batch_create(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    _associable(from_ot, to_ot)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    parsed = [
        (_ref(i, "from"), _ref(i, "to"), _spec_ids(from_ot, to_ot, i.get("types"))) for i in items
    ]
    started = timezone.now()
    done, errors = _batch_associate(request, from_ot, to_ot, parsed)
    found = associations_by_target(from_ot, {f for _, f, _ in done}, to_ot, user=request.user)
    results = [
        _labels_between(from_ot, f, to_ot, t, found.get(f, {}).get(t, [])) for _, f, t in done
    ]
    return batch_response(results, errors, started, ok_status=201)


@router.post(
    V4 + "/batch/associate/default",
    summary="Associate records unlabeled (batch)",
    openapi_extra=docs.op(
        body="BatchAssociationDefault", answer="BatchResponsePublicDefaultAssociation"
    ),
)
def batch_create_default(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    _associable(from_ot, to_ot)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    parsed = [(_ref(i, "from"), _ref(i, "to"), []) for i in items]
    started = timezone.now()
    done, errors = _batch_associate(request, from_ot, to_ot, parsed)
    results = [r for _, f, t in done for r in _default_results(from_ot, f, to_ot, t)]
    # The SDK maps only 200 for this operation: errors travel inside a 200.
    return _batch_envelope(results, errors, started, 200)


@router.post(
    V4 + "/batch/read",
    summary="Read the associations of records (batch)",
    openapi_extra=docs.op(
        body="BatchAssociationRead",
        partial=True,
        answer="BatchResponsePublicAssociationMultiWithLabel",
    ),
)
def batch_read(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=False)
    items = inputs(json_body(request), maximum=READ_BATCH_MAX)
    wanted = []
    for item in items:
        object_id = item.get("id")
        if object_id in (None, "") or isinstance(object_id, dict | list):
            raise ApiError(400, "Each input needs an id.")
        wanted.append((object_id, cursor(item.get("after"))))
    started = timezone.now()
    live = reachable_ids(from_ot, [w[0] for w in wanted], request.user)
    found = associations_by_target(from_ot, live, to_ot, user=request.user)
    results, errors = [], []
    for object_id, after in wanted:
        pk = parse_id(object_id)
        targets = found.get(pk) if pk in live else None
        if not targets:
            errors.append(_no_associations(from_ot, to_ot, object_id))
            continue
        page, next_after = _page(from_ot, to_ot, targets, after, PAGE_SIZE)
        result = {"from": {"id": str(pk)}, "to": page}
        if next_after is not None:
            result["paging"] = {"next": {"after": next_after}}
        results.append(result)
    return batch_response(results, errors, started, ok_status=200)


@router.post(
    V4 + "/batch/archive",
    summary="Remove every association between pairs (batch)",
    openapi_extra=docs.op(body="BatchAssociationArchive", ok=204),
)
def batch_archive(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    pairs = []
    for item in items:
        from_id, targets = _ref(item, "from"), item.get("to")
        if not isinstance(targets, list):
            raise ApiError(400, "Each input needs to: a list of {id}.")
        for target in targets:
            to_id = target.get("id") if isinstance(target, dict) else None
            if to_id in (None, ""):
                raise ApiError(400, "Each element of to needs an id.")
            pairs.append((parse_id(from_id), parse_id(to_id)))
    source = api_source(request)
    allowed = _allowed_pairs(request, from_ot, to_ot, pairs)
    with transaction.atomic():
        for f, t in pairs:
            if (f, t) in allowed:
                remove_association(from_ot, f, to_ot, t, source=source)
    return respond(None, status=204)


def _allowed_pairs(request, from_ot, to_ot, pairs) -> set:
    """Pairs the user may change: the "from" record editable, the other one visible.
    The rest is skipped silently, as missing records are (nothing leaks)."""
    from_ok = reachable_ids(from_ot, [f for f, _ in pairs], request.user, edit=True)
    to_ok = reachable_ids(to_ot, [t for _, t in pairs], request.user)
    return {(f, t) for f, t in pairs if f in from_ok and t in to_ok}


@router.post(
    V4 + "/batch/labels/archive",
    summary="Remove some labels between pairs (batch)",
    openapi_extra=docs.op(body="BatchAssociationCreate", ok=204),
)
def batch_archive_labels(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    parsed = [
        (
            parse_id(_ref(i, "from")),
            parse_id(_ref(i, "to")),
            _spec_ids(from_ot, to_ot, i.get("types")),
        )
        for i in items
    ]
    source = api_source(request)
    allowed = _allowed_pairs(request, from_ot, to_ot, [(f, t) for f, t, _ in parsed])
    with transaction.atomic():
        for f, t, type_ids in parsed:
            if (f, t) in allowed and type_ids:
                remove_association(from_ot, f, to_ot, t, type_ids, source=source)
    return respond(None, status=204)


# -- v4: labels (association definitions) -----------------------------------------------------


def _label_spec(t: atypes.AssociationType) -> dict:
    return {"category": t.category, "typeId": t.type_id, "label": t.label}


def _label_error(exc: AssociationError, type_id=None) -> ApiError:
    codes = {e.code for e in exc.errors}
    if "LABEL_DOESNT_EXIST" in codes:
        return ApiError(
            404, exc.message, "OBJECT_NOT_FOUND", context={"associationTypeId": [str(type_id)]}
        )
    return ApiError(
        400, exc.message, errors=[{"message": e.message, "code": e.code} for e in exc.errors]
    )


def _user_label_id(from_ot, to_ot, raw) -> int:
    """The id of a USER_DEFINED label (400 for a HubSpot-defined type, 404 for none)."""
    type_id = _type_id(raw)
    if type_id is None:
        raise ApiError(400, "associationTypeId is required and must be an integer.")
    found = atypes.find_type(from_ot, to_ot, type_id)
    if found is not None and found.category != atypes.USER_DEFINED:
        raise ApiError(
            400,
            f"Association type {type_id} is {found.category} and cannot be changed or deleted.",
            errors=[
                {
                    "message": "only USER_DEFINED labels can be changed",
                    "code": "INVALID_ASSOCIATION_TYPE",
                }
            ],
        )
    return type_id


def _text(data: dict, key: str, *, required: bool) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiError(
            400,
            f"{key} is required and must be a non-empty string."
            if required
            else f"{key} must be a string.",
        )
    return value


@router.get(
    V4 + "/labels",
    summary="List association types and labels",
    openapi_extra=docs.op(answer="CollectionResponseAssociationSpecWithLabel"),
)
def labels_get_all(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=False)
    return respond({"results": [_label_spec(t) for t in atypes.types_between(from_ot, to_ot)]})


@router.post(
    V4 + "/labels",
    summary="Create an association label",
    openapi_extra=docs.op(body="LabelCreate", answer="CollectionResponseAssociationSpecWithLabel"),
)
def labels_create(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    data = json_body(request)
    label = _text(data, "label", required=True)
    name = _text(data, "name", required=False)
    inverse = _text(data, "inverseLabel", required=False)
    try:
        row = label_service.create_label(from_ot, to_ot, label, name or None, inverse)
    except AssociationError as exc:
        raise _label_error(exc) from None
    forward = atypes.find_type(from_ot, to_ot, row.type_id)
    backward = atypes.find_type(to_ot, from_ot, row.inverse_type_id)
    return respond({"results": [_label_spec(t) for t in (forward, backward) if t]}, status=200)


@router.put(
    V4 + "/labels",
    summary="Rename an association label",
    openapi_extra=docs.op(body="LabelUpdate", ok=204),
)
def labels_update(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    data = json_body(request)
    type_id = _user_label_id(from_ot, to_ot, data.get("associationTypeId"))
    label = _text(data, "label", required=True)
    inverse = _text(data, "inverseLabel", required=False)
    try:
        label_service.update_label(from_ot, to_ot, type_id, label, inverse)
    except AssociationError as exc:
        raise _label_error(exc, type_id) from None
    return respond(None, status=204)


@router.delete(V4 + "/labels/{association_type_id}", summary="Delete an association label")
def labels_remove(request, from_type: str, to_type: str, association_type_id: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    type_id = _user_label_id(from_ot, to_ot, association_type_id)
    try:
        label_service.delete_label(from_ot, to_ot, type_id)
    except AssociationError as exc:
        raise _label_error(exc, type_id) from None
    return respond(None, status=204)


# -- legacy v3 --------------------------------------------------------------------------------


def _v3_type(from_ot, to_ot, raw) -> atypes.AssociationType:
    """A v3 `type`: a name such as contact_to_company, or a numeric type id."""
    if not isinstance(raw, str | int) or isinstance(raw, bool) or str(raw).strip() == "":
        raise ApiError(400, "Each input needs a type (e.g. contact_to_company).")
    found = atypes.find_type_by_name(from_ot, to_ot, str(raw).strip())
    if found is None and _type_id(raw) is not None:
        found = atypes.find_type(from_ot, to_ot, _type_id(raw))
    if found is None:
        raise ApiError(
            400,
            f"Invalid association type {raw!r} from {from_ot.name} to {to_ot.name}.",
            errors=[
                {
                    "message": "invalid type",
                    "code": "INVALID_ASSOCIATION_TYPE",
                    "context": {"type": [str(raw)]},
                }
            ],
        )
    return found


def _v3_inputs(from_ot, to_ot, items):
    return [
        (_ref(i, "from"), _ref(i, "to"), _v3_type(from_ot, to_ot, i.get("type"))) for i in items
    ]


@router.post(
    V3 + "/batch/create",
    summary="Associate records (v3 batch)",
    openapi_extra=docs.op(
        body="BatchAssociationV3",
        ok=201,
        partial=True,
        answer="BatchResponsePublicAssociationV3",
    ),
)
def v3_batch_create(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    _associable(from_ot, to_ot)
    parsed = _v3_inputs(from_ot, to_ot, inputs(json_body(request), maximum=WRITE_BATCH_MAX))
    started = timezone.now()
    done, errors = _batch_associate(
        request, from_ot, to_ot, [(f, t, [a.type_id]) for f, t, a in parsed]
    )
    results = [
        {"from": {"id": str(f)}, "to": {"id": str(t)}, "type": parsed[i][2].name}
        for i, f, t in done
    ]
    return batch_response(results, errors, started, ok_status=201)


@router.post(
    V3 + "/batch/read",
    summary="Read the associations of records (v3 batch)",
    openapi_extra=docs.op(
        body="BatchIds", partial=True, answer="BatchResponsePublicAssociationMultiV3"
    ),
)
def v3_batch_read(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=False)
    items = inputs(json_body(request), maximum=READ_BATCH_MAX)
    wanted = []
    for item in items:
        object_id = item.get("id")
        if object_id in (None, "") or isinstance(object_id, dict | list):
            raise ApiError(400, "Each input needs an id.")
        wanted.append(object_id)
    started = timezone.now()
    live = reachable_ids(from_ot, wanted, request.user)
    found = associations_by_target(from_ot, live, to_ot, user=request.user)
    results, errors = [], []
    for object_id in wanted:
        pk = parse_id(object_id)
        targets = found.get(pk) if pk in live else None
        if not targets:
            errors.append(_no_associations(from_ot, to_ot, object_id))
            continue
        to = []
        for to_id, type_ids in sorted(targets.items()):
            for type_id in type_ids:
                t = atypes.find_type(from_ot, to_ot, type_id)
                to.append({"id": str(to_id), "type": t.name if t else str(type_id)})
        # v3 read never pages (the SDK cannot send `after` back: reference §2.8).
        results.append({"from": {"id": str(pk)}, "to": to})
    return batch_response(results, errors, started, ok_status=200)


@router.post(
    V3 + "/batch/archive",
    summary="Remove associations of one type (v3 batch)",
    openapi_extra=docs.op(body="BatchAssociationV3", ok=204),
)
def v3_batch_archive(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    parsed = _v3_inputs(from_ot, to_ot, inputs(json_body(request), maximum=WRITE_BATCH_MAX))
    source = api_source(request)
    pairs = [(parse_id(from_id), parse_id(to_id)) for from_id, to_id, _ in parsed]
    allowed = _allowed_pairs(request, from_ot, to_ot, pairs)
    with transaction.atomic():
        for (f, t), (_, _, a_type) in zip(pairs, parsed, strict=True):
            if (f, t) in allowed:
                remove_association(from_ot, f, to_ot, t, [a_type.type_id], source=source)
    return respond(None, status=204)


@router.get(
    V3 + "/types",
    summary="List association types (v3)",
    openapi_extra=docs.op(answer="CollectionResponseAssociationTypeV3"),
)
def v3_types(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=False)
    return respond(
        {
            "results": [
                {"id": str(t.type_id), "name": t.name} for t in atypes.types_between(from_ot, to_ot)
            ]
        }
    )


# -- v4 schema: association limits ("definition configurations") ------------------------------
# Declared after the label routes: "definitions/configurations/…" never matches those, whose
# third segment is the literal "labels" or "batch".

CONFIGURATIONS = "/crm/v4/associations/definitions/configurations"


def _configuration(t: atypes.AssociationType, maximum: int | None) -> dict:
    body = {"category": t.category, "typeId": t.type_id, "label": t.label}
    if maximum is not None:
        body["userEnforcedMaxToObjectIds"] = maximum
    return body


def _limit_input(item: dict):
    """typeId, category and maxToObjectIds of one input, as given (checked by the service)."""
    return (
        _type_id(item.get("typeId")),
        item.get("category"),
        item.get("maxToObjectIds"),
    )


def _limit_error(exc: limit_service.LimitError, item: dict) -> dict:
    return standard_error(
        exc.message,
        "VALIDATION_ERROR",
        context={exc.field: [str(item.get(exc.field))]},
        errors=[{"message": exc.message, "code": exc.code, "in": exc.field}],
    )


def _set_limits(request, from_type: str, to_type: str, *, create: bool):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    _associable(from_ot, to_ot)
    items = inputs(json_body(request), maximum=100)
    started = timezone.now()
    results, errors = [], []
    for item in items:
        type_id, category, maximum = _limit_input(item)
        try:
            t, limit = limit_service.set_limit(
                from_ot, to_ot, type_id, category, maximum, create=create
            )
        except limit_service.LimitError as exc:
            errors.append(_limit_error(exc, item))
            continue
        if create:
            results.append(_configuration(t, limit))
        else:
            results.append(
                {"category": t.category, "typeId": t.type_id, "userEnforcedMaxToObjectIds": limit}
            )
    return batch_response(results, errors, started, ok_status=201 if create else 200)


@router.get(
    CONFIGURATIONS + "/all",
    summary="List every association limit",
    openapi_extra=docs.op(answer="CollectionResponseAssociationDefinitionConfiguration"),
)
def configurations_get_all(request):
    visible = []
    for t, maximum in limit_service.configured():
        try:
            _pair(request, t.from_type, t.to_type, write=False)
        except ApiError:
            continue  # a token sees the limits of the object types it may read
        visible.append(_configuration(t, maximum))
    return respond({"results": visible})


@router.get(
    CONFIGURATIONS + "/{from_type}/{to_type}",
    summary="List the association types of a pair with their limits",
    openapi_extra=docs.op(answer="CollectionResponseAssociationDefinitionConfiguration"),
)
def configurations_get_all_between(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=False)
    _associable(from_ot, to_ot)
    found = limit_service.configured(from_ot, to_ot)
    return respond({"results": [_configuration(t, maximum) for t, maximum in found]})


@router.post(
    CONFIGURATIONS + "/{from_type}/{to_type}/batch/create",
    summary="Set association limits (batch)",
    openapi_extra=docs.op(
        body="BatchLimitCreate",
        ok=201,
        partial=True,
        answer="BatchResponseAssociationDefinitionConfiguration",
    ),
)
def configurations_batch_create(request, from_type: str, to_type: str):
    return _set_limits(request, from_type, to_type, create=True)


@router.post(
    CONFIGURATIONS + "/{from_type}/{to_type}/batch/update",
    summary="Change association limits (batch)",
    openapi_extra=docs.op(
        body="BatchLimitCreate", partial=True, answer="BatchResponseAssociationLimit"
    ),
)
def configurations_batch_update(request, from_type: str, to_type: str):
    return _set_limits(request, from_type, to_type, create=False)


@router.post(
    CONFIGURATIONS + "/{from_type}/{to_type}/batch/purge",
    summary="Remove association limits (batch)",
    openapi_extra=docs.op(body="BatchLimitPurge", ok=204),
)
def configurations_batch_remove(request, from_type: str, to_type: str):
    from_ot, to_ot = _pair(request, from_type, to_type, write=True)
    _associable(from_ot, to_ot)
    type_ids = []
    for item in inputs(json_body(request), maximum=100):
        raw = item.get("typeId")
        type_id = _type_id(raw)
        found = atypes.find_type(from_ot, to_ot, type_id) if type_id is not None else None
        if found is None:
            raise _invalid_type(from_ot, to_ot, raw)
        type_ids.append(type_id)
    limit_service.remove_limits(from_ot, to_ot, type_ids)
    return respond(None, status=204)


# -- v4: high-usage report ----------------------------------------------------------------------


@router.post(
    "/crm/v4/associations/usage/high-usage-report/{user_id}",
    summary="Ask for the report of records near their association limits",
    openapi_extra=docs.op(answer="ReportCreationResponse"),
)
def report_request(request, user_id: str):
    """HubSpot acknowledges and later emails the user the report; Comptoir acknowledges
    (the same record counts are on each record's page), naming the user it is for."""
    pk = parse_id(user_id)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        raise ApiError(
            404,
            f"resource not found: no user with id {user_id}",
            "OBJECT_NOT_FOUND",
            context={"userId": [str(user_id)]},
        )
    return respond(
        {"userEmail": user.email, "userId": user.pk, "enqueueTime": timestamp(timezone.now())}
    )
