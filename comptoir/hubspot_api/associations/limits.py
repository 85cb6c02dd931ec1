"""Association limits (v4 "definition configurations", reference §2.7): the maximum
number of records of one type a record may be associated with, per association type; and
the high-usage report of records near those limits."""

from django.utils import timezone
from ninja import Router

from comptoir.core.associations import limits as limit_service
from comptoir.core.associations import types as atypes
from comptoir.core.inputs import parse_id
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.associations.common import (
    invalid_type,
    parse_type_id,
    require_associable,
    type_pair,
)
from comptoir.hubspot_api.body import inputs, json_body
from comptoir.hubspot_api.errors import ApiError, standard_error
from comptoir.hubspot_api.responses import batch_response, respond
from comptoir.hubspot_api.serializers import timestamp
from comptoir.users.models import User

router = Router(tags=["Associations"])


CONFIGURATIONS = "/crm/v4/associations/definitions/configurations"


def _configuration(t: atypes.AssociationType, maximum: int | None) -> dict:
    body = {"category": t.category, "typeId": t.type_id, "label": t.label}
    if maximum is not None:
        body["userEnforcedMaxToObjectIds"] = maximum
    return body


def _limit_input(item: dict):
    """typeId, category and maxToObjectIds of one input, as given (checked by the service)."""
    return (
        parse_type_id(item.get("typeId")),
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    require_associable(from_ot, to_ot)
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
            type_pair(request, t.from_type, t.to_type, write=False)
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=False)
    require_associable(from_ot, to_ot)
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    require_associable(from_ot, to_ot)
    type_ids = []
    for item in inputs(json_body(request), maximum=100):
        raw = item.get("typeId")
        type_id = parse_type_id(raw)
        found = atypes.find_type(from_ot, to_ot, type_id) if type_id is not None else None
        if found is None:
            raise invalid_type(from_ot, to_ot, raw)
        type_ids.append(type_id)
    limit_service.remove_limits(from_ot, to_ot, type_ids)
    return respond(None, status=204)


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
