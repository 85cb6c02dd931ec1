"""Property-based tests: the search compiler against a plain-Python evaluator (reference §4).

Each example draws 20-40 contacts (hot columns, JSON properties, custom properties of every
type), creates them through `create_record` inside a savepoint rolled back afterwards, then
draws several searches and compares what the database returns with what the documented
semantics (compiler module docstring, reference §4) say:

* groups are ORed, filters inside a group ANDed;
* strings compare case-insensitively (Python's `str.lower()`), enumerations exactly;
* NEQ, NOT_IN and NOT_CONTAINS_TOKEN also match missing values, EQ, IN and ranges never do;
* CONTAINS_TOKEN: `*` is a wildcard over the whole lower-cased value or, when the pattern
  holds no white space, over any white-space separated word of it (HubSpot applies it per
  word); otherwise the token must sit between non-word characters (or the ends) of the
  lower-cased value;
* a multiple-checkbox value `a;b` is the set {a, b}: EQ/IN match when one of its options is
  one of the values, NEQ/NOT_IN when none is (and when it is empty);
* dates compare as calendar dates, datetimes as instants, numbers as numbers (a date is
  written as midnight UTC: any other time is refused, as HubSpot does);
* ascending sorts put empty values last, descending sorts first, ties break on id;
* the full-text `query` agrees with `comptoir.core.search.text.matches`.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.properties import registry
from comptoir.core.properties.defaults import LEAD_STATUSES, LIFECYCLE_ORDER
from comptoir.core.properties.models import PropertyDefinition
from comptoir.core.properties.substring_indexes import ensure_substring_index
from comptoir.core.records.values import base_queryset, read_value
from comptoir.core.records.writes import create_record
from comptoir.core.search.compiler import OPERATORS, filtered_queryset, order_by
from comptoir.core.search.compiler import search as run_search
from comptoir.core.search.text import matches

pytestmark = pytest.mark.django_db

# No automations: cheaper writes, and nothing but the drawn values ends up on the records.
SOURCE = ChangeSource(type=SourceType.AUTOMATION, id="search-properties")
UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

TIER_OPTIONS = ["gold", "Gold", "silver", "bronze_2", "top-tier", "Top Tier", "é-lite"]
# Multiple checkboxes: case variants and regular-expression characters in option values.
TAG_OPTIONS = ["red", "Red", "blue", "dark-blue", "a.b", "x+y", "été", "re"]
LEAD_STATUS_VALUES = [value for value, _, _ in LEAD_STATUSES]

# propertyName → what the evaluator compares it as.
KINDS = {
    "firstname": "string",  # hot column, lower()ed
    "lastname": "string",  # hot column, lower()ed
    "email": "string",  # hot column, stored lower-case
    "hyp_note": "string",  # custom, JSON
    "lifecyclestage": "enum",  # hot column
    "hs_lead_status": "enum",  # JSON
    "hyp_tier": "enum",  # custom, JSON
    "hyp_score": "number",  # custom, JSON
    "hs_object_id": "number",  # the id column
    "hyp_day": "date",  # custom, JSON
    "hyp_when": "datetime",  # custom, JSON
    "createdate": "datetime",  # hot column (created_at)
    "hyp_flag": "bool",  # custom, JSON
    "hyp_tags": "multi",  # custom multiple checkboxes, JSON `a;b`
}
CUSTOM = {
    "hyp_score": ("number", "number", []),
    "hyp_day": ("date", "date", []),
    "hyp_when": ("datetime", "date", []),
    "hyp_flag": ("bool", "booleancheckbox", []),
    "hyp_note": ("string", "textarea", []),
    "hyp_tier": (
        "enumeration",
        "select",
        [
            {"label": value.title(), "value": value, "displayOrder": i, "hidden": False}
            for i, value in enumerate(TIER_OPTIONS)
        ],
    ),
    "hyp_tags": (
        "enumeration",
        "checkbox",
        [
            {"label": value.title(), "value": value, "displayOrder": i, "hidden": False}
            for i, value in enumerate(TAG_OPTIONS)
        ],
    ),
}
TOKEN_OPERATORS = ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")
SORTABLE = [
    "firstname",
    "lastname",
    "email",
    "hyp_note",
    "hyp_score",
    "lifecyclestage",
    "hyp_tier",
    "hyp_day",
    "hyp_when",
    "createdate",
]


@pytest.fixture
def custom_properties(db):
    for name, (kind, field_type, options) in CUSTOM.items():
        PropertyDefinition.objects.create(
            object_type="contacts",
            name=name,
            label=name.replace("_", " ").title(),
            group_name="contactinformation",
            type=kind,
            field_type=field_type,
            options=options,
            hubspot_defined=False,
        )
    registry.invalidate()
    # A custom text property with its substring index: "contains" filters on it go
    # through the index (firstname, lastname and email have theirs from the migrations).
    assert ensure_substring_index("contacts", "hyp_note")
    return sorted(CUSTOM)


# -- drawing contacts -------------------------------------------------------------------------

LETTERS = "aAbBeEzZéÉèÈçÇàÀôÖüÜœŒæß"
NAME_CHARS = LETTERS + "09 -'._"
NOTE_CHARS = NAME_CHARS + "@,;!*/\n\t"
SAMPLE_NAMES = [
    "Lefèvre",
    "LEFÈVRE",
    "lefevre",
    "Éric",
    "éric",
    "ERIC",
    "Zoë",
    "O'Brien",
    "Jean-Luc",
    "de la Tour",
    "Åsa",
    "Œdipe",
    "ŒDIPE",
    "straße",
    "ab",
    "Ab",
    "a b",
    "a-b",
    "a_b",
    "Émile",
    "emile",
    "Zorro",
    " padded ",
]
SAMPLE_NOTES = [
    "foo@bar.com",
    "Hello World",
    "hello-world",
    "x*y",
    "multi\nline",
    "line\n",
    "\nfirst line\nsecond\n",
    "Ça va, Émile?",
    "tab\tsep",
    "under_score",
]


def text_values(chars, samples, max_size):
    return st.none() | st.sampled_from(samples) | st.text(chars, min_size=1, max_size=max_size)


NAMES = text_values(NAME_CHARS, SAMPLE_NAMES, 12)
NOTES = text_values(NOTE_CHARS, SAMPLE_NOTES, 16)
LIFECYCLE = st.none() | st.sampled_from(LIFECYCLE_ORDER)
LEAD_STATUS = st.none() | st.sampled_from(LEAD_STATUS_VALUES)
TIERS = st.none() | st.sampled_from(TIER_OPTIONS)
TAGS = st.none() | st.lists(st.sampled_from(TAG_OPTIONS), min_size=1, max_size=3).map(";".join)
FLAGS = st.sampled_from([None, True, False, "true", "false"])
EMAIL_LOCALS = st.sampled_from(["jean", "Marie.Curie", "x", "sales+crm", "o_hara"])
EMAIL_DOMAINS = st.sampled_from(["acme.fr", "hubspot.com", "Mail.Acme.FR", "b-c.io"])
SOME_DATETIMES = st.sampled_from(
    [
        dt.datetime(2024, 1, 1, tzinfo=UTC),
        dt.datetime(2024, 1, 1, 23, 30, tzinfo=UTC),
        dt.datetime(2024, 6, 30, 12, 0, 0, 1000, tzinfo=UTC),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    ]
) | st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)  # HubSpot keeps milliseconds
)
SOME_DATES = st.sampled_from(
    [dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2023, 12, 31)]
) | st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
SOME_NUMBERS = (
    st.sampled_from([0, 1, -1, 2.5, -0.5, 10, 100, 0.1, 1_000_000])
    | st.integers(-1000, 1000)
    | st.floats(-10_000, 10_000, allow_nan=False).map(lambda x: round(x, 3))
)
OFFSET_MINUTES = st.integers(-12 * 4, 14 * 4).map(lambda quarters: quarters * 15)
DATETIME_FORMS = st.sampled_from(["ms", "ms-number", "iso-offset", "iso-z", "iso-naive", "day"])
DATE_FORMS = st.sampled_from(["iso", "ms", "iso-datetime"])


def epoch_ms(value: dt.datetime) -> int:
    return (value - EPOCH) // dt.timedelta(milliseconds=1)


def draw_datetime_input(draw, value: dt.datetime):
    """One instant as callers send it: epoch ms (string or number) or ISO 8601."""
    form = draw(DATETIME_FORMS)
    if form == "ms":
        return str(epoch_ms(value))
    if form == "ms-number":
        return epoch_ms(value)
    if form == "iso-z":
        return value.isoformat().replace("+00:00", "Z")
    if form == "iso-naive":  # no offset: UTC
        return value.replace(tzinfo=None).isoformat()
    if form == "day":  # a bare date: midnight UTC
        return value.date().isoformat()
    offset = dt.timezone(dt.timedelta(minutes=draw(OFFSET_MINUTES)))
    return value.astimezone(offset).isoformat()


def draw_date_input(draw, value: dt.date, *, write: bool = False):
    """A calendar date: ISO date, epoch ms of any instant of that UTC day, ISO date-time.

    `write`: a value to store, so midnight UTC (HubSpot refuses any other time)."""
    form = draw(DATE_FORMS)
    midnight = dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    if form == "iso":
        return value.isoformat()
    if write:
        if form == "ms":
            return draw(st.sampled_from([str(epoch_ms(midnight)), epoch_ms(midnight)]))
        return draw(st.sampled_from([midnight.isoformat(), f"{value.isoformat()}T00:00:00Z"]))
    if form == "ms":
        return str(epoch_ms(midnight) + draw(st.integers(0, 86_399_999)))
    # An ISO date-time is taken as written: its date part, whatever the offset.
    when = midnight + dt.timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
    return when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=draw(OFFSET_MINUTES)))).isoformat()


@st.composite
def contact_row(draw):
    """(properties as a caller sends them, created_at); `email` is (local, domain) for now."""
    props = {
        "firstname": draw(NAMES),
        "lastname": draw(NAMES),
        "lifecyclestage": draw(LIFECYCLE),
        "hs_lead_status": draw(LEAD_STATUS),
        "hyp_tier": draw(TIERS),
        "hyp_note": draw(NOTES),
        "hyp_flag": draw(FLAGS),
        "hyp_tags": draw(TAGS),
    }
    if draw(st.booleans()):
        props["email"] = (draw(EMAIL_LOCALS), draw(EMAIL_DOMAINS))
    number = draw(st.none() | SOME_NUMBERS)
    if number is not None:
        props["hyp_score"] = str(number) if draw(st.booleans()) else number
    day = draw(st.none() | SOME_DATES)
    if day is not None:
        props["hyp_day"] = draw_date_input(draw, day, write=True)
    when = draw(st.none() | SOME_DATETIMES)
    if when is not None:
        props["hyp_when"] = draw_datetime_input(draw, when)
    return {k: v for k, v in props.items() if v is not None}, draw(SOME_DATETIMES)


def contact_rows(min_size=20, max_size=40):
    def unique_emails(rows):
        for i, (props, _) in enumerate(rows):
            if "email" in props:
                local, domain = props["email"]
                props["email"] = f"{local}{i}@{domain}"
        return rows

    return st.lists(contact_row(), min_size=min_size, max_size=max_size).map(unique_emails)


def create_contacts(rows) -> list[dict]:
    """Create the contacts; returns their stored (canonical) values, `id` included."""
    defs = registry.definitions("contacts")
    ids = [create_record("contacts", props, source=SOURCE, at=at).pk for props, at in rows]
    stored = []
    for record in base_queryset("contacts").filter(pk__in=ids).order_by("pk"):
        values = {name: read_value(record, defs[name]) for name in KINDS}
        values["id"] = record.pk
        values["search_text"] = record.search_text
        stored.append(values)
    assert len(stored) == len(rows)
    return stored


class _Rollback(Exception):
    pass


def with_contacts(rows, check) -> None:
    """Run `check(stored rows)` against freshly created contacts, then roll them back."""
    try:
        with transaction.atomic():
            check(create_contacts(rows))
            raise _Rollback
    except _Rollback:
        pass


# -- the plain-Python evaluator ---------------------------------------------------------------


def _looks_numeric(text: str) -> bool:
    return text.lstrip("-").isdigit()


def parse_instant(raw) -> dt.datetime:
    text = str(raw).strip()
    if _looks_numeric(text):
        return EPOCH + dt.timedelta(milliseconds=int(text))
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_day(raw) -> dt.date:
    text = str(raw).strip()
    if _looks_numeric(text):
        return parse_instant(text).date()  # epoch ms: the UTC date
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text).date()  # the date as written


def filter_key(kind, raw):
    """A filter value, in the domain the evaluator compares in."""
    if kind == "string":
        return (raw if isinstance(raw, str) else str(raw)).lower()
    if kind in ("enum", "multi"):
        return str(raw)
    if kind == "number":
        return Decimal(str(raw).strip())
    if kind == "bool":
        return raw if isinstance(raw, bool) else raw.strip().lower() == "true"
    if kind == "date":
        return parse_day(raw)
    return parse_instant(raw)


def stored_key(kind, value):
    """A stored canonical value, in the same domain (None stays None)."""
    if value is None:
        return None
    if kind == "string":
        return value.lower()
    if kind == "number":
        return Decimal(str(value))
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "multi":
        return frozenset(value.split(";"))
    return value


def token_found(value: str, token: str) -> bool:
    """CONTAINS_TOKEN: `*` is a wildcard over the whole value or one word of it, else a
    whole-token match."""
    value, token = value.lower(), token.lower()
    if "*" in token:
        pattern = ".*".join(re.escape(part) for part in token.split("*"))
        if re.fullmatch(pattern, value, re.DOTALL) is not None:
            return True
        if token.split() != [token]:  # white space in the pattern: whole values only
            return False
        return any(re.fullmatch(pattern, word, re.DOTALL) for word in value.split())
    return re.search(r"(^|\W)" + re.escape(token) + r"(\W|$)", value) is not None


def filter_holds(flt, row) -> bool:
    name, op = flt["propertyName"], flt["operator"]
    kind = KINDS[name]
    raw = row[name]
    value = stored_key(kind, raw)
    if op == "HAS_PROPERTY":
        return value is not None
    if op == "NOT_HAS_PROPERTY":
        return value is None
    if op in TOKEN_OPERATORS:
        found = raw is not None and token_found(str(raw), str(flt["value"]))
        return found if op == "CONTAINS_TOKEN" else not found
    if kind == "multi":  # the set of selected options
        wanted = [flt["value"]] if op in ("EQ", "NEQ") else flt["values"]
        options = {o for v in wanted for o in filter_key(kind, v).split(";")}  # "a;b": a or b
        found = value is not None and bool(value & options)
        return found if op in ("EQ", "IN") else not found
    if op in ("IN", "NOT_IN"):
        found = value is not None and value in [filter_key(kind, v) for v in flt["values"]]
        return found if op == "IN" else not found
    target = filter_key(kind, flt["value"])
    if op == "NEQ":
        return value is None or value != target
    if value is None:
        return False  # EQ and ranges never match a missing value
    if op == "EQ":
        return value == target
    if op == "LT":
        return value < target
    if op == "LTE":
        return value <= target
    if op == "GT":
        return value > target
    if op == "GTE":
        return value >= target
    assert op == "BETWEEN"
    return target <= value <= filter_key(kind, flt["highValue"])


def expected_ids(filter_groups, rows) -> set[int]:
    return {
        row["id"]
        for row in rows
        if any(all(filter_holds(f, row) for f in group["filters"]) for group in filter_groups)
    }


def expected_order(name, descending, rows) -> list[int]:
    kind = KINDS[name]

    def key(row):
        value = stored_key(kind, row[name])
        return (value is None, 0 if value is None else value, row["id"])

    ordered = [row["id"] for row in sorted(rows, key=key)]
    if not descending:
        return ordered
    # Descending: the values reversed (ties by id descending), empty values still last.
    empty = {row["id"] for row in rows if stored_key(kind, row[name]) is None}
    backwards = ordered[::-1]
    return [i for i in backwards if i not in empty] + [i for i in backwards if i in empty]


# -- drawing searches -------------------------------------------------------------------------

# hyp_note (free text with newlines, tabs, `*`) twice as often as the others.
PROPERTY_NAMES = st.sampled_from([*sorted(KINDS), "hyp_note"])
COMPARISONS = st.sampled_from([op for op in OPERATORS if op not in TOKEN_OPERATORS])
SET_OPERATORS = st.sampled_from(["EQ", "NEQ", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"])
FOUR_TO_ONE = st.integers(0, 3)  # 0: a random value, else one near the existing values
ENUM_GUESSES = st.sampled_from(TIER_OPTIONS + LIFECYCLE_ORDER + ["NEW", "OPEN", "nope"])
BOOL_VALUES = st.sampled_from(["true", "false", True, False, "TRUE", "False"])
FILTER_TEXTS = text_values(NOTE_CHARS, SAMPLE_NAMES + SAMPLE_NOTES, 8)
NUMBER_DELTAS = st.sampled_from([0, 0, 1, -1, 0.5, -0.001])
DAY_DELTAS = st.sampled_from([0, 0, 1, -1]).map(lambda days: dt.timedelta(days=days))
INSTANT_DELTAS = st.sampled_from(
    [
        dt.timedelta(0),
        dt.timedelta(0),
        dt.timedelta(milliseconds=1),
        -dt.timedelta(milliseconds=1),
        dt.timedelta(hours=1),
        -dt.timedelta(days=1),
    ]
)
TOKEN_FORMS = st.sampled_from(
    [
        "token",
        "token prefix",
        "whole",
        "prefix*",
        "*suffix",
        "*piece",
        "*trimmed",
        "*middle*",
        "a*b",
        "*",
    ]
)
TOKEN_TEXTS = st.text(NOTE_CHARS, min_size=1, max_size=6)


def draw_case(draw, text: str) -> str:
    return draw(st.sampled_from([text, text.lower(), text.upper(), text.swapcase(), text.title()]))


def draw_existing(draw, pool):
    """Mostly one of the stored values (so that filters match), else None."""
    return draw(st.sampled_from(pool)) if pool and draw(FOUR_TO_ONE) else None


def draw_filter_value(draw, kind, pool):
    existing = draw_existing(draw, pool)
    if kind == "string":
        return draw_case(draw, existing or draw(FILTER_TEXTS) or "x")
    if kind == "enum":
        value = existing or draw(ENUM_GUESSES)
        return value if draw(st.booleans()) else draw_case(draw, value)
    if kind == "number":
        number = existing + draw(NUMBER_DELTAS) if existing is not None else draw(SOME_NUMBERS)
        forms = [str(number), number, f" {number} ", f"{Decimal(str(number)):E}"]
        return draw(st.sampled_from(forms))
    if kind == "bool":
        return draw(BOOL_VALUES)
    if kind == "multi":  # one option of a stored value, or any option
        options = existing.split(";") if existing else TAG_OPTIONS
        return draw(st.sampled_from([*options, "nope", "red;blue"]))
    if kind == "date":
        day = dt.date.fromisoformat(existing) if existing else draw(SOME_DATES)
        return draw_date_input(draw, day + draw(DAY_DELTAS))
    assert kind == "datetime"
    when = dt.datetime.fromisoformat(existing) if existing else draw(SOME_DATETIMES)
    return draw_datetime_input(draw, when + draw(INSTANT_DELTAS))


def draw_token(draw, pool):
    """A CONTAINS_TOKEN value: a token or piece of a stored value, with or without `*`."""
    base = draw_existing(draw, [str(v) for v in pool]) or draw(TOKEN_TEXTS)
    form = draw(TOKEN_FORMS)
    if form in ("token", "token prefix"):
        text = draw(st.sampled_from([t for t in re.split(r"\W+", base) if t] or [base]))
        if form == "token prefix" and len(text) > 1:  # "lef" must not find "lefèvre"
            text = text[: draw(st.integers(1, len(text) - 1))]
    elif form == "*piece":  # e.g. "*lin" against "multi\nline\n"
        start = draw(st.integers(0, len(base) - 1))
        text = "*" + base[start : draw(st.integers(start + 1, len(base)))]
    elif form == "*trimmed":  # "*line" must not find "line\n"
        trimmed = base.rstrip() or base
        text = "*" + trimmed[draw(st.integers(0, len(trimmed) - 1)) :]
    elif form == "whole":
        text = base
    elif form == "*":
        text = "*"
    else:
        cut = draw(st.integers(0, len(base)))
        head, tail = base[:cut], base[cut:]
        if form == "prefix*":
            text = head + "*"
        elif form == "*suffix":
            text = "*" + tail
        elif form == "*middle*":
            text = "*" + base[cut : cut + draw(st.integers(1, 4))] + "*"
        else:
            text = head + "*" + tail[draw(st.integers(0, len(tail))) :]
    return draw_case(draw, text)


def draw_filter(draw, pools) -> dict:
    name = draw(PROPERTY_NAMES)
    kind = KINDS[name]
    if kind in ("string", "enum", "multi") and draw(st.booleans()):
        op = draw(st.sampled_from(TOKEN_OPERATORS))
    elif kind == "multi":
        op = draw(SET_OPERATORS)
    else:
        op = draw(COMPARISONS)
    flt = {"propertyName": name, "operator": op}
    pool = pools[name]
    if op in TOKEN_OPERATORS:
        flt["value"] = draw_token(draw, pool)
    elif op in ("IN", "NOT_IN"):
        count = draw(st.integers(1, 4))
        flt["values"] = [draw_filter_value(draw, kind, pool) for _ in range(count)]
    elif op not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        flt["value"] = draw_filter_value(draw, kind, pool)
        if op == "BETWEEN":
            flt["highValue"] = draw_filter_value(draw, kind, pool)
    return flt


def draw_filter_groups(draw, pools) -> list[dict]:
    return [
        {"filters": [draw_filter(draw, pools) for _ in range(draw(st.integers(1, 3)))]}
        for _ in range(draw(st.integers(1, 3)))
    ]


def value_pools(rows) -> dict:
    return {
        name: sorted({row[name] for row in rows if row[name] is not None}, key=repr)
        for name in KINDS
    }


def draw_query(draw, pools) -> str:
    """A full-text query: pieces of stored names (re-cased, accents dropped) or random words."""
    names = pools["firstname"] + pools["lastname"] + pools["email"]
    words = []
    for _ in range(draw(st.integers(1, 3))):
        if names and draw(st.integers(0, 4)):
            base = draw(st.sampled_from(names))
            word = draw(st.sampled_from([p for p in re.split(r"[\W_]+", base) if p] or [base]))
            word = word[: draw(st.integers(1, max(1, len(word))))]
            word = draw(
                st.sampled_from([word, word.upper(), word.lower(), strip_accents(word), word + "-"])
            )
        else:
            word = draw(st.text(NAME_CHARS + "@", min_size=1, max_size=5))
        words.append(word)
    return " ".join(words)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# -- failure reports --------------------------------------------------------------------------


def describe(rows, ids, names) -> str:
    by_id = {row["id"]: row for row in rows}
    return "\n".join(
        f"    #{pk}: " + ", ".join(f"{name}={by_id[pk][name]!r}" for name in names)
        for pk in sorted(ids)
    )


def filter_mismatch(groups, got, want, rows) -> str:
    names = sorted({f["propertyName"] for group in groups for f in group["filters"]})
    return (
        f"filterGroups={groups!r}\n"
        f"  matched, should not:\n{describe(rows, got - want, names)}\n"
        f"  not matched, should:\n{describe(rows, want - got, names)}"
    )


def sort_mismatch(sort, name, got, want, rows) -> str:
    value = {row["id"]: row[name] for row in rows}
    lines = [
        f"    [{i}] got #{g} ({value[g]!r}), want #{w} ({value[w]!r})"
        for i, (g, w) in enumerate(zip(got, want, strict=True))
        if g != w
    ]
    return f"sort={sort!r}, first differences:\n" + "\n".join(lines[:10])


# Shrinking is off: every attempt re-creates the contacts and re-draws searches whose values
# depend on them, so it takes minutes and rarely gets far. Failures report instead just the
# contacts the compiler got wrong, with the values that matter; Hypothesis' example database
# replays the failing example first on the next run.
SETTINGS = settings(
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # custom_properties: once per test, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# -- tests ------------------------------------------------------------------------------------


@settings(SETTINGS, max_examples=100)
@given(rows=contact_rows(), data=st.data())
def test_filter_groups_agree_with_python_evaluator(custom_properties, rows, data):
    def check(stored):
        pools = value_pools(stored)
        for _ in range(10):
            groups = draw_filter_groups(data.draw, pools)
            # Each filter alone too: a wrong filter is easily hidden by the others in its group.
            singles = [[{"filters": [f]}] for group in groups for f in group["filters"]]
            for search in [groups, *singles]:
                got = set(
                    filtered_queryset("contacts", filter_groups=search).values_list("pk", flat=True)
                )
                want = expected_ids(search, stored)
                assert got == want, filter_mismatch(search, got, want, stored)
                # The API's total, counted from the positive filters and the kept number of
                # live contacts where it can (core/search/totals.py): a page of one.
                total = run_search("contacts", {"filterGroups": search, "limit": 1}).total
                assert total == len(want), f"filterGroups={search!r}: total {total}"
            size = len(expected_ids(groups, stored))
            event(
                "groups matched "
                + ("none" if not size else "all" if size == len(stored) else "some")
            )

    with_contacts(rows, check)


@settings(SETTINGS, max_examples=40)
@given(rows=contact_rows(), data=st.data())
def test_sorts_agree_with_python_order(custom_properties, rows, data):
    def check(stored):
        for name in data.draw(st.permutations(SORTABLE))[:4]:
            descending = data.draw(st.booleans())
            direction = "DESCENDING" if descending else "ASCENDING"
            object_form = {"propertyName": name, "direction": direction}
            string_form = f"-{name}" if descending else name
            sort = data.draw(st.sampled_from([object_form, string_form]))
            qs = filtered_queryset("contacts").order_by(*order_by("contacts", [sort]))
            got = list(qs.values_list("pk", flat=True))
            want = expected_order(name, descending, stored)
            assert got == want, sort_mismatch(sort, name, got, want, stored)

    with_contacts(rows, check)


@settings(SETTINGS, max_examples=50)
@given(rows=contact_rows(min_size=15, max_size=25), data=st.data())
def test_full_text_query_agrees_with_reference(custom_properties, rows, data):
    def check(stored):
        pools = value_pools(stored)
        for _ in range(10):
            query = draw_query(data.draw, pools)
            got = set(filtered_queryset("contacts", query=query).values_list("pk", flat=True))
            want = {row["id"] for row in stored if matches(row["search_text"], query)}
            names = ["firstname", "lastname", "email", "search_text"]
            assert got == want, f"query={query!r}\n" + describe(stored, got ^ want, names)

    with_contacts(rows, check)


def test_full_text_query_ignores_case_and_accents(custom_properties):
    lefevre = create_record("contacts", {"lastname": "Lefèvre"}, source=SOURCE).pk
    oeuvre = create_record(
        "contacts", {"firstname": "Œuvre", "lastname": "LEFEBVRE"}, source=SOURCE
    ).pk

    def found(query):
        return set(filtered_queryset("contacts", query=query).values_list("pk", flat=True))

    for query in ("lefevre", "LEFÈVRE", "Lefev", "lefèvre"):
        assert found(query) == {lefevre}, query
    assert found("lefe") == {lefevre, oeuvre}
    assert found("oeuvre lefeb") == {oeuvre}


# -- regressions found by the tests above, pinned down ----------------------------------------

EDGE_CONTACTS = {
    "upper": {"firstname": "LEFÈVRE", "hyp_note": "line\n"},
    "lower": {"firstname": "lefèvre", "hyp_note": "multi\nline"},
    "plain": {"firstname": "Lefevre", "hyp_note": "lines"},
    "empty": {},
}


def _flt(name, op, value):
    key = "values" if isinstance(value, list) else "value"
    return {"propertyName": name, "operator": op, key: value}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        # SQLite's lower() only folds ASCII: "LEFÈVRE" became "lefÈvre".
        (_flt("firstname", "EQ", "Lefèvre"), {"upper", "lower"}),
        (_flt("firstname", "EQ", "LEFÈVRE"), {"upper", "lower"}),
        (_flt("firstname", "IN", ["LEFÈVRE"]), {"upper", "lower"}),
        (_flt("firstname", "NEQ", "lefèvre"), {"plain", "empty"}),
        (_flt("firstname", "GTE", "lefèvre"), {"upper", "lower"}),
        # `*` spans newlines; it applies to the whole value or to one word of it.
        (_flt("hyp_note", "CONTAINS_TOKEN", "multi*"), {"lower"}),
        (_flt("hyp_note", "CONTAINS_TOKEN", "*line"), {"upper", "lower"}),
        (_flt("hyp_note", "CONTAINS_TOKEN", "lin*"), {"upper", "lower", "plain"}),
        (_flt("hyp_note", "CONTAINS_TOKEN", "multi*line"), {"lower"}),
        (_flt("hyp_note", "CONTAINS_TOKEN", "*"), {"upper", "lower", "plain"}),
        (_flt("hyp_note", "NOT_CONTAINS_TOKEN", "*line"), {"plain", "empty"}),
        (_flt("hyp_note", "CONTAINS_TOKEN", "line"), {"upper", "lower"}),
        (_flt("hyp_note", "NOT_CONTAINS_TOKEN", "LINE"), {"plain", "empty"}),
    ],
)
def test_edge_cases(custom_properties, flt, expected):
    ids = {
        key: create_record("contacts", props, source=SOURCE).pk
        for key, props in EDGE_CONTACTS.items()
    }
    got = set(
        filtered_queryset("contacts", filter_groups=[{"filters": [flt]}]).values_list(
            "pk", flat=True
        )
    )
    assert got == {ids[key] for key in expected}


def test_sort_folds_non_ascii_capitals(custom_properties):
    ids = [
        create_record("contacts", props, source=SOURCE).pk
        for props in ({"firstname": "Éva"}, {"firstname": "éric"}, {"firstname": "Zoé"}, {})
    ]
    qs = filtered_queryset("contacts")
    ascending = list(qs.order_by(*order_by("contacts", ["firstname"])).values_list("pk", flat=True))
    descending = list(
        qs.order_by(*order_by("contacts", ["-firstname"])).values_list("pk", flat=True)
    )
    # "zoé" < "éric" < "éva" in code point order once lower-cased; empty values last,
    # in both directions.
    assert ascending == [ids[2], ids[1], ids[0], ids[3]]
    assert descending == [ids[0], ids[1], ids[2], ids[3]]
