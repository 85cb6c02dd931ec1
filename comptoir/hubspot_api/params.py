"""Query-string quirks of the SDK: repeated keys *and* comma lists; True/False booleans."""

from comptoir.core.inputs import digits, whole_number
from comptoir.hubspot_api.errors import ApiError


def multi(request, name: str) -> list[str]:
    """`?properties=a&properties=b,c` → ["a", "b", "c"] (order kept, no duplicates)."""
    values = []
    for raw in request.GET.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return list(dict.fromkeys(values))


def boolean(request, name: str, default: bool = False) -> bool:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ApiError(400, f"Query parameter {name}={raw!r} is not a boolean (true or false).")


def integer(
    request, name: str, default: int, *, minimum: int = 1, maximum: int | None = None
) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number(raw)
    if value is None:
        raise ApiError(400, f"Query parameter {name}={raw!r} is not an integer.")
    if value < minimum or (maximum is not None and value > maximum):
        limit = f" and {maximum}" if maximum is not None else ""
        raise ApiError(400, f"Query parameter {name} must be between {minimum}{limit}.")
    return value


def cursor(value) -> int | None:
    """HubSpot's paging cursor `after` (a record id as text); empty means the first page."""
    if value in (None, ""):
        return None
    number = digits(str(value)) if isinstance(value, str | int) else None
    if number is None:
        raise ApiError(400, f"after={value!r} is not a valid paging cursor.")
    return number
