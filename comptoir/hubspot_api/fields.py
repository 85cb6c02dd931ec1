"""Type checks on JSON body fields, so a wrong type is a 400 naming the field, not a 500.

The engine services validate meaning (names, labels, pairings); these only make sure
each field has the JSON type HubSpot's models declare before a service sees it.
"""

import json
from contextlib import contextmanager

from comptoir.core.inputs import clean_int, whole_number
from comptoir.core.properties.errors import ValidationFailed
from comptoir.hubspot_api.errors import ApiError

_NAMES = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    list: "an array",
    dict: "an object",
}


def _matches(value, kind) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def invalid(field: str, message: str, code: str = "INVALID_TYPE") -> ApiError:
    return ApiError(
        400,
        f"Invalid input: {message}",
        "VALIDATION_ERROR",
        errors=[
            {"message": message, "code": code, "in": field, "context": {"propertyName": [field]}}
        ],
    )


def check(data: dict, field: str, kind, *, required: bool = False, prefix: str = ""):
    """The value of `field` if it has type `kind` (absent/null allowed unless required)."""
    name = f"{prefix}{field}"
    value = data.get(field)
    if value is None:
        if required:
            raise invalid(name, f"{name} is required.", "REQUIRED")
        return None
    if kind is int and isinstance(value, str) and whole_number(value) is not None:
        value = data[field] = whole_number(value)  # "3": what a JSON client sending strings means
    if not _matches(value, kind):
        shown = json.dumps(value)[:60]
        raise invalid(name, f"{name} must be {_NAMES[kind]}, not {shown}.")
    if kind is int:
        try:
            clean_int(name, value)  # what an integer column holds on both databases
        except ValidationFailed as exc:
            error = exc.errors[0]
            raise invalid(name, f"{name}: {error.message}", error.code) from None
    return value


def check_all(data: dict, spec: dict, *, required=(), prefix: str = "") -> dict:
    """check() every field of `spec` ({field: type}) present in `data`, then drop the
    null ones: for HubSpot's models a null field is a field not given."""
    for field, kind in spec.items():
        check(data, field, kind, required=field in required, prefix=prefix)
    for field in [f for f, value in data.items() if value is None]:
        del data[field]
    return data


@contextmanager
def service_errors(*, not_found=(), conflict=(), context: dict | None = None):
    """Refusals of an engine service with HubSpot's status: 404 when the error code says
    the thing is unknown, 409 when its name or id is taken, else the usual 400."""
    try:
        yield
    except ValidationFailed as exc:
        codes = {e.code for e in exc.errors}
        if codes & set(not_found):
            raise ApiError(404, exc.message, "OBJECT_NOT_FOUND", context=context) from None
        if codes & set(conflict):
            raise ApiError(409, exc.message, "OBJECT_ALREADY_EXISTS", context=context) from None
        raise
