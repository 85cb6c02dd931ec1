"""Input no handler should ever see, refused first with a 400 naming the field.

PostgreSQL cannot store a NUL character in text (SQLite would) and no UTF-8 text holds an
unpaired surrogate (JSON can write one: "\\ud800"): both are a 400 on both databases;
so do JSON numbers past a double's range (1e400 reads as infinity) and bodies nested
deeper than any HubSpot model (Python's parser would fail on 100,000 levels).
"""

import json
import math
from functools import wraps

from comptoir.core import inputs
from comptoir.core.properties.errors import PropertyError
from comptoir.hubspot_api.fields import invalid

MAX_DEPTH = 32  # HubSpot's deepest body (search: filterGroups[].filters[].values[]) is 5


def shown(text: str) -> str:
    """`text` safe to quote in an error: escapes instead of NUL or surrogate characters."""
    return text if inputs.storable(text) else json.dumps(text)[1:-1]


def check_text(field: str, text: str) -> None:
    try:
        inputs.check_text(field, text)
    except PropertyError as exc:
        name = shown(field)
        raise invalid(name, f"{name} {exc.message}.", exc.code) from None


def check_json(data, root: str = "") -> None:
    """Every key and string storable, every number finite, at most MAX_DEPTH levels; errors
    name the field by its path from `root` (properties.firstname, inputs[0].id)."""
    stack = [(root, data, 0)]
    while stack:
        path, value, depth = stack.pop()
        name = path or "body"
        if isinstance(value, str):
            check_text(name, value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise invalid(name, f"{name} is not a finite number.")
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise invalid(name, f"{name} is nested more than {MAX_DEPTH} levels deep.")
            if isinstance(value, dict):
                for key, item in value.items():
                    child = f"{path}.{key}" if path else key
                    check_text(child, key)
                    stack.append((child, item, depth + 1))
            else:
                stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))


def _camel(name: str) -> str:
    """A path parameter as HubSpot's documentation names it: object_id → objectId."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def checked_text(view):
    """Operation decorator: path parameters and the query string hold storable text."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        for name, value in kwargs.items():
            if isinstance(value, str):
                check_text(_camel(name), value)
        for name, values in request.GET.lists():
            check_text("query parameter name", name)
            for value in values:
                check_text(name, value)
        return view(request, *args, **kwargs)

    return wrapper
