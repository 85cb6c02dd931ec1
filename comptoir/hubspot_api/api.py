"""The HubSpot-compatible API: one NinjaAPI, HubSpot's error bodies everywhere."""

import json

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comptoir.core import busy
from comptoir.core.objects.registry import AbsentObjectType, UnknownObjectType
from comptoir.core.permissions import NotAllowed
from comptoir.core.properties.errors import (
    DuplicateValue,
    PropertyError,
    RecordNotFound,
    ValidationFailed,
)
from comptoir.core.search.compiler import SearchError
from comptoir.hubspot_api import (
    associations,
    docs,
    legacy,
    objects,
    owners,
    pipelines,
    properties,
    schemas,
    webhooks,
)
from comptoir.hubspot_api import imports as imports_api
from comptoir.hubspot_api.auth import TokenAuth
from comptoir.hubspot_api.errors import ApiError, error_response, not_found, property_errors
from comptoir.hubspot_api.inputs import checked_text


class HubSpotApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return docs.finish(super().get_openapi_schema(*args, **kwargs))


api = HubSpotApi(
    title="Comptoir CRM API (HubSpot-compatible)",
    version="3",
    description=(
        "HubSpot's public CRM API, served by Comptoir. Point `hubspot-api-client` at this "
        "server with `host=` and a private-app token from `comptoir create_token`."
    ),
    auth=TokenAuth(),
    urls_namespace="hubspot_api",
    docs_url="/api/docs",
    openapi_url="/api/openapi.json",
)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return error_response(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        ApiError(
            401,
            "Authentication credentials not found. This API supports OAuth 2.0 and private app "
            "access tokens (Authorization: Bearer <token>).",
            "INVALID_AUTHENTICATION",
        )
    )


@api.exception_handler(ValidationFailed)
def _validation_failed(request, exc):
    return error_response(property_errors(exc))


@api.exception_handler(DuplicateValue)
def _duplicate(request, exc):
    # The id only of a record the caller may see (the service left it out otherwise).
    context = {"id": [str(exc.existing_id)]} if exc.existing_id is not None else None
    return error_response(ApiError(409, exc.message, "CONFLICT", context=context))


@api.exception_handler(RecordNotFound)
def _record_not_found(request, exc):
    return error_response(not_found(exc.object_type, exc.record_id))


@api.exception_handler(UnknownObjectType)
def _unknown_type(request, exc):
    return error_response(
        ApiError(400, f"Unable to infer object type from: {exc.key}", "VALIDATION_ERROR")
    )


@api.exception_handler(AbsentObjectType)
def _absent_type(request, exc):
    # A standard type every HubSpot account has, with no records here: what HubSpot answers
    # for a missing object (the reads that answer empty catch it before).
    return error_response(
        ApiError(
            404,
            f"resource not found: no {exc.standard.singular} exists in this account",
            "OBJECT_NOT_FOUND",
        )
    )


@api.exception_handler(PropertyError)
def _property_error(request, exc):
    return error_response(property_errors(ValidationFailed([exc])))


@api.exception_handler(NotAllowed)
def _not_allowed(request, exc):
    return error_response(ApiError(403, str(exc), "FORBIDDEN"))


@api.exception_handler(SearchError)
def _search_error(request, exc):
    return error_response(ApiError(400, str(exc), "VALIDATION_ERROR"))


@api.exception_handler(ValidationError)
def _ninja_validation(request, exc):
    return error_response(
        ApiError(400, f"Invalid input: {json.dumps(exc.errors)[:500]}", "VALIDATION_ERROR")
    )


@api.exception_handler(Http404)
def _http404(request, exc):
    return error_response(ApiError(404, str(exc) or "Not found", "OBJECT_NOT_FOUND"))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return error_response(ApiError(exc.status_code, str(exc), "VALIDATION_ERROR"))


@api.exception_handler(Exception)
def _busy_database(request, exc):
    if not busy.is_busy(exc):
        raise exc  # a real error: Django's 500 (what Ninja's own handler does)
    return error_response(
        ApiError(
            503,
            "The database is busy with other work. Try again in a few seconds.",
            "SERVICE_UNAVAILABLE",
            headers={"Retry-After": str(busy.RETRY_AFTER)},
        )
    )


def register() -> NinjaAPI:
    """Attach every router once (imports are here so url loading stays cheap)."""
    if getattr(api, "_comptoir_registered", False):
        return api

    api.add_decorator(checked_text)  # before any handler: path and query text is storable
    api.add_router("/crm/v3/objects", objects.router)
    api.add_router("/crm/v3/properties", properties.router)
    api.add_router("/crm/v3/pipelines", pipelines.router)
    api.add_router("/crm/v3/owners", owners.router)
    api.add_router("/crm/v3/schemas", schemas.router(documented=True))
    api.add_router("/crm-object-schemas/v3/schemas", schemas.router(documented=False))
    for router in associations.ROUTERS:
        api.add_router("", router)

    api.add_router("/crm/v3/imports", imports_api.router)
    api.add_router("", legacy.router)
    api.add_router("/webhooks/v3", webhooks.router)
    api._comptoir_registered = True
    return api
