"""Property-based tests: the search compiler against a plain-Python evaluator (reference §4).

Each example draws a small set of contacts (hot columns, JSON properties and custom
properties of every type), creates them through `create_record` inside a savepoint that is
rolled back afterwards, then draws several searches and compares the ids the database
returns with what the documented semantics (compiler module docstring, reference §4) say.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.properties import registry
from comptoir.core.properties.defaults import LEAD_STATUSES, LIFECYCLE_ORDER
from comptoir.core.properties.models import PropertyDefinition
from comptoir.core.records.services import create_record
from comptoir.core.records.values import base_queryset, read_value
from comptoir.core.search.compiler import OPERATORS, filtered_queryset, order_by
from comptoir.core.search.text import matches

pytestmark = pytest.mark.django_db

# No automations: cheaper writes, and nothing but the drawn values ends up on the records.
SOURCE = ChangeSource(type=SourceType.AUTOMATION, id="search-properties")
UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

TIER_OPTIONS = ["gold", "Gold", "silver", "bronze_2", "top-tier", "Top Tier", "é-lite"]

# propertyName → kind the evaluator compares it as.
KINDS = {
    "firstname": "string",  # hot column, LOWER()ed
    "lastname": "string",  # hot column, LOWER()ed
    "email": "string",  # hot column, stored lower-case
    "hyp_note": "string",  # custom, JSON
    "lifecyclestage": "enum",  # hot column
    "hs_lead_status": "enum",  # JSON
    "hyp_tier": "enum",  # custom, JSON
    "hyp_score": "number",  # custom, JSON
    "hyp_day": "date",  # custom, JSON
    "hyp_when": "datetime",  # custom, JSON
    "createdate": "datetime",  # hot column (created_at)
    "hyp_flag": "bool",  # custom, JSON
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
            {"label": v.title(), "value": v, "displayOrder": i, "hidden": False}
            for i, v in enumerate(TIER_OPTIONS)
        ],
    ),
}
TEXT_OPERATORS = ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")
SORTABLE = ["firstname", "lastname", "email", "hyp_note", "hyp_score"]
EXTRA_SORTABLE = ["lifecyclestage", "hyp_tier", "hyp_day", "hyp_when", "createdate"]


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
    return sorted(CUSTOM)


# -- data -------------------------------------------------------------------------------------

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
    "Ça va, Émile?",
    "tab\tsep",
    "under_score",
]


def text_values(chars, samples, max_size):
    return st.one_of(
        st.none(),
        st.sampled_from(samples),
        st.text(alphabet=chars, min_size=1, max_size=max_size),
    )


ms_datetimes = st.datetimes(
    dt.datetime(1995, 1, 1), dt.datetime(2035, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
some_datetimes = st.one_of(
    st.sampled_from(
        [
            dt.datetime(2024, 1, 1, tzinfo=UTC),
            dt.datetime(2024, 1, 1, 23, 30, tzinfo=UTC),
            dt.datetime(2024, 6, 30, 12, 0, 0, 1000, tzinfo=UTC),
        ]
    ),
    ms_datetimes,
)
some_dates = st.one_of(
    st.sampled_from([dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2023, 12, 31)]),
    st.dates(dt.date(1995, 1, 1), dt.date(2035, 12, 31)),
)
some_numbers = st.one_of(
    st.sampled_from([0, 1, -1, 2.5, -0.5, 10, 100, 0.1, 1000000]),
    st.integers(-1000, 1000),
    st.floats(-10_000, 10_000, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)),
)


def epoch_ms(value: dt.datetime) -> int:
    return (value - EPOCH) // dt.timedelta(milliseconds=1)


@st.composite
def datetime_input(draw, value: dt.datetime):
    """One instant as HubSpot callers send it: epoch ms (string or number) or ISO with offset."""
    form = draw(st.sampled_from(["ms", "ms-int", "iso-offset", "iso-z"]))
    if form == "ms":
        return str(epoch_ms(value))
    if form == "ms-int":
        return epoch_ms(value)
    if form == "iso-z":
        return value.isoformat().replace("+00:00", "Z")
    minutes = draw(st.integers(-12 * 4, 14 * 4)) * 15
    return value.astimezone(dt.timezone(dt.timedelta(minutes=minutes))).isoformat()


@st.composite
def date_input(draw, value: dt.date):
    """A calendar date: ISO date, epoch ms of any instant of that UTC day, ISO date-time."""
    form = draw(st.sampled_from(["iso", "ms", "iso-datetime"]))
    midnight = dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    if form == "iso":
        return value.isoformat()
    if form == "ms":
        return str(epoch_ms(midnight) + draw(st.integers(0, 86_399_999)))
    # Taken as written: the date part, whatever the offset.
    minutes = draw(st.integers(-12 * 4, 14 * 4)) * 15
    when = midnight + dt.timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
    return when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes))).isoformat()


@st.composite
def contact_rows(draw, min_size=20, max_size=40):
    """(properties, created_at) for a set of contacts; emails unique."""
    count = draw(st.integers(min_size, max_size))
    rows = []
    for i in range(count):
        props = {
            "firstname": draw(text_values(NAME_CHARS, SAMPLE_NAMES, 12)),
            "lastname": draw(text_values(NAME_CHARS, SAMPLE_NAMES, 12)),
            "lifecyclestage": draw(st.none() | st.sampled_from(LIFECYCLE_ORDER)),
            "hs_lead_status": draw(st.none() | st.sampled_from([v for v, _, _ in LEAD_STATUSES])),
            "hyp_tier": draw(st.none() | st.sampled_from(TIER_OPTIONS)),
            "hyp_note": draw(text_values(NOTE_CHARS, SAMPLE_NOTES, 16)),
            "hyp_flag": draw(st.sampled_from([None, True, False, "true", "false"])),
        }
        if draw(st.booleans()):
            local = draw(st.sampled_from(["jean", "Marie.Curie", "x", "sales+crm", "o_hara"]))
            domain = draw(st.sampled_from(["acme.fr", "hubspot.com", "Mail.Acme.FR", "b-c.io"]))
            props["email"] = f"{local}{i}@{domain}"
        number = draw(st.none() | some_numbers)
        if number is not None:
            props["hyp_score"] = str(number) if draw(st.booleans()) else number
        day = draw(st.none() | some_dates)
        if day is not None:
            props["hyp_day"] = draw(date_input(day))
        when = draw(st.none() | some_datetimes)
        if when is not None:
            props["hyp_when"] = draw(datetime_input(when))
        created = draw(some_datetimes)
        rows.append(({k: v for k, v in props.items() if v is not None}, created))
    return rows


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


class Rollback(Exception):
    pass


def with_contacts(rows, check):
    """Run `check(stored)` against freshly created contacts, then roll them back."""
    try:
        with transaction.atomic():
            check(create_contacts(rows))
            raise Rollback
    except Rollback:
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
        return parse_instant(text).date()
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text).date()  # the date as written


def filter_key(kind, raw):
    """A filter value, in the domain the evaluator compares in."""
    if kind == "string":
        return (raw if isinstance(raw, str) else str(raw)).lower()
    if kind == "enum":
        return str(raw)
    if kind == "number":
        return Decimal(str(raw))
    if kind == "bool":
        return raw if isinstance(raw, bool) else raw.strip().lower() == "true"
    if kind == "date":
        return parse_day(raw)
    return parse_instant(raw)


def stored_key(kind, value):
    """A stored canonical value in the same domain (None stays None)."""
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
    return value


def token_found(value: str, token: str) -> bool:
    """CONTAINS_TOKEN: `*` is a wildcard over the whole value, else a whole-token match."""
    value, token = value.lower(), token.lower()
    if "*" in token:
        pattern = ".*".join(re.escape(part) for part in token.split("*"))
        return re.fullmatch(pattern, value, re.DOTALL) is not None
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
    if op in TEXT_OPERATORS:
        found = raw is not None and token_found(str(raw), str(flt["value"]))
        return found if op == "CONTAINS_TOKEN" else not found
    if op in ("IN", "NOT_IN"):
        wanted = [filter_key(kind, v) for v in flt["values"]]
        found = value is not None and any(value == w for w in wanted)
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
        return (value is None, value if value is not None else 0, row["id"])

    ordered = [row["id"] for row in sorted(rows, key=key)]
    return ordered[::-1] if descending else ordered


# -- filters ----------------------------------------------------------------------------------


def case_variants(text: str):
    return st.sampled_from([text, text.lower(), text.upper(), text.swapcase(), text.title()])


@st.composite
def filter_value(draw, kind, pool):
    """A filter value for a property of `kind`: mostly near existing values, sometimes random."""
    existing = draw(st.sampled_from(pool)) if pool and draw(st.integers(0, 3)) else None
    if kind == "string":
        base = existing or draw(text_values(NOTE_CHARS, SAMPLE_NAMES + SAMPLE_NOTES, 8)) or "x"
        return draw(case_variants(base))
    if kind == "enum":
        base = existing or draw(
            st.sampled_from(TIER_OPTIONS + LIFECYCLE_ORDER + ["NEW", "OPEN", "nope"])
        )
        return draw(st.just(base) | case_variants(base))
    if kind == "number":
        if existing is not None:
            delta = draw(st.sampled_from([0, 0, 1, -1, 0.5, -0.001]))
            number = existing + delta
        else:
            number = draw(some_numbers)
        return draw(st.sampled_from([str(number), number]))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false", True, False, "TRUE", "False"]))
    if kind == "date":
        day = dt.date.fromisoformat(existing) if existing else draw(some_dates)
        day += dt.timedelta(days=draw(st.sampled_from([0, 0, 1, -1])))
        return draw(date_input(day))
    assert kind == "datetime"
    when = dt.datetime.fromisoformat(existing) if existing else draw(some_datetimes)
    when += draw(
        st.sampled_from(
            [dt.timedelta(0), dt.timedelta(0), dt.timedelta(milliseconds=1)]
            + [-dt.timedelta(milliseconds=1), dt.timedelta(hours=1), -dt.timedelta(days=1)]
        )
    )
    return draw(datetime_input(when))


@st.composite
def token_value(draw, pool):
    """A CONTAINS_TOKEN value: a token or part of an existing value, with or without `*`."""
    base = draw(st.sampled_from(pool)) if pool and draw(st.integers(0, 3)) else None
    if base is None:
        base = draw(st.text(alphabet=NOTE_CHARS, min_size=1, max_size=6))
    tokens = [t for t in re.split(r"\W+", base) if t] or [base]
    form = draw(st.sampled_from(["token", "whole", "prefix*", "*suffix", "*middle*", "a*b", "*"]))
    if form == "token":
        text = draw(st.sampled_from(tokens))
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
    return draw(case_variants(text))


@st.composite
def a_filter(draw, pools):
    name = draw(st.sampled_from(sorted(KINDS)))
    kind = KINDS[name]
    operators = [op for op in OPERATORS if kind in ("string", "enum") or op not in TEXT_OPERATORS]
    op = draw(st.sampled_from(operators))
    flt = {"propertyName": name, "operator": op}
    pool = pools[name]
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        pass
    elif op in TEXT_OPERATORS:
        flt["value"] = draw(token_value([str(v) for v in pool]))
    elif op in ("IN", "NOT_IN"):
        flt["values"] = draw(st.lists(filter_value(kind, pool), min_size=1, max_size=4))
    else:
        flt["value"] = draw(filter_value(kind, pool))
        if op == "BETWEEN":
            flt["highValue"] = draw(filter_value(kind, pool))
    return flt


def filter_groups(pools):
    group = st.fixed_dictionaries({"filters": st.lists(a_filter(pools), min_size=1, max_size=3)})
    return st.lists(group, min_size=1, max_size=3)


def value_pools(rows) -> dict:
    return {
        name: sorted({row[name] for row in rows if row[name] is not None}, key=repr)
        for name in KINDS
    }


FAST = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
SEARCHES_PER_EXAMPLE = 12


# -- tests ------------------------------------------------------------------------------------


@FAST
@given(rows=contact_rows(), data=st.data())
def test_filter_groups_match_python_evaluator(custom_properties, rows, data):
    def check(stored):
        pools = value_pools(stored)
        for _ in range(SEARCHES_PER_EXAMPLE):
            groups = data.draw(filter_groups(pools), label="filterGroups")
            got = set(
                filtered_queryset("contacts", filter_groups=groups).values_list("pk", flat=True)
            )
            assert got == expected_ids(groups, stored), groups

    with_contacts(rows, check)


@FAST
@given(rows=contact_rows(), data=st.data())
def test_sorts_match_python_order(custom_properties, rows, data):
    def check(stored):
        for _ in range(4):
            name = data.draw(st.sampled_from(SORTABLE + EXTRA_SORTABLE), label="sort property")
            descending = data.draw(st.booleans(), label="descending")
            sort = data.draw(
                st.sampled_from(
                    [
                        {
                            "propertyName": name,
                            "direction": "DESCENDING" if descending else "ASCENDING",
                        },
                        f"-{name}" if descending else name,
                    ]
                ),
                label="sort",
            )
            qs = filtered_queryset("contacts").order_by(*order_by("contacts", [sort]))
            got = list(qs.values_list("pk", flat=True))
            assert got == expected_order(name, descending, stored), sort

    with_contacts(rows, check)


@st.composite
def full_text_query(draw, pools):
    words = []
    for _ in range(draw(st.integers(1, 3))):
        names = pools["firstname"] + pools["lastname"] + pools["email"]
        if names and draw(st.integers(0, 4)):
            base = draw(st.sampled_from(names))
            parts = [p for p in re.split(r"[\W_]+", base) if p] or [base]
            word = draw(st.sampled_from(parts))
            word = word[: draw(st.integers(1, max(1, len(word))))]
            word = draw(
                st.sampled_from(
                    [word, word.upper(), word.lower(), _strip_accents(word), word + "-"]
                )
            )
        else:
            word = draw(st.text(alphabet=NAME_CHARS + "@", min_size=1, max_size=5))
        words.append(word)
    return " ".join(words)


def _strip_accents(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@FAST
@given(rows=contact_rows(min_size=15, max_size=25), data=st.data())
def test_full_text_query_matches_reference(custom_properties, rows, data):
    def check(stored):
        pools = value_pools(stored)
        for _ in range(SEARCHES_PER_EXAMPLE):
            query = data.draw(full_text_query(pools), label="query")
            got = set(filtered_queryset("contacts", query=query).values_list("pk", flat=True))
            want = {row["id"] for row in stored if matches(row["search_text"], query)}
            assert got == want, query

    with_contacts(rows, check)


def test_full_text_query_ignores_accents(custom_properties):
    lefevre = create_record("contacts", {"lastname": "Lefèvre"}, source=SOURCE).pk
    oeuvre = create_record("contacts", {"firstname": "Œuvre", "lastname": "LEFEBVRE"}, source=SOURCE)
    for query in ("lefevre", "LEFÈVRE", "Lefev", "lefèvre"):
        assert set(filtered_queryset("contacts", query=query).values_list("pk", flat=True)) == {
            lefevre
        }
    assert list(filtered_queryset("contacts", query="oeuvre lefeb").values_list("pk", flat=True)) == [
        oeuvre.pk
    ]
