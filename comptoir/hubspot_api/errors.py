"""HubSpot's error body, and the exception every handler raises to send one."""

import json
import uuid

from django.http import HttpResponse


class ApiError(Exception):
    """Raise anywhere in a handler; becomes HubSpot's JSON error with this status."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str = "VALIDATION_ERROR",
        *,
        errors: list | None = None,
        context: dict | None = None,
        headers: dict | None = None,
        **extra,
    ):
        self.status = status
        self.message = message
        self.category = category
        self.errors = errors or []
        self.context = context
        self.headers = headers or {}
        self.extra = extra
        super().__init__(message)


def error_body(
    status: int, message: str, category: str, *, errors=None, context=None, **extra
) -> dict:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    if errors:
        body["errors"] = errors
    if context:
        body["context"] = context
    body.update(extra)
    return body


def error_response(exc: ApiError) -> HttpResponse:
    body = error_body(
        exc.status, exc.message, exc.category, errors=exc.errors, context=exc.context, **exc.extra
    )
    response = HttpResponse(
        json.dumps(body), status=exc.status, content_type="application/json;charset=utf-8"
    )
    for key, value in exc.headers.items():
        response[key] = value
    return response


def standard_error(
    message: str, category: str, context: dict | None = None, errors: list | None = None
) -> dict:
    """A StandardError inside a 207 batch response (every field strict mode requires)."""
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context or {},
        "links": {},
        "errors": errors or [],
    }


def not_found(ot, object_id) -> ApiError:
    return ApiError(
        404,
        f"resource not found: no {ot.singular} with id {object_id}",
        "OBJECT_NOT_FOUND",
        context={"id": [str(object_id)]},
    )


def property_errors(exc) -> ApiError:
    """ValidationFailed from the engine → 400 with one ErrorDetail per property."""
    details = [
        {
            "message": e.message,
            "code": e.code,
            "in": e.name,
            "context": {"propertyName": [e.name]},
        }
        for e in exc.errors
    ]
    codes = {e.code for e in exc.errors}
    sub = "PROPERTY_DOESNT_EXIST" if codes == {"PROPERTY_DOESNT_EXIST"} else None
    extra = {"subCategory": sub} if sub else {}
    return ApiError(400, exc.message, "VALIDATION_ERROR", errors=details, **extra)
