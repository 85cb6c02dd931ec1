"""The legacy v3 association batch endpoints (`/crm/v3/associations/...`, reference §2.8)
and the v3 list of association types."""

from django.db import transaction
from django.utils import timezone
from ninja import Router

from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import (
    remove_association,
)
from comptoir.core.inputs import parse_id
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.associations.common import (
    READ_BATCH_MAX,
    WRITE_BATCH_MAX,
    allowed_pairs,
    batch_associate,
    input_ref,
    invalid_type_field,
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
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.responses import batch_response, respond

router = Router(tags=["Associations"])


V3 = "/crm/v3/associations/{from_type}/{to_type}"


def _v3_type(from_ot, to_ot, raw) -> atypes.AssociationType:
    """A v3 `type`: a name such as contact_to_company, or a numeric type id."""
    if not isinstance(raw, str | int) or isinstance(raw, bool) or str(raw).strip() == "":
        raise ApiError(400, "Each input needs a type (e.g. contact_to_company).")
    found = atypes.find_type_by_name(from_ot, to_ot, str(raw).strip())
    if found is None and parse_type_id(raw) is not None:
        found = atypes.find_type(from_ot, to_ot, parse_type_id(raw))
    if found is None:
        raise invalid_type_field(
            f"Invalid association type {raw!r} from {from_ot.name} to {to_ot.name}.", "type", raw
        )
    return found


def _v3_inputs(from_ot, to_ot, items):
    return [
        (input_ref(i, "from"), input_ref(i, "to"), _v3_type(from_ot, to_ot, i.get("type")))
        for i in items
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    require_associable(from_ot, to_ot)
    parsed = _v3_inputs(from_ot, to_ot, inputs(json_body(request), maximum=WRITE_BATCH_MAX))
    started = timezone.now()
    done, errors = batch_associate(
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
    from_ot, to_ot = read_pair(request, from_type, to_type)
    items = inputs(json_body(request), maximum=READ_BATCH_MAX)
    wanted = []
    for item in items:
        object_id = item.get("id")
        if object_id in (None, "") or isinstance(object_id, dict | list):
            raise ApiError(400, "Each input needs an id.")
        wanted.append(object_id)
    started = timezone.now()
    live = live_ids(from_ot, wanted, request.user)
    found = targets_by_source(from_ot, live, to_ot, request.user)
    results, errors = [], []
    for object_id in wanted:
        pk = parse_id(object_id)
        targets = found.get(pk) if pk in live else None
        if not targets:
            errors.append(no_associations(from_ot, to_ot, object_id))
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    parsed = _v3_inputs(from_ot, to_ot, inputs(json_body(request), maximum=WRITE_BATCH_MAX))
    source = api_source(request)
    pairs = [(parse_id(from_id), parse_id(to_id)) for from_id, to_id, _ in parsed]
    allowed = allowed_pairs(request, from_ot, to_ot, pairs)
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=False)
    return respond(
        {
            "results": [
                {"id": str(t.type_id), "name": t.name} for t in atypes.types_between(from_ot, to_ot)
            ]
        }
    )
