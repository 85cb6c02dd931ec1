"""Substring indexes (issue 16, point 1): "contains" filters served by an FTS5 trigram table
(SQLite) or a pg_trgm GIN index (PostgreSQL), with exactly the results of the scan."""

import logging
import sqlite3
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import OBJECT_TYPES, get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.properties.expressions import _FOLD_TABLE, substring_fold
from comptoir.core.properties.models import PropertyDefinition
from comptoir.core.properties.services import archive_property, create_property
from comptoir.core.properties.substring_indexes import (
    ensure_substring_index,
    existing_index_names,
    filled_in_bulk,
    fts_match,
    index_name,
    insert_triggers_pausable,
    substring_index_size,
    substring_indexes,
    trigram_extension,
)
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.merge import merge_records
from comptoir.core.records.values import read_value
from comptoir.core.records.writes import (
    archive_record,
    create_record,
    purge_records,
    restore_record,
    update_record,
)
from comptoir.core.search.compiler import filtered_queryset, search
from comptoir.core.tasks import build_substring_index

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_stale_statistics")]

SOURCE = ChangeSource(type=SourceType.AUTOMATION, id="substring-tests")

VALUES = [
    "Robert",
    "ROBERTSON",
    "de Robert-Houdin",
    "Jean Robert",
    "robert\nsmith",
    "Lefèvre",
    "LEFÈVRE",
    "Émile Zola",
    "O'Brien",
    'Say "hi"',
    "100% sure",
    "a_b_c",
    "a%b",
    "sm\u0131th",  # dotless i: a case-insensitive regex takes "i" for it
    "\u017ftraße",  # long s
    "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3",
    "\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2",
    "x@acme.fr",
    "sales@ACME.com",
    "ab",
    "\u0130stanbul",
    "tab\tsep",
    "line\n",
    "",
]

PATTERNS = [
    "robert",
    "Robert",
    "rob*",
    "*obe*",
    "*OBERT*",
    "*robert",
    "robert*",
    "*acme*",
    "*@acme.fr",
    "acme",
    "*ac*",
    "ab",
    "a*b",
    "*ab*",
    "lefèvre",
    "*fèv*",
    "*FÈV*",
    "émile",
    "o'brien",
    "*'br*",
    '"hi"',
    '*"hi*',
    "100%",
    "*0% s*",
    "a_b",
    "*_b_*",
    "*a%b*",
    "%",
    "_",
    "smith",
    "*smith*",
    "*m\u0131t*",
    "*straße*",
    "*STRASSE*",
    "*stra*",
    "\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2",
    "*\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c3*",
    "*\u03a3\u03a3\u0395\u03a5\u03a3*",
    "*istanbul*",
    "*i̇st*",
    "*t\ts*",
    "*ert\nsm*",
    "*line*",
    "line",
    "*",
    "**obe**",
    "r*b*rt",
    "*ro*ert*",
    "*ROBERT SMITH*",
    "de robert",
    "*e r*",
]

PROPERTIES = ["lastname", "city", "sub_note", "email"]


@pytest.fixture
def sub_note(db):
    create_property(
        "contacts", {"name": "sub_note", "label": "Note", "type": "string", "fieldType": "text"}
    )
    return ensure_substring_index("contacts", "sub_note")


def _ids(ot, flt) -> set[int]:
    return set(
        filtered_queryset(ot, filter_groups=[{"filters": [flt]}]).values_list("pk", flat=True)
    )


def _without_index(ot, name):
    """The property as if it had no substring index (the scan of before)."""
    defn = PropertyDefinition.objects.get(object_type=ot, name=name)
    saved = defn.substring_index
    PropertyDefinition.objects.filter(pk=defn.pk).update(substring_index="")
    registry.invalidate()
    return defn, saved


def _make_contacts():
    ids = []
    for value in VALUES:
        props = {"lastname": value, "city": value, "sub_note": value}
        if "@" in value:
            props["email"] = value
        ids.append(create_record("contacts", props, source=SOURCE).pk)
    ids.append(create_record("contacts", {"firstname": "nothing"}, source=SOURCE).pk)
    return ids


def test_standard_properties_have_their_index():
    vendor = connection.vendor
    listed = {(i.object_type, i.property): i.index for i in substring_indexes()}
    standard = [(ot.name, name) for ot in OBJECT_TYPES for name in ot.substring_indexed]
    assert ("contacts", "lastname") in standard and ("deals", "dealname") in standard
    for ot, name in standard:
        defn = registry.definition(ot, name)
        assert defn.kind.free_text
        assert defn.substring_index == index_name(ot, name, vendor)
        assert listed[(ot, name)] == index_name(ot, name, vendor)
        assert substring_index_size(listed[(ot, name)]) > 0


def test_contains_gives_the_results_of_the_scan(sub_note):
    _make_contacts()
    for name in PROPERTIES:
        with_index = {}
        for pattern in PATTERNS:
            for op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
                flt = {"propertyName": name, "operator": op, "value": pattern}
                with_index[(pattern, op)] = _ids("contacts", flt)
        defn, saved = _without_index("contacts", name)
        try:
            for (pattern, op), got in with_index.items():
                flt = {"propertyName": name, "operator": op, "value": pattern}
                assert got == _ids("contacts", flt), (name, pattern, op)
        finally:
            PropertyDefinition.objects.filter(pk=defn.pk).update(substring_index=saved)
            registry.invalidate()
    # The patterns do find things (the comparison above is not between two empty sets).
    flt = {"propertyName": "lastname", "operator": "CONTAINS_TOKEN", "value": "robert"}
    assert len(_ids("contacts", flt)) == 4
    flt = {"propertyName": "sub_note", "operator": "CONTAINS_TOKEN", "value": "*smith*"}
    # "robert\nsmith", and on SQLite "sm\u0131th" (Python's case-insensitive regex takes
    # "i" for a dotless i; PostgreSQL's does not): whatever the scan finds, the index finds.
    assert len(_ids("contacts", flt)) == (2 if connection.vendor == "sqlite" else 1)


def test_totals_are_counted_with_the_index(sub_note):
    _make_contacts()
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "city", "operator": "CONTAINS_TOKEN", "value": "*obe*"}]}
        ],
        "sorts": [{"propertyName": "lastname", "direction": "ASCENDING"}],
        "limit": 2,
    }
    result = search("contacts", body)
    assert result.total == 5 and len(result.records) == 2


def test_fts_match_parts():
    assert fts_match("Robert") == ('"robert"', False)
    assert fts_match("*obe*") == ('"obe"', True)
    assert fts_match("ro*ert") == ('"ert"', False)  # "ro" is too short to look up
    assert fts_match("*ab*") == (None, False)
    assert fts_match('*say "hi*') == ('"say ""hi"', True)
    assert fts_match("*fèv*") == ('"fèv"', False)  # not ASCII: the regex decides
    assert fts_match("*a*b*c*") == (None, False)
    assert fts_match("SMI\u03a3") == ('"smi\u03c2"', False)


def _fts_rows(fts) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT rowid, v FROM "{fts}"')
        return dict(cursor.fetchall())


def _check_fresh(ot, name):
    """The FTS table holds exactly the folded value of every row that has one (SQLite);
    on PostgreSQL the GIN index is the database's to keep, the filter results are checked."""
    if connection.vendor != "sqlite":
        return
    defn = registry.definition(ot, name)
    want = {}
    for record in get_object_type(ot).model.objects.all():
        value = read_value(record, defn)
        if value is not None:
            want[record.pk] = substring_fold(value)
    assert _fts_rows(defn.substring_index) == want


def _finds(name, value) -> set[int]:
    return _ids("contacts", {"propertyName": name, "operator": "CONTAINS_TOKEN", "value": value})


def test_the_index_follows_every_write(sub_note):
    a = create_record(
        "contacts", {"lastname": "Martin", "city": "Paris", "sub_note": "alpha"}, source=SOURCE
    ).pk
    b = create_record("contacts", {"lastname": "Durand", "email": "b@acme.fr"}, source=SOURCE).pk
    for name in ("lastname", "city", "sub_note", "email"):
        _check_fresh("contacts", name)
    assert _finds("city", "paris") == {a}

    update_record("contacts", a, {"city": "Lyon", "sub_note": None}, source=SOURCE)
    update_record("contacts", b, {"lastname": "Durandal", "email": "b@other.org"}, source=SOURCE)
    for name in ("lastname", "city", "sub_note", "email"):
        _check_fresh("contacts", name)
    assert _finds("city", "paris") == set() and _finds("city", "lyon") == {a}
    assert _finds("email", "*acme*") == set() and _finds("email", "*other*") == {b}
    assert _finds("lastname", "*dal*") == {b}

    # Merge: the survivor gains the city it lacked; the other is archived.
    merge_records("contacts", b, a, source=SOURCE)
    _check_fresh("contacts", "city")
    assert _finds("city", "lyon") == {b}

    archive_record("contacts", b, source=SOURCE)
    assert _finds("city", "lyon") == set()
    restore_record("contacts", b, source=SOURCE)
    assert _finds("city", "lyon") == {b}

    # An import (bulk create: executemany on SQLite, COPY on PostgreSQL).
    result = bulk_create_records(
        "contacts",
        [{"lastname": "Imported", "city": "Lyonnais"}, {"sub_note": "beta"}],
        source=ChangeSource(type=SourceType.IMPORT, id="1"),
    )
    for name in ("lastname", "city", "sub_note"):
        _check_fresh("contacts", name)
    assert _finds("city", "lyon*") == {b, result.ids[0]}
    assert _finds("sub_note", "beta") == {result.ids[1]}

    purge_records("contacts", [a, b])
    for name in ("lastname", "city", "sub_note", "email"):
        _check_fresh("contacts", name)
    assert _finds("city", "lyon*") == {result.ids[0]}


def _paused(fts) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT comptoir_fts_paused(%s)", [fts])
        return cursor.fetchone()[0]


def _copies(queries, fts) -> int:
    return sum(1 for q in queries if q["sql"].startswith(f'INSERT OR REPLACE INTO "{fts}"'))


def test_bulk_creates_fill_the_indexes_once_per_batch_and_single_writes_keep_the_triggers(
    sub_note,
):
    """The bulk path copies its rows into each FTS table with one INSERT ... SELECT
    (SQLite; the insert triggers skip them meanwhile, on this connection only); before and
    after it every write is indexed by the triggers, and contains finds everything at once."""
    tasks = ensure_substring_index("tasks", "hs_task_subject")
    before = create_record("contacts", {"city": "Lyon", "sub_note": "single"}, source=SOURCE).pk
    imported = ChangeSource(type=SourceType.IMPORT, id="bulk")
    with CaptureQueriesContext(connection) as queries:
        result = bulk_create_records(
            "contacts",
            [{"city": "Lyonnais", "sub_note": "bulk one"}, {"lastname": "Bulkley"}, {}],
            source=imported,
        )
    tasks_result = bulk_create_records(
        "tasks",
        [{"hs_task_subject": "Bulk call", "hs_timestamp": "2026-01-01"}],
        source=imported,
    )
    bulk_create_records(
        "notes", [{"hs_note_body": "Bulk call", "hs_timestamp": "2026-01-01"}], source=imported
    )
    after = create_record("contacts", {"city": "Lyon 2e", "sub_note": "single"}, source=SOURCE).pk
    first, second, _ = result.ids
    assert _finds("city", "lyon*") == {before, first, after}
    assert _finds("sub_note", "*bulk*") == {first}
    assert _finds("lastname", "*bulk*") == {second}
    flt = {"propertyName": "hs_task_subject", "operator": "CONTAINS_TOKEN", "value": "*bulk*"}
    assert _ids("tasks", flt) == set(tasks_result.ids)
    if connection.vendor != "sqlite":
        return
    for name in ("lastname", "city", "sub_note", "email"):
        _check_fresh("contacts", name)
    assert set(_fts_rows(tasks)) == set(tasks_result.ids)  # not the note
    for name in ("city", "sub_note", "lastname"):
        fts = index_name("contacts", name, "sqlite")
        assert _copies(queries.captured_queries, fts) == 1, name
        assert _paused(fts) == 0
    assert connection.fts_paused == set()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_pause_covers_its_block_only_even_when_the_block_fails():
    fts = index_name("contacts", "city", "sqlite")
    with filled_in_bulk("contacts", [1, 2]):
        assert _paused(fts) == 1
    assert _paused(fts) == 0
    with pytest.raises(RuntimeError), transaction.atomic(), filled_in_bulk("contacts", [1]):
        raise RuntimeError("the insert failed")
    assert _paused(fts) == 0 and connection.fts_paused == set()
    a = create_record("contacts", {"city": "Paris"}, source=SOURCE).pk
    assert _finds("city", "paris") == {a}
    _check_fresh("contacts", "city")


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_migration_gives_older_insert_triggers_the_pause_and_takes_it_back(sub_note):
    operation = insert_triggers_pausable()
    editor = SimpleNamespace(connection=connection)

    def insert_trigger(name):
        fts = index_name("contacts", name, "sqlite")
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [f"{fts}_ai"])
            return cursor.fetchone()[0]

    assert "comptoir_fts_paused('contacts_contact_trgm_city') = 0 AND " in insert_trigger("city")
    operation.reverse_code(None, editor)  # the triggers as the apps' 0008 made them before
    assert "comptoir_fts_paused" not in insert_trigger("city")
    assert "comptoir_fts_paused" not in insert_trigger("sub_note")
    older = bulk_create_records("contacts", [{"city": "Quimper"}], source=SOURCE).ids[0]
    assert _finds("city", "quimper") == {older}  # trigger and copy: one entry, no error
    operation.code(None, editor)
    operation.code(None, editor)  # twice: the condition is not repeated
    for name in ("city", "sub_note"):
        sql = insert_trigger(name)
        assert sql.count("comptoir_fts_paused") == 1, sql
    a = create_record("contacts", {"city": "Brest", "sub_note": "x y z"}, source=SOURCE).pk
    b = bulk_create_records("contacts", [{"city": "Brest"}], source=SOURCE).ids[0]
    assert _finds("city", "brest") == {a, b}
    for name in ("city", "sub_note"):
        _check_fresh("contacts", name)


def test_fold_skips_the_table_for_ascii_only_where_the_table_changes_nothing():
    """substring_fold's ASCII shortcut rests on the table mapping no ASCII character to
    another; and folding gives what lower-casing then the table gives, ASCII or not."""
    table = _FOLD_TABLE
    assert table, "the table has entries: the claim below is not about an empty table"
    assert all(code >= 128 or code == to for code, to in table.items())
    for value in [*VALUES, "ABC-def@Example.FR", "K\u212a", "SM\u0130TH", "\u017fo"]:
        assert substring_fold(value) == value.lower().translate(table), value


def _small_table_costs(cursor):
    """500 rows: reading them all is cheap, so tell the planner what a regex costs on a
    million (a function call per row) and forbid the plain scan, as test_indexes does."""
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("SET LOCAL cpu_operator_cost = 1")


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        _small_table_costs(cursor)
        cursor.execute("EXPLAIN " + sql, params)
        return " ".join(row[0] for row in cursor.fetchall())


def _some_rows():
    """PostgreSQL plans by statistics: on empty tables any index looks as good as another."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]

    def text(i):
        return f"{words[i % 8]}{i} {words[(i // 8) % 8]}"

    source = ChangeSource(type=SourceType.IMPORT, id="plans")
    n = 500
    rows = {
        "contacts": [
            {
                "firstname": text(i),
                "lastname": text(i + 1),
                "city": text(i + 2),
                "sub_note": text(i + 3),
                "email": f"{words[i % 8]}{i}@example{i}.org",
            }
            for i in range(n)
        ],
        "companies": [
            {"name": text(i), "domain": f"{words[i % 8]}{i}.example.org"} for i in range(n)
        ],
        "deals": [
            {"dealname": text(i), "pipeline": "default", "dealstage": "appointmentscheduled"}
            for i in range(n)
        ],
    }
    for ot, values in rows.items():
        result = bulk_create_records(ot, values, source=source)
        assert result.created == n, result.errors
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{get_object_type(ot).model._meta.db_table}"')


PLANNED = [
    ("contacts", "lastname", "Robert"),
    ("contacts", "firstname", "Marie"),
    ("contacts", "email", "*acme*"),
    ("contacts", "city", "par*"),
    ("contacts", "sub_note", "*urgent*"),
    ("companies", "name", "*soft*"),
    ("companies", "domain", "*acme*"),
    ("deals", "dealname", "renewal"),
]


def test_the_plan_uses_the_index(sub_note):
    """The page's query and the count's (the API's total, the list's count)."""
    if connection.vendor == "postgresql":
        _some_rows()
    for ot, name, value in PLANNED:
        index = registry.definition(ot, name).substring_index
        assert index
        flt = [{"filters": [{"propertyName": name, "operator": "CONTAINS_TOKEN", "value": value}]}]
        qs = filtered_queryset(ot, filter_groups=flt)
        for plan in (_plan(qs[:100]), _count_plan(qs)):
            assert index in plan, plan
            if connection.vendor == "sqlite":
                assert "VIRTUAL TABLE INDEX" in plan
            else:
                assert "Bitmap Index Scan" in plan


def _count_plan(qs) -> str:
    """The plan of `qs.count()` (the API's total, the list's count)."""
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql}) counted", params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        _small_table_costs(cursor)
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) counted", params)
        return " ".join(row[0] for row in cursor.fetchall())


def test_short_parts_scan():
    flt = [{"filters": [{"propertyName": "lastname", "operator": "CONTAINS_TOKEN", "value": "ro"}]}]
    plan = _plan(filtered_queryset("contacts", filter_groups=flt))
    if connection.vendor == "sqlite":
        assert "trgm" not in plan


def test_a_custom_property_gets_its_index_on_demand_and_loses_it_when_archived():
    create_property(
        "contacts", {"name": "sub_tag", "label": "Tag", "type": "string", "fieldType": "text"}
    )
    assert registry.definition("contacts", "sub_tag").substring_index == ""
    record = create_record("contacts", {"sub_tag": "Needle in hay"}, source=SOURCE).pk
    index = build_substring_index.call("contacts", "sub_tag")
    assert index == index_name("contacts", "sub_tag", connection.vendor)
    assert registry.definition("contacts", "sub_tag").substring_index == index
    assert ("contacts", "sub_tag", index) in {
        (i.object_type, i.property, i.index) for i in substring_indexes()
    }
    assert index in existing_index_names()
    assert substring_index_size(index) > 0
    assert _finds("sub_tag", "*eedl*") == {record}  # the rows already there were filled
    assert ensure_substring_index("contacts", "sub_tag") == index  # once only

    archive_property("contacts", "sub_tag")
    assert index not in existing_index_names()
    assert "sub_tag" not in {i.property for i in substring_indexes()}
    assert PropertyDefinition.objects.get(name="sub_tag").substring_index == ""
    # Writes go on without the dropped table's triggers.
    update_record("contacts", record, {"lastname": "Still writable"}, source=SOURCE)


def test_only_text_properties_get_one():
    create_property(
        "contacts", {"name": "sub_n", "label": "N", "type": "number", "fieldType": "number"}
    )
    with pytest.raises(ValidationFailed):
        ensure_substring_index("contacts", "sub_n")
    with pytest.raises(PropertyError):
        ensure_substring_index("contacts", "no_such_property")


def test_activities_index_their_own_type_only():
    index = ensure_substring_index("tasks", "hs_task_subject")
    task = create_record(
        "tasks", {"hs_task_subject": "Call Robert", "hs_timestamp": "2026-01-01"}, source=SOURCE
    ).pk
    create_record("notes", {"hs_note_body": "Robert", "hs_timestamp": "2026-01-01"}, source=SOURCE)
    flt = {"propertyName": "hs_task_subject", "operator": "CONTAINS_TOKEN", "value": "robert"}
    assert _ids("tasks", flt) == {task}
    if connection.vendor == "sqlite":
        assert set(_fts_rows(index)) == {task}
    else:  # partial: the type's rows only, as the compiler's query asks
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            definition = cursor.fetchone()[0]
        assert "gin_trgm_ops" in definition and "object_type_name" in definition
        assert "'tasks'" in definition


@pytest.mark.parametrize(
    "name", ["x'); DROP TABLE contacts_contact; --", 'a"b', "Upper", "a b", "1abc", "a-b", ""]
)
def test_hostile_property_names_are_refused(name):
    with pytest.raises(ValueError):
        index_name("contacts", name, connection.vendor)
    # Even a definition written behind the services' back never reaches the SQL.
    PropertyDefinition.objects.create(
        object_type="contacts",
        name=name,
        label="x",
        group_name="contactinformation",
        type="string",
        field_type="text",
    )
    registry.invalidate()
    with pytest.raises(ValueError):
        ensure_substring_index("contacts", name)
    assert "contacts_contact" in connection.introspection.table_names()


def test_without_pg_trgm_nothing_is_built_and_a_warning_is_logged(caplog):
    class Cursor:
        class db:
            alias = "default"

        def execute(self, sql, params=None):
            self.last = sql
            if sql.startswith("CREATE EXTENSION"):
                raise PermissionError("permission denied to create extension")

        def fetchone(self):
            return None

    with caplog.at_level(logging.WARNING):
        assert trigram_extension(Cursor()) is False
    assert "pg_trgm is unavailable" in caplog.text


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_fold_and_trigram_agree_with_the_regex_on_every_character():
    """The claims `fts_match` rests on, checked over the Basic Multilingual Plane:

    * an ASCII part's match is exact: FTS5 finds "#p#" exactly where the case-insensitive
      regex finds it in the lower-cased text (NOT_CONTAINS_TOKEN negates it);
    * for the characters Python's case-insensitive regex treats specially, the index finds
      at least what the regex finds (no result lost)."""
    import re

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(v, tokenize='trigram')")
    chars = [chr(i) for i in range(1, 0x10000) if not 0xD800 <= i < 0xE000]
    db.executemany(
        "INSERT INTO t(rowid, v) VALUES (?, ?)",
        [(ord(c), "#" + substring_fold(c) + "#") for c in chars],
    )
    lowered = {c: "#" + c.lower() + "#" for c in chars}

    def found(part):
        match = '"' + ("#" + substring_fold(part) + "#").replace('"', '""') + '"'
        return {chr(r) for (r,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?", [match])}

    def regex(part):
        pattern = re.compile("(?i)#" + re.escape(part.lower()) + "#")
        return {c for c, text in lowered.items() if pattern.search(text)}

    for code in range(0x20, 0x7F):
        part = chr(code)
        assert found(part) == regex(part), part
    special = (  # characters with extra case-insensitive equivalents, and their kin
        "\u0131i\u017fs\u03c2\u03c3\u03b8\u03d1\u03ba\u03f0\u03c0\u03d6\u03c1\u03f1"
        "\u03c6\u03d5ßẞ\u00b5\u03bc\u03c9\u03a9k\u212aåÅéèêœæ\u0130"
    )
    for part in special:
        assert regex(part) <= found(part), part
