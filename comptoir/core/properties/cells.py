"""Cells as spreadsheets write them, read as property values: dates in the order the user
chose (31/12/2024 in French files), numbers with decimal commas and thousands separators,
yes and no in English or French. Each property kind reads its cells with these
(`PropertyKind.import_cell`); the import services validate the result as for any other
caller."""

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from comptoir.core.properties.errors import PropertyError

DATE_FORMATS = ("DAY_MONTH_YEAR", "MONTH_DAY_YEAR", "YEAR_MONTH_DAY")
_DATE_RE = re.compile(
    r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?)?\s*$"
)
_NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f€$£%]")
BOOL_WORDS = {  # yes and no as files write them, in English and French
    "true": True,
    "1": True,
    "yes": True,
    "oui": True,
    "vrai": True,
    "y": True,
    "o": True,
    "false": False,
    "0": False,
    "no": False,
    "non": False,
    "faux": False,
    "n": False,
}


def fold(text) -> str:
    """Case, accents and punctuation folded: "E-mail" == "email", "Prénom" == "prenom"."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def parse_date_cell(value, date_format: str, name: str):
    """(date, time or None) from a cell; ISO dates are always understood."""
    if isinstance(value, dt.datetime):
        return value.date(), value.time()
    if isinstance(value, dt.date):
        return value, None
    text = str(value).strip()
    match = _DATE_RE.match(text)
    if not match:
        try:
            parsed = dt.datetime.fromisoformat(text)
            return parsed.date(), parsed.time() if ("T" in text or " " in text) else None
        except ValueError:
            raise _bad_date(name, value, date_format) from None
    a, b, c, hour, minute, second = match.groups()
    if len(a) == 4:  # 2024-12-31 whatever the chosen order
        year, month, day = a, b, c
    elif date_format == "DAY_MONTH_YEAR":
        day, month, year = a, b, c
    elif date_format == "MONTH_DAY_YEAR":
        month, day, year = a, b, c
    else:
        raise _bad_date(name, value, date_format)
    digits, year = len(year), int(year)
    if digits <= 2:  # 31/12/24: 2024 (and 31/12/85: 1985)
        year += 2000 if year < 70 else 1900
    try:
        date = dt.date(year, int(month), int(day))
        time = dt.time(int(hour), int(minute), int(second or 0)) if hour else None
    except ValueError:
        raise _bad_date(name, value, date_format) from None
    return date, time


def _bad_date(name, value, date_format):
    example = {
        "DAY_MONTH_YEAR": "31/12/2024",
        "MONTH_DAY_YEAR": "12/31/2024",
        "YEAR_MONTH_DAY": "2024-12-31",
    }.get(date_format, "2024-12-31")
    return PropertyError(
        name,
        "INVALID_DATE",
        f"{value!r} is not a date in the chosen format (like {example})",
        value,
    )


def parse_number_cell(value, decimal_comma: bool, name: str):
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = _NUMBER_JUNK.sub("", str(value))
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise PropertyError(name, "INVALID_NUMBER", f"{value!r} is not a number", value) from None
    if not number.is_finite():
        raise PropertyError(name, "INVALID_NUMBER", f"{value!r} is not a number", value)
    return str(number)
