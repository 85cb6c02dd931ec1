"""Indexes for sorting and filtering on any property (issue 16, point 2): built-in ones for
the properties lists show, on-demand ones asked for by saved views and repeated queries,
built by the worker task, capped per type."""

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from comptoir.core.objects.registry import OBJECT_TYPES, get_object_type
from comptoir.core.properties import index_requests, registry
from comptoir.core.properties.index_requests import (
    QUERY_THRESHOLD,
    note_queries,
    request_index,
    used_properties,
)
from comptoir.core.properties.indexes import (
    builtin_index_name,
    builtin_indexed_properties,
    existing_indexes,
    index_sizes,
)
from comptoir.core.properties.models import IndexReason, IndexStatus, PropertyIndexRequest
from comptoir.core.properties.services import create_property
from comptoir.core.savedviews.services import save_view
from comptoir.core.search.compiler import filtered_queryset, order_by, search
from comptoir.core.tasks import build_property_index
from comptoir.core.testing.factories import make_contact
from comptoir.core.tests.test_indexes import _plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_stale_statistics")]

BUILD = "comptoir.core.tasks.build_property_index"


def jobs(name=None):
    rows = DBTaskResult.objects.filter(task_path=BUILD)
    if name is not None:
        rows = [r for r in rows if r.args_kwargs["args"][-1] == name]
    return list(rows)


def status(name, object_type="contacts"):
    row = PropertyIndexRequest.objects.filter(object_type=object_type, property_name=name).first()
    return row.status if row else None


def custom(name="tier", kind="string", object_type="contacts"):
    create_property(
        object_type, {"name": name, "label": name.title(), "type": kind, "fieldType": "text"}
    )


def eq(name, value):
    return [{"filters": [{"propertyName": name, "operator": "EQ", "value": value}]}]


# -- built-in indexes -------------------------------------------------------------------------


def test_every_json_list_column_and_quick_filter_has_a_built_in_index():
    for ot in OBJECT_TYPES:
        if not ot.pages:
            continue
        defs = registry.definitions(ot)
        shown = (ot.pages.name_property, *ot.pages.list_columns, *ot.pages.quick_filters)
        for name in shown:
            if name in defs and not defs[name].column:
                assert name in builtin_indexed_properties(ot), (ot.name, name)
        present = existing_indexes(ot.model._meta.db_table)
        for name in builtin_indexed_properties(ot):
            index = builtin_index_name(ot, name)
            assert index in present, f"{ot.name}.{name}: no migration builds {index}"
            assert defs[name].index_name == index


@pytest.mark.parametrize(
    ("object_type", "name", "value"),
    [
        ("contacts", "city", "Paris"),
        ("contacts", "jobtitle", "CEO"),
        ("contacts", "company", "Rodriguez et Bertin"),
        ("contacts", "hs_lead_status", "NEW"),
        ("companies", "industry", "COMPUTER_SOFTWARE"),
        ("deals", "notes_last_updated", "2026-01-01"),
        ("tasks", "hs_task_status", None),
    ],
)
def test_built_in_indexes_serve_filters_sorts_and_totals(object_type, name, value):
    ot = get_object_type(object_type)
    index = builtin_index_name(ot, name)
    if value is not None:  # on an empty activities table, SQLite ties with the owner index
        qs = filtered_queryset(ot, filter_groups=eq(name, value))
        assert index in _plan(qs[:100])
        # The total (the list's bounded count, the API's) reads the index, not the rows.
        assert index in _plan(qs.order_by()[:10_001])
    assert index in _plan(filtered_queryset(ot).order_by(*order_by(ot, [name]))[:100])
    descending = _plan(filtered_queryset(ot).order_by(*order_by(ot, ["-" + name]))[:100])
    assert index in descending and "TEMP B-TREE" not in descending


@pytest.mark.parametrize(
    ("name", "value", "other"),
    [("city", "Paris", "Lyon"), ("company", "Rodriguez et Bertin", "Rodriguez")],
)
def test_the_count_of_an_equality_filter_is_answered_from_the_index(name, value, other):
    """Point 3: the COUNT the list page and the API's total run, on the index alone."""
    make_contact(email="a@example.com", **{name: value})
    make_contact(email="b@example.com", **{name: other})
    index = f"json_contact_{name}"
    qs = filtered_queryset("contacts", filter_groups=eq(name, value.upper()))
    sql, params = qs.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql})", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert f"USING INDEX {index}" in plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) t", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert index in plan and "Seq Scan" not in plan
    body = {"filterGroups": eq(name, value.upper()), "limit": 1}
    assert search("contacts", body).total == 1


def test_built_in_indexes_do_not_count_against_the_cap(settings):
    settings.COMPTOIR_MAX_PROPERTY_INDEXES = 1
    custom("tier")
    assert registry.definition("contacts", "city").index_name  # built in
    assert build_property_index.call("contacts", "tier") == "prop_contacts_tier"


# -- what a request uses ----------------------------------------------------------------------


def test_used_properties_reads_filters_and_the_first_sort_leniently():
    groups = [{"filters": [{"propertyName": "a", "operator": "EQ"}, "junk", {"x": 1}]}, 3]
    uses = used_properties(groups, [{"propertyName": "b", "operator": "GT"}], ["-c", "d"])
    assert uses == [("b", "GT"), ("a", "EQ"), ("c", "SORT")]
    assert used_properties("junk", {"no": 1}, {"propertyName": "e"}) == [("e", "SORT")]


# -- saved views ------------------------------------------------------------------------------


def test_saving_a_view_on_an_unindexed_property_queues_its_index_once(
    user, django_capture_on_commit_callbacks
):
    custom("tier")
    ot = get_object_type("contacts")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        view = save_view(user, ot, "Gold", filter_groups=eq("tier", "gold"), sort="-city")
    assert len(callbacks) == 1  # city is built in: only tier is asked for
    row = PropertyIndexRequest.objects.get(property_name="tier")
    assert (row.status, row.reason, row.actor_id, row.saved_view_id) == (
        IndexStatus.PENDING,
        IndexReason.SAVED_VIEW,
        user.pk,
        view.pk,
    )
    assert len(jobs("tier")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        save_view(user, ot, "Gold again", filter_groups=[], sort="tier")
    assert len(jobs("tier")) == 1  # pending already: not queued twice
    # The worker builds it; the view's queries then use it.
    assert build_property_index.call("contacts", "tier") == "prop_contacts_tier"
    assert status("tier") == IndexStatus.READY
    assert "prop_contacts_tier" in _plan(
        filtered_queryset("contacts", filter_groups=eq("tier", "gold"))[:100]
    )
    with django_capture_on_commit_callbacks(execute=True):
        save_view(user, ot, "Gold sorted", filter_groups=eq("tier", "x"), sort="tier")
    assert len(jobs("tier")) == 1  # indexed: nothing asked


@pytest.mark.django_db(transaction=True)  # as in the worker: no transaction around the build
def test_a_custom_text_property_indexed_on_demand_gets_its_contains_index_too():
    custom("segment")
    create_property(
        "contacts", {"name": "score", "label": "Score", "type": "number", "fieldType": "number"}
    )
    make_contact(email="a@example.com", segment="Key account Paris")
    make_contact(email="b@example.com", segment="Robotics partner")
    request_index("contacts", "segment", IndexReason.QUERIES)
    assert build_property_index.call("contacts", "segment") == "prop_contacts_segment"
    definition = registry.definitions(get_object_type("contacts"))["segment"]
    assert definition.substring_index  # SQLite's FTS table, PostgreSQL's trigram index
    contains = [
        {
            "filters": [
                {"propertyName": "segment", "operator": "CONTAINS_TOKEN", "value": "*account*"}
            ]
        }
    ]
    found = filtered_queryset("contacts", filter_groups=contains)
    assert [c.email for c in found] == ["a@example.com"]
    request_index("contacts", "score", IndexReason.QUERIES)
    build_property_index.call("contacts", "score")  # a number: no contains index
    assert not registry.definitions(get_object_type("contacts"))["score"].substring_index
    # Dropped by an administrator: both go, the contains filter still answers (by a scan).
    index_requests.drop_index("contacts", "segment", actor_id=None)
    assert not registry.definitions(get_object_type("contacts"))["segment"].substring_index
    found = filtered_queryset("contacts", filter_groups=contains)
    assert [c.email for c in found] == ["a@example.com"]


def test_a_view_filtering_only_with_not_operators_asks_for_nothing(user):
    custom("tier")
    flt = [{"filters": [{"propertyName": "tier", "operator": "NEQ", "value": "x"}]}]
    save_view(user, get_object_type("contacts"), "Not x", filter_groups=flt)
    assert status("tier") is None


# -- repeated queries -------------------------------------------------------------------------


def test_repeated_list_pages_ask_for_the_index_at_the_threshold(
    client_in, django_capture_on_commit_callbacks
):
    custom("tier")
    url = "/contacts/?sort=tier"
    for _ in range(QUERY_THRESHOLD - 1):
        assert client_in.get(url).status_code == 200
    row = PropertyIndexRequest.objects.get(property_name="tier")
    assert (row.status, row.hits) == (IndexStatus.COUNTING, QUERY_THRESHOLD - 1)
    assert jobs("tier") == []
    with django_capture_on_commit_callbacks(execute=True):
        assert client_in.get(url).status_code == 200  # the page works, unindexed
    row.refresh_from_db()
    assert (row.status, row.reason) == (IndexStatus.PENDING, IndexReason.QUERIES)
    assert len(jobs("tier")) == 1
    for _ in range(QUERY_THRESHOLD + 1):  # pending: counted no more, never queued twice
        client_in.get(url)
    assert len(jobs("tier")) == 1


def test_api_searches_count_across_request_cycles(client, django_capture_on_commit_callbacks):
    from comptoir.core.testing.factories import make_user
    from comptoir.users.services import create_token

    custom("tier")
    raw = create_token(make_user("api@example.com", role="Super admin"), "Tests")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = {"filterGroups": eq("tier", "gold"), "sorts": ["hs_object_id"]}
    for _ in range(QUERY_THRESHOLD):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/crm/v3/objects/contacts/search", body, content_type="application/json", **headers
            )
        assert response.status_code == 200
        registry.clear_local()  # as another server process, with its own caches
    assert status("tier") == IndexStatus.PENDING
    assert len(jobs("tier")) == 1


def test_queries_on_indexed_properties_write_nothing(django_assert_num_queries):
    custom("tier")
    registry.definitions("contacts")  # warm, as a request past its first read is
    with django_assert_num_queries(0):
        note_queries("contacts", [("city", "EQ"), ("lastname", "SORT"), ("tier", "NEQ")])


def test_counting_a_query_is_one_read_and_one_small_write(django_assert_num_queries):
    custom("tier")
    custom("rank")
    note_queries("contacts", [("tier", "EQ"), ("rank", "SORT")])
    with django_assert_num_queries(2):  # the rows of both, then one UPDATE of one
        note_queries("contacts", [("tier", "EQ"), ("rank", "SORT")])
    hits = dict(PropertyIndexRequest.objects.values_list("property_name", "hits"))
    assert hits == {"tier": 2}


def test_counting_starts_again_after_the_window(monkeypatch):
    import datetime as dt

    from django.utils import timezone

    custom("tier")
    for _ in range(QUERY_THRESHOLD - 1):
        note_queries("contacts", [("tier", "EQ")])
    later = timezone.now() + index_requests.QUERY_WINDOW + dt.timedelta(minutes=1)
    monkeypatch.setattr(index_requests.timezone, "now", lambda: later)
    note_queries("contacts", [("tier", "EQ")])
    row = PropertyIndexRequest.objects.get(property_name="tier")
    assert (row.status, row.hits) == (IndexStatus.COUNTING, 1)


# -- the worker and the cap -------------------------------------------------------------------


@override_settings(COMPTOIR_MAX_PROPERTY_INDEXES=1)
def test_past_the_cap_a_request_is_refused_and_says_why(django_capture_on_commit_callbacks):
    custom("tier")
    custom("rank")
    with django_capture_on_commit_callbacks(execute=True):
        request_index("contacts", "tier", IndexReason.ADMIN)
        refused = request_index("contacts", "rank", IndexReason.ADMIN)
    assert refused.status == IndexStatus.REFUSED
    assert "COMPTOIR_MAX_PROPERTY_INDEXES" in refused.error
    assert len(jobs()) == 1
    build_property_index.call("contacts", "tier")
    # A job queued before the cap was reached is refused by the worker too.
    assert build_property_index.call("contacts", "rank") == ""
    assert status("rank") == IndexStatus.REFUSED
    assert registry.definition("contacts", "rank").index_name == ""


def test_a_failed_build_records_the_error(monkeypatch):
    from django.db import DatabaseError

    custom("tier")
    request_index("contacts", "tier", IndexReason.ADMIN)

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(index_requests, "ensure_property_index", broken)
    assert build_property_index.call("contacts", "tier") == ""
    row = PropertyIndexRequest.objects.get(property_name="tier")
    assert (row.status, row.error) == (IndexStatus.FAILED, "disk full")


def test_index_sizes_are_read_from_the_database():
    custom("tier")
    build_property_index.call("contacts", "tier")
    sizes = index_sizes(["prop_contacts_tier", "json_contact_city", "nothing_here"])
    assert sizes["nothing_here"] is None
    if connection.vendor == "postgresql":
        assert sizes["prop_contacts_tier"] > 0 and sizes["json_contact_city"] > 0
    else:  # dbstat when SQLite has it compiled in
        assert all(sizes[n] is None or sizes[n] > 0 for n in ("prop_contacts_tier",))


def test_a_build_whose_worker_died_is_queued_again_once(django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from comptoir.core.scheduling.scheduler import tick

    custom("tier")
    with django_capture_on_commit_callbacks(execute=True):
        request_index("contacts", "tier", IndexReason.ADMIN)
    PropertyIndexRequest.objects.filter(property_name="tier").update(status=IndexStatus.BUILDING)
    assert len(jobs("tier")) == 1
    tick("w1")  # building for a moment only: left alone
    assert len(jobs("tier")) == 1
    later = timezone.now() + index_requests.STALE + dt.timedelta(minutes=1)
    tick("w1", now=later)
    tick("w2", now=later)  # another worker on the same tick: the claim is taken
    assert len(jobs("tier")) == 2
    assert status("tier") == IndexStatus.PENDING
    assert build_property_index.call("contacts", "tier") == "prop_contacts_tier"
