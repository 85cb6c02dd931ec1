"""Reading JSON request bodies with HubSpot-shaped errors instead of 500s."""

import json

from django.core.exceptions import RequestDataTooBig

from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.inputs import check_json


def json_body(request, *, max_chars: int | None = None, expect=dict):
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(413, "The request body is too large.", "VALIDATION_ERROR") from None
    if max_chars is not None and len(raw) > max_chars:
        raise ApiError(
            400,
            f"The request body is {len(raw)} characters long; the maximum is {max_chars}.",
            "VALIDATION_ERROR",
        )
    if not raw.strip():
        raise ApiError(400, "The request body is empty; a JSON body is required.")
    data = loads(raw)
    if expect is dict and not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    if expect is list and not isinstance(data, list):
        raise ApiError(400, "The request body must be a JSON array.")
    return data


def loads(raw, root: str = ""):
    """JSON text → data that check_json accepts, or HubSpot's 400 (`root` names the text:
    "importRequest" for the imports API's form field, nothing for a request body)."""
    where = f" in {root}" if root else ""
    try:
        data = json.loads(raw, parse_constant=_not_a_number)
    except UnicodeDecodeError:
        raise ApiError(400, f"The request body{where} is not valid UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400, f"Invalid input JSON{where} on line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ApiError(400, f"Invalid input JSON{where}: nested too deeply.") from None
    except ValueError as exc:  # NaN or Infinity, or an integer of more than 4,300 digits
        raise ApiError(400, f"Invalid input JSON{where}: {exc}") from None
    check_json(data, root)
    return data


def _not_a_number(name: str):
    raise ValueError(f"{name} is not a JSON number.")


def inputs(data: dict, *, maximum: int = 100) -> list:
    items = data.get("inputs")
    if not isinstance(items, list):
        raise ApiError(400, "inputs must be a list.")
    if len(items) > maximum:
        raise ApiError(400, f"Too many inputs: {len(items)}; the maximum is {maximum}.")
    for item in items:
        if not isinstance(item, dict):
            raise ApiError(400, "Each input must be a JSON object.")
    return items
