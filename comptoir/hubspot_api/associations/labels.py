"""Association labels v4 (`/crm/v4/associations/{from}/{to}/labels`): the association
definitions between two object types, and the user-defined ones created, renamed, deleted."""

from ninja import Router

from comptoir.core.associations import labels as label_service
from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import AssociationError
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.associations.common import V4, parse_type_id, type_pair
from comptoir.hubspot_api.body import json_body
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.responses import respond

router = Router(tags=["Associations"])


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
    type_id = parse_type_id(raw)
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=False)
    return respond({"results": [_label_spec(t) for t in atypes.types_between(from_ot, to_ot)]})


@router.post(
    V4 + "/labels",
    summary="Create an association label",
    openapi_extra=docs.op(body="LabelCreate", answer="CollectionResponseAssociationSpecWithLabel"),
)
def labels_create(request, from_type: str, to_type: str):
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
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
    from_ot, to_ot = type_pair(request, from_type, to_type, write=True)
    type_id = _user_label_id(from_ot, to_ot, association_type_id)
    try:
        label_service.delete_label(from_ot, to_ot, type_id)
    except AssociationError as exc:
        raise _label_error(exc, type_id) from None
    return respond(None, status=204)
