"""Associations v4 (`/crm/v4/objects/.../associations`, `/crm/v4/associations/...`,
reference §2.7): one record's associations and the batch endpoints.

Handlers only translate HubSpot's wire shapes; the association services decide. Routes carry
full paths because this router is mounted at "". The 3-segment "default" route is declared
first so it is never read as {toObjectType}."""

from django.db import transaction
from django.utils import timezone
from ninja import Router

from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import (
    associate,
    associations_by_target,
    reachable_ids,
    remove_association,
)
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import StandardType
from comptoir.core.permissions import NotAllowed
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.associations.common import (
    READ_BATCH_MAX,
    V4,
    WRITE_BATCH_MAX,
    allowed_pairs,
    batch_associate,
    input_ref,
    invalid_type,
    live_ids,
    no_associations,
    parse_type_id,
    read_pair,
    require_associable,
    targets_by_source,
    type_pair,
)
from comptoir.hubspot_api.auth import api_source
from comptoir.hubspot_api.body import inputs, json_body
from comptoir.hubspot_api.errors import ApiError, not_found
from comptoir.hubspot_api.params import cursor, integer
from comptoir.hubspot_api.responses import batch_response, respond

router = Router(tags=["Associations"])


RECORD = "/crm/v4/objects/{object_type}/{object_id}/associations"


PAGE_SIZE = 500  # v4 GET default (and our maximum) per page


def _require(ot, object_id, user, *, edit: bool = False) -> int:
    """The record's id if the user may see it (and change it, with `edit`), else 404/403."""
    pk = parse_id(object_id)
    if pk is None or pk not in reachable_ids(ot, [pk], user):
        raise not_found(ot, object_id)
    if edit and pk not in reachable_ids(ot, [pk], user, edit=True):
        raise NotAllowed(f"You can see this {ot.singular} but not change its associations.")
    return pk


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
    type_id = parse_type_id(raw)
    if type_id is None:
        raise ApiError(400, "associationTypeId is required and must be an integer.")
    found = atypes.find_type(from_ot, to_ot, type_id)
    if found is None or (category is not None and category != found.category):
        raise invalid_type(from_ot, to_ot, raw)
    return found


def _spec_ids(from_ot, to_ot, specs) -> list[int]:
    if specs is None:
        specs = []
    if not isinstance(specs, list):
        raise ApiError(400, "types must be a JSON array of AssociationSpec objects.")
    return list(dict.fromkeys(_spec_type(from_ot, to_ot, s).type_id for s in specs))


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


@router.put(
    RECORD + "/default/{to_type}/{to_id}",
    summary="Associate two records (unlabeled)",
    openapi_extra=docs.op(answer="BatchResponsePublicDefaultAssociation"),
)
def create_default(request, object_type: str, object_id: str, to_type: str, to_id: str):
    from_ot, to_ot = type_pair(request, object_type, to_type, write=True)
    require_associable(from_ot, to_ot)
    from_pk = _require(from_ot, object_id, request.user, edit=True)
    to_pk = _require(to_ot, to_id, request.user)
    started = timezone.now()
    associate(from_ot, from_pk, to_ot, to_pk, [], source=api_source(request), check=False)
    return batch_response(
        _default_results(from_ot, from_pk, to_ot, to_pk), [], started, ok_status=200
    )


@router.put(
    RECORD + "/{to_type}/{to_id}",
    summary="Set the labels between two records",
    openapi_extra=docs.op(
        body="AssociationSpec", array_of=True, ok=201, answer="LabelsBetweenObjectPair"
    ),
)
def create(request, object_type: str, object_id: str, to_type: str, to_id: str):
    from_ot, to_ot = type_pair(request, object_type, to_type, write=True)
    require_associable(from_ot, to_ot)
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
    from_ot, to_ot = read_pair(request, object_type, to_type)
    if isinstance(from_ot, StandardType):
        raise not_found(from_ot, object_id)
    from_pk = _require(from_ot, object_id, request.user)
    limit = min(integer(request, "limit", PAGE_SIZE, maximum=10_000), PAGE_SIZE)
    after = cursor(request.GET.get("after"))
    targets = targets_by_source(from_ot, [from_pk], to_ot, request.user).get(from_pk, {})
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
    from_ot, to_ot = type_pair(request, object_type, to_type, write=True)
    from_pk = _require(from_ot, object_id, request.user, edit=True)
    to_pk = _require(to_ot, to_id, request.user)
    remove_association(from_ot, from_pk, to_ot, to_pk, source=api_source(request))
    return respond(None, status=204)


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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    require_associable(from_ot, to_ot)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    parsed = [
        (input_ref(i, "from"), input_ref(i, "to"), _spec_ids(from_ot, to_ot, i.get("types")))
        for i in items
    ]
    started = timezone.now()
    done, errors = batch_associate(request, from_ot, to_ot, parsed)
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    require_associable(from_ot, to_ot)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    parsed = [(input_ref(i, "from"), input_ref(i, "to"), []) for i in items]
    started = timezone.now()
    done, errors = batch_associate(request, from_ot, to_ot, parsed)
    results = [r for _, f, t in done for r in _default_results(from_ot, f, to_ot, t)]
    # The SDK maps only 200 for this operation: errors travel inside a 200.
    return batch_response(results, errors, started, ok_status=200, error_status=200)


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
    from_ot, to_ot = read_pair(request, from_type, to_type)
    items = inputs(json_body(request), maximum=READ_BATCH_MAX)
    wanted = []
    for item in items:
        object_id = item.get("id")
        if object_id in (None, "") or isinstance(object_id, dict | list):
            raise ApiError(400, "Each input needs an id.")
        wanted.append((object_id, cursor(item.get("after"))))
    started = timezone.now()
    live = live_ids(from_ot, [w[0] for w in wanted], request.user)
    found = targets_by_source(from_ot, live, to_ot, request.user)
    results, errors = [], []
    for object_id, after in wanted:
        pk = parse_id(object_id)
        targets = found.get(pk) if pk in live else None
        if not targets:
            errors.append(no_associations(from_ot, to_ot, object_id))
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    pairs = []
    for item in items:
        from_id, targets = input_ref(item, "from"), item.get("to")
        if not isinstance(targets, list):
            raise ApiError(400, "Each input needs to: a list of {id}.")
        for target in targets:
            to_id = target.get("id") if isinstance(target, dict) else None
            if to_id in (None, ""):
                raise ApiError(400, "Each element of to needs an id.")
            pairs.append((parse_id(from_id), parse_id(to_id)))
    source = api_source(request)
    allowed = allowed_pairs(request, from_ot, to_ot, pairs)
    with transaction.atomic():
        for f, t in pairs:
            if (f, t) in allowed:
                remove_association(from_ot, f, to_ot, t, source=source)
    return respond(None, status=204)


@router.post(
    V4 + "/batch/labels/archive",
    summary="Remove some labels between pairs (batch)",
    openapi_extra=docs.op(body="BatchAssociationCreate", ok=204),
)
def batch_archive_labels(request, from_type: str, to_type: str):
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    items = inputs(json_body(request), maximum=WRITE_BATCH_MAX)
    parsed = [
        (
            parse_id(input_ref(i, "from")),
            parse_id(input_ref(i, "to")),
            _spec_ids(from_ot, to_ot, i.get("types")),
        )
        for i in items
    ]
    source = api_source(request)
    allowed = allowed_pairs(request, from_ot, to_ot, [(f, t) for f, t, _ in parsed])
    with transaction.atomic():
        for f, t, type_ids in parsed:
            if (f, t) in allowed and type_ids:
                remove_association(from_ot, f, to_ot, t, type_ids, source=source)
    return respond(None, status=204)
