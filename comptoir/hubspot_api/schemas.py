"""`/crm/v3/schemas`: the account's custom object types, in HubSpot's ObjectSchema shape
(issue 15, point 5). Read-only.

HubSpot lists custom objects only (type ids `2-…`): an account without any answers
`200 {"results": []}`, which is what connectors (Airbyte's `check` and `discover`) expect.
Comptoir's custom types are those registered with a `2-` type id (the test-only projects
type, `2-9000001`). Listing needs no scope of its own: a token sees the types whose
records or schema it may read, and none otherwise (never a 403 that would fail a
connector's `check`)."""

from ninja import Router

from comptoir.core.objects.registry import OBJECT_TYPES, UnknownObjectType, get_object_type
from comptoir.core.properties import registry
from comptoir.core.scopes import object_scope, schema_scope
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.params import boolean
from comptoir.hubspot_api.properties import Options, property_body
from comptoir.hubspot_api.responses import respond
from comptoir.hubspot_api.serializers import timestamp


def custom_types(request) -> list:
    granted = set(request.api_token.scopes)
    return [
        ot
        for ot in OBJECT_TYPES
        if ot.type_id.startswith("2-")
        and granted & {object_scope(ot.name, False), schema_scope(ot.name, False)}
    ]


def schema_body(ot) -> dict:
    defs = list(registry.definitions(ot).values())
    options = Options(False)
    created = min((d.created_at for d in defs), default=None)
    updated = max((d.updated_at for d in defs), default=None)
    return {
        "id": ot.type_id.split("-", 1)[1],
        "objectTypeId": ot.type_id,
        "name": ot.name,
        "fullyQualifiedName": ot.name,
        "labels": {"singular": ot.singular_label, "plural": ot.label},
        "primaryDisplayProperty": ot.display_properties[0] if ot.display_properties else None,
        "secondaryDisplayProperties": list(ot.display_properties[1:]),
        "searchableProperties": list(ot.searchable_properties),
        "requiredProperties": list(ot.required_all),
        "properties": [property_body(d, options) for d in defs],
        "associations": [],
        "metaType": "PORTAL_SPECIFIC",
        "archived": False,
        "createdAt": timestamp(created),
        "updatedAt": timestamp(updated),
    }


def get_all(request):
    if boolean(request, "archived"):
        return respond({"results": []})  # custom types are never archived here
    return respond({"results": [schema_body(ot) for ot in custom_types(request)]})


def get_by_id(request, object_type: str):
    try:
        ot = get_object_type(object_type)
    except UnknownObjectType:
        ot = None
    if ot is None or ot not in custom_types(request):
        raise ApiError(
            404, f"Unable to find a custom object schema for {object_type}.", "OBJECT_NOT_FOUND"
        )
    return respond(schema_body(ot))


def router(*, documented: bool) -> Router:
    """The schema routes, mounted at HubSpot's path (`/crm/v3/schemas`) and at the one the
    Python SDK 12 calls (`/crm-object-schemas/v3/schemas`, left out of the docs)."""
    routes = Router(tags=["Schemas"])
    listing = docs.op(query=("archived",), answer="CollectionResponseObjectSchemaNoPaging")
    for path in ("", "/"):
        routes.add_api_operation(
            path,
            ["GET"],
            get_all,
            summary="List custom object schemas",
            openapi_extra=listing,
            include_in_schema=documented and path == "",
        )
    routes.add_api_operation(
        "/{object_type}",
        ["GET"],
        get_by_id,
        summary="Read a custom object schema",
        openapi_extra=docs.op(answer="ObjectSchema"),
        include_in_schema=documented,
    )
    return routes
