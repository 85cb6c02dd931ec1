"""Turn what callers send into canonical stored values, and stored values into API strings.

Canonical forms (ARCHITECTURE §3): numbers as JSON numbers, bools as bools, dates
`YYYY-MM-DD`, datetimes fixed-width UTC `YYYY-MM-DDTHH:MM:SS.mmmZ` (so text order is
time order), enumerations as option values (multi-select joined by `;`).
"""

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from comptoir.core.inputs import EARLIEST, LATEST, digits
from comptoir.core.properties.errors import PropertyError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
# Numbers stay within ±10^15: below 2^53 every integer is exact as a JSON number in both
# databases, and a deal amount fits its column (18 digits) and the dashboard's totals in
# cents (64-bit integers) many thousand times over.
MAX_NUMBER = 10**15


def format_datetime(value: dt.datetime) -> str:
    """HubSpot's timestamp form: UTC, milliseconds, `Z` (four-digit years, fixed width)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return (
        f"{value.year:04d}"
        + value.strftime("-%m-%dT%H:%M:%S.")
        + f"{value.microsecond // 1000:03d}Z"
    )


def format_number(value) -> str:
    """Decimal string without exponent or trailing zeros: 10000, 1500.5, -0.25."""
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, int):
        return str(value)
    if value.__class__ is float:
        # repr() is already the shortest exact form, without trailing zeros; only an
        # integral value ("12.0") or an exponent ("1e-05", "inf") needs Decimal.
        text = repr(value)
        if "e" not in text and "n" not in text:
            return text[:-2] if text.endswith(".0") else text
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    text = format(number.normalize(), "f")
    return text


def _epoch_ms(value) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=int(value))


def _looks_numeric(text: str) -> bool:
    return digits(text.lstrip("-")) is not None


def parse_instant(raw, name: str = "value") -> dt.datetime:
    """ISO 8601 (with or without offset, date only) or epoch milliseconds → aware UTC datetime."""
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime(raw.year, raw.month, raw.day)
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise PropertyError(name, "INVALID_DATETIME", f"{raw!r} is not a valid date-time")
        try:
            value = _epoch_ms(raw)
        except OverflowError:
            raise PropertyError(name, "INVALID_DATETIME", f"{raw!r} is out of range") from None
    elif isinstance(raw, str):
        text = raw.strip()
        try:
            if _looks_numeric(text):
                value = _epoch_ms(int(text))
            else:
                value = dt.datetime.fromisoformat(text)
        except (ValueError, OverflowError):
            raise PropertyError(
                name,
                "INVALID_DATETIME",
                f"{raw!r} is not a valid date-time (use ISO 8601 or epoch milliseconds)",
                raw,
            ) from None
    else:
        raise PropertyError(name, "INVALID_DATETIME", f"{raw!r} is not a valid date-time", raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:
        value = None
    if value is None or not EARLIEST <= value <= LATEST:
        raise PropertyError(
            name, "INVALID_DATETIME", f"{raw!r} is out of range (0001-01-02 to 9999-12-30)", raw
        )
    return value


def _date_in_range(value: dt.date, raw, name: str) -> dt.date:
    if not EARLIEST.date() <= value <= LATEST.date():
        raise PropertyError(
            name, "INVALID_DATE", f"{raw!r} is out of range (0001-01-02 to 9999-12-30)", raw
        )
    return value


def parse_date(raw, name: str = "value", *, midnight: bool = False) -> dt.date:
    """A calendar date from ISO (date or date-time, taken as written) or epoch ms (UTC).

    `midnight` (a value to store, as HubSpot checks it): a value carrying a time must be
    midnight UTC, the date being that UTC day; anything else is INVALID_DATE, with
    HubSpot's message ("1606768561954 is at 20:36:01.954 UTC, not midnight!")."""
    if isinstance(raw, dt.datetime):
        if midnight:
            return _utc_midnight(_date_instant(raw, raw, name), raw, name)
        return _date_in_range(raw.date(), raw, name)
    if isinstance(raw, dt.date):
        return _date_in_range(raw, raw, name)
    if isinstance(raw, str) and not _looks_numeric(raw.strip()):
        text = raw.strip()
        try:
            if len(text) == 10:
                return _date_in_range(dt.date.fromisoformat(text), raw, name)
            written = dt.datetime.fromisoformat(text)
        except ValueError:
            raise PropertyError(
                name, "INVALID_DATE", f"{raw!r} is not a valid date (use YYYY-MM-DD)", raw
            ) from None
        if midnight:
            return _utc_midnight(_date_instant(written, raw, name), raw, name)
        return _date_in_range(written.date(), raw, name)
    instant = _date_instant(raw, raw, name)
    return _utc_midnight(instant, raw, name) if midnight else instant.date()


def _date_instant(value, raw, name: str) -> dt.datetime:
    try:
        return parse_instant(value, name)
    except PropertyError as exc:
        message = exc.message.replace("date-time", "date")
        raise PropertyError(name, "INVALID_DATE", message, raw) from None


def _utc_midnight(instant: dt.datetime, raw, name: str) -> dt.date:
    if instant.time() != dt.time():
        at = f"{instant:%H:%M:%S}.{instant.microsecond // 1000:03d}"
        raise PropertyError(name, "INVALID_DATE", f"{raw} is at {at} UTC, not midnight!", raw)
    return instant.date()


def parse_number(raw, name: str = "value") -> int | float:
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        raise PropertyError(name, "INVALID_NUMBER", f"{raw!r} is not a number", raw)
    if isinstance(raw, int) and -MAX_NUMBER <= raw <= MAX_NUMBER:
        return raw
    try:
        number = Decimal(raw) if isinstance(raw, int) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise PropertyError(name, "INVALID_NUMBER", f"{raw!r} is not a number", raw) from None
    if not number.is_finite():
        raise PropertyError(name, "INVALID_NUMBER", f"{raw!r} is not a finite number", raw)
    if number.copy_abs() > MAX_NUMBER:
        shown = raw if isinstance(raw, str) and len(raw) <= 40 else f"{number:.2e}"
        raise PropertyError(
            name, "INVALID_NUMBER", f"{shown!r} is out of range (at most ±10^15)", shown
        )
    if number == number.to_integral_value():
        return int(number)
    return float(number) or 0  # -0.0 and numbers too small for a double are 0


def parse_bool(raw, name: str = "value") -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise PropertyError(name, "INVALID_BOOLEAN", f"{raw!r} is not a boolean (true or false)", raw)


# Plain ASCII addresses (nearly all of them): dot-atoms, letters-only top-level domain, no
# punycode. email_validator accepts each of them unchanged but costs 0.2 ms per address,
# most of an import row; anything else still goes through it (a test checks they agree).
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}))"
)
_SPECIAL_TLDS = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(text: str) -> bool:
    match = _PLAIN_EMAIL.fullmatch(text)
    return (
        match is not None
        and len(text) <= 254
        and text.index("@") <= 64
        and "--" not in match[1]
        and match[2].lower() not in _SPECIAL_TLDS
    )


def normalize_email(raw: str, name: str = "email") -> str:
    text = raw.strip()
    if _plain_email(text):
        return text.lower()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise PropertyError(
            name, "INVALID_EMAIL", f"{raw!r} is not a valid email address: {exc}", raw
        ) from None
    return result.normalized.lower()


def as_text(raw, name: str) -> str:
    """A scalar sent for a text or an option → its text (true, 12.5, 2024-01-02)."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float, Decimal)):
        return format_number(raw)
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.isoformat()
    if isinstance(raw, str):
        return raw
    raise PropertyError(name, "INVALID_STRING", f"{type(raw).__name__} is not a text value", raw)


def coerce(defn, raw, option_values=None):
    """Validate one incoming value for `defn`; return its canonical form (None = clear it).

    `option_values` supplies the allowed values for enumerations whose options are not
    stored on the definition (pipelines, stages, owners).
    """
    if raw is None:
        return None
    if isinstance(raw, str) and raw == "":
        return None
    return defn.kind.coerce(defn, raw, option_values)


def normalize_domain(raw: str, name: str = "domain") -> str:
    """`https://www.Acme.fr/about` → `acme.fr`: HubSpot keys companies on the bare host."""
    text = raw.strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    if text.startswith("www."):
        text = text[4:]
    labels = text.split(".")
    valid = (
        len(labels) >= 2
        and len(text) <= 253
        and all(
            label
            and len(label) <= 63
            and label.replace("-", "").isalnum()
            and not label.startswith("-")
            and not label.endswith("-")
            for label in labels
        )
    )
    if not valid:
        raise PropertyError(name, "INVALID_DOMAIN", f"{raw!r} is not a valid domain name", raw)
    return text


def to_api_string(defn, value) -> str | None:
    """Canonical or column value → HubSpot's string form."""
    if value is None:
        return None
    if value.__class__ is str:
        return value  # most values: skip the type checks below
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return format_number(value)
    return str(value)
