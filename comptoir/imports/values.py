"""Cells as spreadsheets write them → values the record services accept.

Dates in the order the user chose (31/12/2024 in French files), numbers with decimal
commas and thousands separators, enumeration labels in English or French, owners by
email or name. The services validate the result as for any other caller."""

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from comptoir.core.pipelines.queries import pipeline_labels, stages
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.models import PropertyType
from comptoir.users.models import Owner

DATE_FORMATS = ("DAY_MONTH_YEAR", "MONTH_DAY_YEAR", "YEAR_MONTH_DAY")
_DATE_RE = re.compile(
    r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?)?\s*$"
)
_NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f€$£%]")
_BOOL = {
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


class CellConverter:
    """Converts the cells of one property, with the lookups it needs loaded once."""

    def __init__(self, defn, *, date_format: str, decimal_comma: bool, owners: dict, labels=None):
        self.defn = defn
        self.date_format = date_format
        self.decimal_comma = decimal_comma
        self.owners = owners
        self.labels = labels if labels is not None else option_labels(defn)
        self.convert = self._kind_converter(defn)  # chosen once, not per cell

    def __call__(self, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.convert(value)

    def _kind_converter(self, defn):
        if defn.options_source == "owners":
            return self._owner
        return {
            PropertyType.NUMBER: self._number,
            PropertyType.DATE: self._date,
            PropertyType.DATETIME: self._datetime,
            PropertyType.BOOL: self._bool,
            PropertyType.ENUMERATION: self._enumeration,
        }.get(defn.type, self._text)

    def _number(self, value):
        return parse_number_cell(value, self.decimal_comma, self.defn.name)

    def _date(self, value):
        return parse_date_cell(value, self.date_format, self.defn.name)[0].isoformat()

    def _datetime(self, value):
        date, time = parse_date_cell(value, self.date_format, self.defn.name)
        return dt.datetime.combine(date, time or dt.time(), tzinfo=dt.UTC).isoformat()

    def _bool(self, value):
        found = _BOOL.get(str(value).strip().lower())
        if found is None:
            raise PropertyError(
                self.defn.name, "INVALID_BOOLEAN", f"{value!r} is not yes or no", value
            )
        return found

    def _enumeration(self, value):
        parts = str(value).split(";") if self.defn.is_multi else [str(value)]
        return ";".join(self.labels.get(fold(p), p.strip()) for p in parts if p.strip())

    def _text(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number or postcode read from XLSX as a number
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        text = str(value)
        return text.strip() if self.defn.name in ("email", "domain", "website") else text

    def _owner(self, value):
        key = str(value).strip().lower()
        found = self.owners.get(key) or self.owners.get(fold(key))
        if found is None:
            raise PropertyError(
                self.defn.name,
                "UNKNOWN_OWNER",
                f"no user or owner matches {value!r} (use their email address)",
                value,
            )
        return found


def option_labels(defn) -> dict:
    """{folded label or value: option value} in both languages."""
    result = {}
    if defn.options_source == "stages":
        for stage in stages(defn.object_type).values():
            for text in (stage.label, stage.label_fr):
                if text:
                    result.setdefault(fold(text), stage.stage_id)
        return result
    if defn.options_source == "pipelines":
        for french in (False, True):
            for pid, label in pipeline_labels(defn.object_type, french=french).items():
                result.setdefault(fold(label), pid)
        return result
    for option in defn.options or ():
        for text in (option.get("label"), option.get("label_fr")):
            if text:
                result.setdefault(fold(text), option["value"])
    for option in defn.options or ():
        result[fold(option["value"])] = option["value"]
    return result


def owner_lookup() -> dict:
    """{email, id or folded full name: owner id}."""
    result = {}
    for owner in Owner.objects.filter(archived=False):
        result[str(owner.pk)] = str(owner.pk)
        if owner.email:
            result[owner.email.lower()] = str(owner.pk)
        full = f"{owner.first_name} {owner.last_name}".strip()
        if full:
            result.setdefault(fold(full), str(owner.pk))
    return result
