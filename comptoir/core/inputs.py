"""Values people type (URL ids, form fields, API texts) checked before the database sees them.

Both databases must refuse the same things, and refuse them as a clear error naming the
field rather than fail inside the driver: PostgreSQL cannot store a NUL character in text
or jsonb (SQLite would), no UTF-8 text holds an unpaired surrogate, PostgreSQL's
varchar(n) refuses longer texts (SQLite keeps them), and ids and integer columns have
64- and 32-bit ranges (SQLite's driver fails past 64 bits, PostgreSQL past the column's).
"""

import datetime as dt
import math
import re

from comptoir.core.properties.errors import PropertyError, ValidationFailed

MAX_ID = 2**63 - 1  # a bigint id
MAX_INT = 2**31 - 1  # an IntegerField (PostgreSQL's integer)
# Datetimes and dates a day inside Python's range (years 1 to 9999), so that showing one
# in any time zone, or the next day of a date filter, stays in range.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> bool:
    """False for a text no database stores (looking it up would fail in the driver)."""
    return _UNSTORABLE.search(text) is None


def storable_text(text: str) -> str:
    """`text` with what no database stores replaced by U+FFFD (to keep a refused value in
    an error report, say)."""
    return _UNSTORABLE.sub("\ufffd", text)


def check_text(name: str, text: str) -> str:
    """`text` unchanged, or a PropertyError naming `name` if a database cannot store it."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return text
    what = "a NUL character" if found[0] == "\x00" else "an unpaired surrogate character"
    raise PropertyError(
        name,
        "INVALID_STRING",
        f"contains {what} at position {found.start() + 1}, which cannot be stored",
    )


def _fail(error: PropertyError):
    raise ValidationFailed([error], f"{error.name}: {error.message}")


def clean_text(name: str, raw, *, max_length: int, strip: bool = True) -> str:
    """A text field's value: a string the database stores as given, at most `max_length`
    characters; ValidationFailed naming `name` otherwise. None becomes ""."""
    if raw is None:
        return ""
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        _fail(PropertyError(name, "INVALID_STRING", "must be a text"))
    text = str(raw).strip() if strip else str(raw)
    try:
        check_text(name, text)
    except PropertyError as exc:
        _fail(exc)
    if len(text) > max_length:
        _fail(
            PropertyError(
                name, "TOO_LONG", f"is {len(text)} characters long, the maximum is {max_length}"
            )
        )
    return text


# Ids and whole numbers people type are ASCII digits only: str.isdigit() is also true of
# "²" (which int() refuses: a 500), and int() also reads Arabic-Indic "١٢" or fullwidth
# digits as 12. Every id or whole number from a request is read here.
ID_DIGITS = "[0-9]{1,19}"  # an id in a path or a form (no sign): at most a bigint's digits
_WHOLE = re.compile(r"\s*[-+]?[0-9]{1,30}\s*")
_DIGITS = re.compile("[0-9]{1,4000}")  # int() refuses more than 4300 digits


def whole_number(raw, *, floats: bool = True) -> int | None:
    """`raw` as a whole number (any size): an int, an integral float (unless not `floats`)
    or a text of ASCII digits, signed or not, spaces around; None otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if floats and isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _WHOLE.fullmatch(raw):
        return int(raw)
    return None


def digits(raw) -> int | None:
    """`raw`, a text of ASCII digits only (no sign, no spaces), as a number of any size;
    None for anything else."""
    return int(raw) if isinstance(raw, str) and _DIGITS.fullmatch(raw) else None


def parse_int(raw, low: int = -MAX_ID - 1, high: int = MAX_ID) -> int | None:
    """`raw` as a whole number between `low` and `high` (see whole_number), or None."""
    value = whole_number(raw)
    return value if value is not None and low <= value <= high else None


def clean_int(name: str, raw, *, low: int = -MAX_INT - 1, high: int = MAX_INT) -> int:
    """A whole number between `low` and `high` (an IntegerField's range by default), from an
    int, an integral float or a numeric string; ValidationFailed naming `name` otherwise."""
    value = whole_number(raw)
    if value is None:
        _fail(PropertyError(name, "INVALID_INTEGER", f"{str(raw)[:40]!r} is not a whole number"))
    if not low <= value <= high:
        _fail(PropertyError(name, "OUT_OF_RANGE", f"{value} is out of range ({low} to {high})"))
    return value


def parse_day(raw) -> dt.date | None:
    """A YYYY-MM-DD date from a form or query (None when empty, invalid or out of range)."""
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return day if day is None or EARLIEST.date() <= day <= LATEST.date() else None


def parse_id(raw) -> int | None:
    """`raw` as an id (1 to MAX_ID), or None when it is not one."""
    if isinstance(raw, str):
        raw = digits(raw.strip())
        if raw is None:
            return None
    elif isinstance(raw, bool) or not isinstance(raw, int):
        return None
    return raw if 0 < raw <= MAX_ID else None


class IdConverter:
    """`<id:pk>` in UI paths: digits that fit a bigint; anything longer is no match (404)."""

    regex = ID_DIGITS

    def to_python(self, value: str) -> int:
        if int(value) > MAX_ID:
            raise ValueError("past the largest id")
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
