"""The click catalogue (issue 16, points 4 and 5): the list-page and API-search requests a
salesperson makes every day, measured over HTTP through `comptoir serve`, each beside the
same query in hand-written SQL on the same database.

    .venv/bin/python bench/catalogue.py --database sqlite --scale 0.1
    .venv/bin/python bench/catalogue.py --database postgres --scale 0.1

`--scale` is the fraction of the full data set (1,000,000 contacts, 100,000 companies,
200,000 deals, 1,000,000 activities), seeded by `comptoir seed_demo --seed 42` on first
run into `bench/data/catalogue-<database>-<scale>` (SQLite) or the PostgreSQL database
`comptoir_bench_catalogue` (DATABASE_URL overrides it). `--only PATTERN` keeps the
requests whose name holds PATTERN; `--runs N` (default 5, after one warm-up); `--seed-only`
seeds and stops (at scale 1 it takes a while: start it while the machine is busy otherwise).

The list-page URLs are built by the UI's own code (`read_condition` turns what a person
types or picks into a stored filter, `ListState.url` writes the query string), so they are
the links a click makes. The API bodies carry the same conditions, resolved as the page
resolves them. `tests/test_bench_catalogue.py` requests every entry in-process on a tiny
database so that the catalogue cannot rot.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT

FULL = {"contacts": 1_000_000, "companies": 100_000, "deals": 200_000, "activities": 1_000_000}
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/comptoir_bench_catalogue"

# The custom properties the catalogue filters and sorts on: a text and a number, filled for
# three records in five (fixture data written in one UPDATE, as bench/engine.py's tier).
CUSTOM_TEXT = "bench_segment"
CUSTOM_NUMBER = "bench_score"
SEGMENTS = (
    "Key account Paris",
    "Robotics partner",
    "Retail north",
    "Public sector",
    "Key account Lyon",
    "Healthcare south",
    "Startup program",
    "Robert Bosch network",
    "Energy west",
    "Reseller gold",
    "Education",
    "Logistics east",
)

TARGET_MEDIAN, TARGET_P95, TARGET_CATALOGUE = 150.0, 400.0, 60.0
PAGE_ROWS = 25  # a list page's default size
API_LIMIT = 100
COUNT_CAP = 10_000  # listing.COUNT_CAP: a list counts to 10,000 then shows "10,000+"


# -- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cond:
    """One condition as a person sets it in the filter dialog: property, operator, what
    they typed or picked (several for "is any of"), BETWEEN's upper value."""

    prop: str
    op: str
    values: tuple = ()
    high: str = ""


@dataclass(frozen=True)
class Entry:
    name: str
    object_type: str = "contacts"
    conds: tuple = ()
    sort: str = ""  # "" = the page's default sort (the API's: by id)
    query: str = ""
    page: str = "list"  # list | board | tasks
    tab: str = ""  # tasks page
    forms: tuple = ("page", "api")
    extra: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Fixtures:
    """Values read from the database the catalogue runs on (an owner, an e-mail...)."""

    owner: str
    email: str
    company: str
    pipeline: str


TEXT_CASES = {
    # property: (equals, contains *x*, token, prefix, does not contain)
    "firstname": ("Marie", "*ari*", "marie", "Mar*", "marie"),
    "lastname": ("Martin", "*obert*", "robert", "Rob*", "martin"),
    "email": (None, "*acme*", "gmail.com", "marie*", "gmail"),
    "company": (None, "*tech*", "conseil", "Dup*", "groupe"),
    "city": ("Paris", "*ill*", "paris", "Mar*", "paris"),
    "jobtitle": ("Sales Manager", "*direct*", "manager", "Dir*", "manager"),
    CUSTOM_TEXT: ("Robotics partner", "*accoun*", "paris", "Rob*", "account"),
}


def catalogue(fx: Fixtures) -> list[Entry]:
    entries = []
    for prop, (eq, contains, token, prefix, absent) in TEXT_CASES.items():
        if prop == "email":
            eq = fx.email
        elif prop == "company":
            eq = fx.company
        entries += [
            Entry(f"{prop} = {eq}", conds=(Cond(prop, "EQ", (eq,)),)),
            Entry(
                f"{prop} contains {contains}", conds=(Cond(prop, "CONTAINS_TOKEN", (contains,)),)
            ),
            Entry(f"{prop} token {token}", conds=(Cond(prop, "CONTAINS_TOKEN", (token,)),)),
            Entry(f"{prop} prefix {prefix}", conds=(Cond(prop, "CONTAINS_TOKEN", (prefix,)),)),
            Entry(
                f"{prop} does not contain {absent}",
                conds=(Cond(prop, "NOT_CONTAINS_TOKEN", (absent,)),),
            ),
        ]
    entries += [
        Entry("lifecycle stage = lead", conds=(Cond("lifecyclestage", "EQ", ("lead",)),)),
        Entry(
            "lifecycle stage in (customer, opportunity)",
            conds=(Cond("lifecyclestage", "IN", ("customer", "opportunity")),),
        ),
        Entry("lead status = IN_PROGRESS", conds=(Cond("hs_lead_status", "EQ", ("IN_PROGRESS",)),)),
        Entry(
            "lead status not in (NEW, OPEN)",
            conds=(Cond("hs_lead_status", "NOT_IN", ("NEW", "OPEN")),),
        ),
        Entry("num_notes > 3", conds=(Cond("num_notes", "GT", ("3",)),)),
        Entry("num_notes between 1 and 2", conds=(Cond("num_notes", "BETWEEN", ("1",), "2"),)),
        Entry(f"{CUSTOM_NUMBER} >= 900", conds=(Cond(CUSTOM_NUMBER, "GTE", ("900",)),)),
        Entry(
            f"{CUSTOM_NUMBER} between 100 and 150",
            conds=(Cond(CUSTOM_NUMBER, "BETWEEN", ("100",), "150"),),
        ),
        Entry("create date after 06/30/2026", conds=(Cond("createdate", "GT", ("06/30/2026",)),)),
        Entry(
            "create date in March 2026",
            conds=(Cond("createdate", "BETWEEN", ("03/01/2026",), "03/31/2026"),),
        ),
        Entry(
            "last activity before 01/01/2026",
            conds=(Cond("notes_last_updated", "LT", ("01/01/2026",)),),
        ),
        Entry(
            "last activity in the last 30 days",
            conds=(Cond("notes_last_updated", "ROLLING", ("last:30",)),),
        ),
    ]
    for column in (
        "lastname",
        "email",
        "hubspot_owner_id",
        "associatedcompanyid",
        "lifecyclestage",
        "notes_last_updated",
        "createdate",
        CUSTOM_NUMBER,
        CUSTOM_TEXT,
        "city",
    ):
        entries += [
            Entry(f"sort {column}", sort=column),
            Entry(f"sort -{column}", sort=f"-{column}"),
        ]
    owner = Cond("hubspot_owner_id", "EQ", (fx.owner,))
    entries += [
        Entry("full text q=Robert", query="Robert"),
        Entry("full text q=marie dupont", query="marie dupont"),
        Entry(
            "owner + lifecycle stage = customer",
            conds=(owner, Cond("lifecyclestage", "EQ", ("customer",))),
        ),
        Entry(
            "city = Paris + lifecycle stage = lead",
            conds=(Cond("city", "EQ", ("Paris",)), Cond("lifecyclestage", "EQ", ("lead",))),
        ),
        Entry(
            "last name contains *mart* + lead, sort city",
            conds=(
                Cond("lastname", "CONTAINS_TOKEN", ("*mart*",)),
                Cond("lifecyclestage", "EQ", ("lead",)),
            ),
            sort="city",
        ),
        Entry(
            "owner + created after 01/01/2026 + q=Robert, sort last name",
            conds=(owner, Cond("createdate", "GT", ("01/01/2026",))),
            query="Robert",
            sort="lastname",
        ),
        Entry(
            "stage lead + num_notes > 1 + email contains *gmail*",
            conds=(
                Cond("lifecyclestage", "EQ", ("lead",)),
                Cond("num_notes", "GT", ("1",)),
                Cond("email", "CONTAINS_TOKEN", ("*gmail*",)),
            ),
            sort="-createdate",
        ),
        # Point 5: the other big lists, the board and the tasks page.
        Entry(
            "companies: city = Paris, sort name",
            "companies",
            conds=(Cond("city", "EQ", ("Paris",)),),
            sort="name",
        ),
        Entry(
            "companies: name contains *tech*, sort -createdate",
            "companies",
            conds=(Cond("name", "CONTAINS_TOKEN", ("*tech*",)),),
            sort="-createdate",
        ),
        Entry(
            "deals: stage in (won, lost), sort -amount",
            "deals",
            conds=(Cond("dealstage", "IN", ("closedwon", "closedlost")),),
            sort="-amount",
        ),
        Entry(
            "deals: amount > 50,000, sort close date",
            "deals",
            conds=(Cond("amount", "GT", ("50000",)),),
            sort="closedate",
        ),
        Entry(
            "deals board: owner + close date in 2026",
            "deals",
            conds=(owner, Cond("closedate", "BETWEEN", ("01/01/2026",), "12/31/2026")),
            page="board",
            forms=("page",),
            extra={"pipeline": fx.pipeline},
        ),
        Entry("deals board: default pipeline", "deals", page="board", forms=("page",)),
        Entry("tasks page: due today", "tasks", page="tasks", forms=("page",)),
        Entry("tasks page: overdue", "tasks", page="tasks", tab="overdue", forms=("page",)),
        Entry(
            "tasks page: all, owner",
            "tasks",
            conds=(owner,),
            page="tasks",
            tab="all",
            forms=("page",),
        ),
    ]
    return entries


# -- what each entry asks ---------------------------------------------------------------------


def filter_groups(entry: Entry) -> list:
    """The stored filters the dialog makes of the entry's conditions (the UI's own code)."""
    from comptoir.core.properties import registry
    from comptoir.core.ui.filters import filter_context, read_condition

    if not entry.conds:
        return []
    defs = registry.definitions(entry.object_type)
    ctx = filter_context()
    filters = [
        read_condition(defs[c.prop], c.op, list(c.values), c.high, "", ctx) for c in entry.conds
    ]
    return [{"filters": filters}]


def page_url(entry: Entry) -> str:
    """The link the UI builds for the entry (the list's, the board's or the tasks page's)."""
    from django.urls import reverse

    from comptoir.core.objects.registry import get_object_type
    from comptoir.core.savedviews.listing import ListState

    ot = get_object_type(entry.object_type)
    groups = filter_groups(entry)
    state_class = ListState
    if entry.page == "tasks":  # the tasks page's own state (due-date tabs)
        from comptoir.activities.tasks_page import TaskListState as state_class
    state = state_class(ot=ot)
    if entry.tab:
        state.tab = entry.tab
    state.filter_groups = groups
    state.query = entry.query
    state.sort = entry.sort or state.default_sort()
    url = state.url(page=1)
    if entry.page == "board":
        from urllib.parse import urlencode

        params = state.params(page=1, per_page=25)
        params.pop("sort", None)
        params.update(entry.extra)
        return reverse("deals:board") + ("?" + urlencode(params) if params else "")
    return reverse(f"{ot.name}:list") + url


def api_body(entry: Entry, user) -> dict:
    """The search request with the same meaning: the page's filters resolved for `user`."""
    from comptoir.core.objects.registry import get_object_type
    from comptoir.core.savedviews.relative import resolve

    ot = get_object_type(entry.object_type)
    body = {"limit": API_LIMIT, "properties": list(ot.display_properties)}
    groups = resolve(ot, filter_groups(entry), user)
    if groups:
        body["filterGroups"] = groups
    if entry.sort:
        body["sorts"] = [entry.sort]
    if entry.query:
        body["query"] = entry.query
    return body


def api_path(entry: Entry) -> str:
    return f"/crm/v3/objects/{entry.object_type}/search"


# -- the same in hand-written SQL -------------------------------------------------------------


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def raw_condition(ot, flt: dict, vendor: str) -> tuple[str, list]:
    """One resolved filter as hand-written SQL on the property's stored expression (the
    one its indexes are built on), with the search API's meaning."""
    from comptoir.core.properties import registry
    from comptoir.core.properties.indexes import value_sql

    defn = registry.definitions(ot)[flt["propertyName"]]
    expr = value_sql(defn, vendor)
    op = flt["operator"]
    column = bool(defn.column)

    def value(raw):
        from django.db import connection

        v = defn.kind.filter_value(defn, raw, column=column)
        if hasattr(v, "tzinfo") and column:
            return connection.ops.adapt_datetimefield_value(v)
        return v

    compare = {"EQ": "=", "GT": ">", "GTE": ">=", "LT": "<", "LTE": "<="}
    if op in compare:
        return f"{expr} {compare[op]} %s", [value(flt["value"])]
    if op == "BETWEEN":
        return f"{expr} BETWEEN %s AND %s", [value(flt["value"]), value(flt["highValue"])]
    if op in ("IN", "NOT_IN"):
        values = [value(v) for v in flt["values"]]
        sql = f"{expr} IN ({', '.join(['%s'] * len(values))})"
        return (sql, values) if op == "IN" else (f"(NOT {sql} OR {expr} IS NULL)", values)
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        text = str(flt["value"]).lower()
        escape = " ESCAPE '\\'"
        if "*" in text:
            pattern = "%".join(_like(part) for part in text.split("*"))
            sql, params = f"{expr} LIKE %s{escape}", [pattern]
            if not (pattern.startswith("%") and pattern.endswith("%")):
                # or one word of the value matches (HubSpot's per-word wildcard)
                sql = f"({sql} OR (' ' || {expr} || ' ') LIKE %s{escape})"
                params.append(f"% {pattern} %")
        else:  # a whole token: a substring test first, the word boundaries then
            regex = r"(^|\W)" + re.escape(text) + r"(\W|$)"
            match = "REGEXP" if vendor == "sqlite" else "~"
            sql = f"({expr} LIKE %s{escape} AND {expr} {match} %s)"
            params = [f"%{_like(text)}%", regex]
        if op == "CONTAINS_TOKEN":
            return sql, params
        return f"(NOT {sql} OR {expr} IS NULL)", params
    if op == "HAS_PROPERTY":
        return f"{expr} IS NOT NULL", []
    if op == "NOT_HAS_PROPERTY":
        return f"{expr} IS NULL", []
    raise ValueError(f"no raw SQL for {op}")


def raw_sql(entry: Entry, user, form: str, vendor: str) -> list[tuple[str, list]] | None:
    """[(count SQL, params), (page SQL, params)]: what the page (a count bounded at 10,001
    and 26 rows) or the API (the exact total and 101 rows) needs, in hand-written SQL."""
    from comptoir.core.objects.registry import get_object_type
    from comptoir.core.properties import registry
    from comptoir.core.properties.indexes import value_sql
    from comptoir.core.savedviews.relative import resolve
    from comptoir.core.search.fulltext import fts_table
    from comptoir.core.search.text import query_tokens

    if entry.page != "list":
        return None
    ot = get_object_type(entry.object_type)
    table = ot.model._meta.db_table
    false = "0" if vendor == "sqlite" else "false"
    where, params = [f"archived = {false}"], []
    for group in resolve(ot, filter_groups(entry), user):
        for flt in group["filters"]:
            sql, values = raw_condition(ot, flt, vendor)
            where.append(sql)
            params += values
    words = query_tokens(entry.query)
    if words and vendor == "sqlite":
        fts = fts_table(table)
        where.append(f"id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)")
        params.append(" ".join(f'"{w}"*' for w in words))
    elif words:
        where.append("search_vector @@ to_tsquery('simple', %s)")
        params.append(" & ".join(f"{w}:*" for w in words))
    where_sql = " AND ".join(where)
    sort = entry.sort or ("-" + ot.created_property if form == "page" else "")
    if sort:
        name = sort.lstrip("-")
        defn = registry.definitions(ot)[name]
        expr = value_sql(defn, vendor)
        desc = sort.startswith("-")
        nullable = not defn.column or ot.model._meta.get_field(defn.column).null
        if vendor == "sqlite" and not nullable:  # a NOT NULL column: no empty values to put last
            order = f"{expr} DESC, id DESC" if desc else f"{expr}, id"
        elif vendor == "sqlite":
            order = f"{expr} DESC, id DESC" if desc else f"({expr} IS NULL), {expr}, id"
        else:
            order = f"{expr} DESC NULLS LAST, id DESC" if desc else f"{expr} NULLS LAST, id"
    else:
        order = "id"
    if form == "page":
        bounded = f"SELECT 1 FROM {table} WHERE {where_sql} LIMIT {COUNT_CAP + 1}"
        count = f"SELECT COUNT(*) FROM ({bounded}) AS c"
        limit = PAGE_ROWS + 1
    else:
        count = f"SELECT COUNT(*) FROM {table} WHERE {where_sql}"
        limit = API_LIMIT + 1
    rows = f"SELECT * FROM {table} WHERE {where_sql} ORDER BY {order} LIMIT {limit}"
    return [(count, params), (rows, params)]


def run_raw(statements) -> int:
    """Run the statements; the count the first one answers."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(*statements[0])
        total = cursor.fetchone()[0]
        for sql, params in statements[1:]:
            cursor.execute(sql, params)
            cursor.fetchall()
    return total


# -- reading the answers ----------------------------------------------------------------------

COUNT_RE = re.compile(r'<span class="count"[^>]*>\s*([\d,.\u202f\u00a0 ]+\+?)')
TAB_RE = re.compile(r'aria-current="page">[^<]*<span class="badge[^"]*">([\d,]+\+?)</span>')
ALERT = 'class="form-errors" role="alert"'


def page_answer(html: str) -> dict:
    """What a page shows: its count ("10,000+"), its rows, and any filter it refused."""
    match = COUNT_RE.search(html) or TAB_RE.search(html)
    shown = match.group(1).strip() if match else ""
    digits = re.sub(r"\D", "", shown)
    return {
        "count": int(digits) if digits else None,
        "capped": shown.endswith("+"),
        "rows": html.count('name="ids"'),
        "error": ALERT in html,
    }


def api_answer(body: bytes) -> dict:
    data = json.loads(body)
    return {"count": data.get("total"), "capped": False, "rows": len(data.get("results", []))}


def expected_count(raw_total: int | None, form: str) -> int | None:
    if raw_total is None:
        return None
    return min(raw_total, COUNT_CAP) if form == "page" else raw_total


# -- data -------------------------------------------------------------------------------------


def ensure_database(database: str) -> None:
    """PostgreSQL: create the bench database when it does not exist."""
    if database != "postgres":
        return
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed_if_needed(scale: float) -> dict:
    """Seed at `scale` unless the data is there; refuse data seeded at another scale."""
    from django.core.management import call_command

    from comptoir.contacts.models import Contact

    call_command("migrate", verbosity=0)
    counts = {k: max(1, int(v * scale)) for k, v in FULL.items()}
    have = Contact.objects.count()
    if have == 0:
        start = time.perf_counter()
        call_command("seed_demo", seed=42, **counts)
        print(f"seeded {counts} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    elif abs(have - counts["contacts"]) > counts["contacts"] * 0.05:
        raise SystemExit(
            f"this database holds {have:,} contacts, not {counts['contacts']:,}: "
            "use another --data-dir (SQLite) or DATABASE_URL (PostgreSQL) for this scale"
        )
    add_custom_properties()
    return counts


def add_custom_properties() -> None:
    """A custom text and a custom number on three contacts in five (no index: what a user
    who just created them gets)."""
    from django.db import connection, transaction

    from comptoir.core.db import refresh_statistics
    from comptoir.core.properties import registry
    from comptoir.core.properties.services import create_property

    defs = registry.definitions("contacts")
    if CUSTOM_TEXT in defs and CUSTOM_NUMBER in defs:
        return
    if CUSTOM_TEXT not in defs:
        create_property(
            "contacts",
            {"name": CUSTOM_TEXT, "label": "Segment", "type": "string", "fieldType": "text"},
        )
    if CUSTOM_NUMBER not in defs:
        create_property(
            "contacts",
            {"name": CUSTOM_NUMBER, "label": "Score", "type": "number", "fieldType": "number"},
        )
    n = len(SEGMENTS)
    cases = " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(SEGMENTS))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "UPDATE contacts_contact SET properties = json_set(json_set(properties, "
                f"'$.{CUSTOM_TEXT}', CASE (id / 5) % {n} {cases} END), "
                f"'$.{CUSTOM_NUMBER}', (id * 37) % 1000) WHERE id % 5 < 3"
            )
        else:
            cursor.execute(
                "UPDATE contacts_contact SET properties = properties || jsonb_build_object("
                f"'{CUSTOM_TEXT}', CASE (id / 5) % {n} {cases} END, "
                f"'{CUSTOM_NUMBER}', (id * 37) % 1000) WHERE id % 5 < 3"
            )
    refresh_statistics()


CUSTOM = (CUSTOM_TEXT, CUSTOM_NUMBER)


def uses_custom(entry: Entry) -> bool:
    return entry.sort.lstrip("-") in CUSTOM or any(c.prop in CUSTOM for c in entry.conds)


def custom_unindexed() -> list[str]:
    """The custom properties still without their on-demand index (B-tree; and substring
    index for the text one)."""
    from comptoir.core.properties import registry
    from comptoir.core.properties.index_requests import needs_index

    registry.clear_local()  # the bench process is no request: read the definitions again
    defs = registry.definitions("contacts")
    return [
        name
        for name in CUSTOM
        if needs_index(defs[name]) or (defs[name].kind.free_text and not defs[name].substring_index)
    ]


def build_on_demand_indexes() -> list[str]:
    """What the app does once users repeat queries on the custom properties: the repeated
    list-page and API queries ask for their B-tree index (`note_queries`, QUERY_THRESHOLD
    times within its window, as the first-query runs through the server just did), and the
    worker builds what was asked (`build_property_index`, CONCURRENTLY on PostgreSQL). The
    custom text's substring index is built by the worker task `build_substring_index`
    (nothing queues it on its own yet: an administrator's or this script's call). Then the
    worker's daily `optimize_database` (planner statistics). Returns the indexes built."""
    from comptoir.core.db import refresh_statistics
    from comptoir.core.properties import index_requests
    from comptoir.core.properties.models import PropertyIndexRequest
    from comptoir.core.tasks import build_property_index, build_substring_index

    for name in CUSTOM:
        for _ in range(index_requests.QUERY_THRESHOLD):  # a no-op once asked for
            index_requests.note_queries("contacts", [(name, "EQ")])
    asked = PropertyIndexRequest.objects.filter(
        object_type="contacts", property_name__in=CUSTOM, status__in=index_requests.ACTIVE
    ).values_list("property_name", flat=True)
    built = [build_property_index.call("contacts", name) for name in list(asked)]
    built.append(build_substring_index.call("contacts", CUSTOM_TEXT))
    refresh_statistics()
    return [name for name in built if name]


def fixtures() -> Fixtures:
    """An owner with records, an existing e-mail and company name, the default pipeline."""
    from django.db.models import Count

    from comptoir.contacts.models import Contact
    from comptoir.deals.board import pipeline_for

    owner = (
        Contact.objects.exclude(hubspot_owner=None)
        .values("hubspot_owner")
        .annotate(n=Count("id"))
        .order_by("-n", "hubspot_owner")
        .first()
    )
    contact = Contact.objects.exclude(email=None).order_by("pk").first()
    company = (
        Contact.objects.filter(properties__has_key="company").order_by("pk").first().properties
    )
    pipeline = pipeline_for(None)
    return Fixtures(
        owner=str(owner["hubspot_owner"]),
        email=contact.email,
        company=company["company"],
        pipeline=pipeline.pipeline_id if pipeline else "default",
    )


def bench_user():
    """A user who sees every record (the first administrator)."""
    from comptoir.users.models import User

    return User.objects.filter(is_superuser=True).order_by("pk").first() or (
        User.objects.order_by("pk").first()
    )


def index_sizes(vendor: str) -> list[tuple[str, int]]:
    """(index, bytes) of the contacts table (and its full-text index), largest first."""
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            try:
                cursor.execute(
                    "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM "
                    "sqlite_master WHERE (type = 'index' AND tbl_name = 'contacts_contact') "
                    "OR name LIKE 'contacts_contact_fts%' OR name = 'contacts_contact') "
                    "GROUP BY name"
                )
            except Exception:  # dbstat not compiled in: the file's size only
                size = Path(connection.settings_dict["NAME"]).stat().st_size
                return [("(whole file; dbstat unavailable)", size)]
        else:
            cursor.execute(
                "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
                "WHERE relname = 'contacts_contact' UNION ALL "
                "SELECT 'contacts_contact', pg_relation_size('contacts_contact')"
            )
        return sorted(cursor.fetchall(), key=lambda r: -r[1])


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    entry: Entry
    form: str
    target: str
    median: float = 0.0
    p95: float = 0.0
    answer: dict = field(default_factory=dict)
    raw_median: float | None = None
    raw_total: int | None = None
    status: int = 0
    # A custom-property request: its first run, before the on-demand index existed (ms).
    first: float | None = None


def timings(fn, runs: int) -> tuple[list[float], object]:
    out = fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, out


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


class HttpClient:
    """Keep-alive requests to `comptoir serve`, signed in by a session cookie (pages) and
    a private-app token (API)."""

    def __init__(self, port: int, session: str, token: str):
        self.port, self.session, self.token = port, session, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def request(self, method, path, body=None, headers=None) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def page(self, url: str) -> tuple[int, bytes]:
        cookie = f"sessionid={self.session}; django_language=en"
        return self.request("GET", url, headers={"Cookie": cookie, "Accept-Language": "en"})

    def api(self, path: str, body: dict) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return self.request("POST", path, json.dumps(body), headers)


def first_run(client, entry: Entry, form: str, user) -> float:
    """One request, no warm-up (ms)."""
    start = time.perf_counter()
    if form == "page":
        client.page(page_url(entry))
    else:
        client.api(api_path(entry), api_body(entry, user))
    return (time.perf_counter() - start) * 1000


def measure_entry(client, entry: Entry, form: str, user, vendor: str, runs: int) -> Result:
    if form == "page":
        target = page_url(entry)
        times, (status, body) = timings(lambda: client.page(target), runs)
        answer = page_answer(body.decode()) if status == 200 else {"error": True}
    else:
        payload = api_body(entry, user)
        target = json.dumps(payload, separators=(",", ":"))
        times, (status, body) = timings(lambda: client.api(api_path(entry), payload), runs)
        answer = api_answer(body) if status == 200 else {"error": True}
    result = Result(entry, form, target, statistics.median(times), p95(times), answer)
    result.status = status
    statements = raw_sql(entry, user, form, vendor)
    if statements:
        raw_times, result.raw_total = timings(lambda: run_raw(statements), runs)
        result.raw_median = statistics.median(raw_times)
    return result


def start_server(workers: int, log_path: str):
    """`comptoir serve` on a free port with this process's data directory / DATABASE_URL."""
    import socket
    import subprocess

    from api import free_port

    env = {
        **os.environ,
        "COMPTOIR_API_RATE_LIMIT": "0",
        "COMPTOIR_API_DAILY_LIMIT": "0",
        "COMPTOIR_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "comptoir"),
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 180  # collectstatic first; slow on a loaded machine
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"comptoir serve stopped: see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"comptoir serve did not start in 180 s: see {log_path}")


def sign_in(user) -> tuple[str, str]:
    """A session (the cookie a browser would send) and an API token for `user`."""
    from django.conf import settings
    from django.test import Client

    from comptoir.users.services import create_token

    client = Client()
    client.force_login(user)
    _, token = create_token(user, "catalogue bench")
    return client.cookies[settings.SESSION_COOKIE_NAME].value, token


# -- the report -------------------------------------------------------------------------------


def answer_text(r: Result) -> str:
    a = r.answer
    if r.status != 200:
        return f"**HTTP {r.status}**"
    if a.get("error"):
        return "**filter refused**"
    count = a.get("count")
    shown = "?" if count is None else f"{count:,}{'+' if a.get('capped') else ''}"
    text = shown if r.entry.page == "board" else f"{shown} ({a.get('rows', 0)} rows)"
    expected = expected_count(r.raw_total, r.form)
    if expected is not None and count is not None and count != expected:
        text += f" **≠ raw {expected:,}**"
    return text


def passes(r: Result) -> bool:
    return r.status == 200 and r.median < TARGET_MEDIAN and r.p95 < TARGET_P95


def report(results: list[Result], title: str) -> str:
    lines = [
        title,
        "",
        "| # | request | form | median ms | p95 ms | answer (total, rows) | raw SQL median ms "
        "| ratio | < 150 / < 400 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(results, 1):
        raw = f"{r.raw_median:.1f}" if r.raw_median is not None else "—"
        ratio = f"{r.median / r.raw_median:.1f}x" if r.raw_median else "—"
        mark = "pass" if passes(r) else "**FAIL**"
        lines.append(
            f"| {i} | {r.entry.name} | {r.form} | {r.median:.1f} | {r.p95:.1f} | {answer_text(r)} "
            f"| {raw} | {ratio} | {mark} |"
        )
    medians = [r.median for r in results]
    overall = statistics.median(medians) if medians else 0.0
    failed = [r for r in results if not passes(r)]
    verdict = "pass" if overall < TARGET_CATALOGUE else "**FAIL**"
    lines += [
        "",
        f"Catalogue: {len(results)} requests; median of the medians **{overall:.1f} ms** "
        f"(target < {TARGET_CATALOGUE:.0f} ms: {verdict}); "
        f"{len(results) - len(failed)} pass, {len(failed)} miss the per-request targets.",
    ]
    firsts = [r for r in results if r.first is not None]
    if firsts:
        lines += [
            "",
            "Custom properties measured once their on-demand indexes exist; their first "
            "request, before any index (one run, no warm-up; these requests ask for the "
            "indexes, which the worker then builds):",
            "",
            "| request | form | first, before the index ms | median, with it ms |",
            "|---|---|---|---|",
        ]
        lines += [f"| {r.entry.name} | {r.form} | {r.first:.1f} | {r.median:.1f} |" for r in firsts]
    worst = sorted(results, key=lambda r: -r.median)[:10]
    lines += ["", "Worst 10 by median:", ""]
    lines += [
        f"{n}. {r.entry.name} ({r.form}): {r.median:.0f} ms median, {r.p95:.0f} ms p95"
        + (f", raw SQL {r.raw_median:.1f} ms" if r.raw_median is not None else "")
        for n, r in enumerate(worst, 1)
    ]
    return "\n".join(lines)


def sizes_table(sizes) -> str:
    lines = ["| index (contacts table) | size MB |", "|---|---|"]
    lines += [f"| {name} | {size / 1e6:.1f} |" for name, size in sizes]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 1M seed")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    parser.add_argument("--only", default="", help="requests whose name holds this text")
    parser.add_argument("--forms", default="page,api", help="page, api or both")
    parser.add_argument("--data-dir", help="SQLite data directory (seeded if empty)")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--output", help="also write the markdown report to this file")
    parser.add_argument("--seed-only", action="store_true", help="seed, then stop (no timing)")
    args = parser.parse_args()

    data_dir = args.data_dir or str(
        ROOT / "bench" / "data" / f"catalogue-{args.database}-{args.scale:g}"
    )
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    if args.database == "postgres":
        os.environ.setdefault("DATABASE_URL", PG_DEFAULT)
    from common import setup_django

    os.environ["COMPTOIR_DATA_DIR"] = data_dir
    if args.database == "postgres":
        ensure_database("postgres")
    setup_django(args.database, data_dir)

    from django.db import connection
    from django.utils import translation

    translation.activate("en")
    counts = seed_if_needed(args.scale)
    if args.seed_only:
        return
    user = bench_user()
    fx = fixtures()
    entries = [e for e in catalogue(fx) if args.only.lower() in e.name.lower()]
    forms = [f for f in args.forms.split(",") if f]
    session, token = sign_in(user)
    vendor = connection.vendor
    server, port = start_server(args.workers, str(Path(data_dir) / "serve.log"))
    results = []
    first: dict = {}
    try:
        client = HttpClient(port, session, token)
        client.page("/healthz")
        if custom_unindexed():
            # What the first user to filter or sort on a new custom property waits for: one
            # request each, before any index; these requests also ask for the indexes.
            for entry in entries:
                for form in forms:
                    if form in entry.forms and uses_custom(entry):
                        first[(entry.name, form)] = first_run(client, entry, form, user)
            built = build_on_demand_indexes()
            print(f"on-demand indexes built: {', '.join(built)}", file=sys.stderr)
        for entry in entries:
            for form in forms:
                if form not in entry.forms:
                    continue
                result = measure_entry(client, entry, form, user, vendor, args.runs)
                result.first = first.get((entry.name, form))
                print(
                    f"{entry.name} [{form}] {result.median:.1f} ms p95 {result.p95:.1f} "
                    f"{answer_text(result)} raw {result.raw_median}",
                    file=sys.stderr,
                )
                results.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)

    scale = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    title = (
        f"{args.database}: {scale}; `comptoir serve` with {args.workers} processes over HTTP, "
        f"median and p95 of {args.runs} runs after one warm-up; "
        f"{time.strftime('%d %B %Y %H:%M UTC', time.gmtime())}, load average {load} at the end"
    )
    text = report(results, title) + "\n\n" + sizes_table(index_sizes(vendor)) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text)


if __name__ == "__main__":
    main()
