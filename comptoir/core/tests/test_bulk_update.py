"""Derived values written in bulk (issue 16, imports): `update_records_in_bulk` leaves the
records and their history exactly as one `update_record` per record does, in a number of
statements that does not grow with the records."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.records.bulk_update import update_records_in_bulk
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import base_queryset, read_value
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import make_company, make_deal, make_user
from comptoir.core.timeline.models import TimelineEvent

pytestmark = pytest.mark.django_db

AUTO = ChangeSource(SourceType.AUTOMATION, id="rollups")
# The ids, dates of the write, and the names the factories number.
SKIPPED = {"hs_object_id", "createdate", "hs_lastmodifieddate", "name", "dealname"}


def state(object_type, pk) -> tuple:
    """A record's values (ids and dates of the write aside) and its history rows."""
    record = get_record(object_type, pk)
    defs = registry.definitions(object_type)
    values = {n: read_value(record, d) for n, d in defs.items() if n not in SKIPPED}
    history = list(
        PropertyChange.objects.filter(
            object_type=get_object_type(object_type).type_id, object_id=pk
        )
        .exclude(property__in=SKIPPED)
        .order_by("id")
        .values_list("property", "value", "source_type", "source_id", "actor_id")
    )
    return values, history


def wanted(i: int) -> dict:
    """Rollup values of record i: counts, dates, a removal (None) and an unchanged value."""
    return {
        "num_notes": i,
        "num_contacted_notes": 0 if i % 2 else i,
        "notes_last_updated": None if i % 3 == 0 else f"2026-0{1 + i % 9}-1{i % 9}T10:00:00Z",
        "num_associated_contacts": i * 2,
    }


def twins(object_type: str, make, count: int):
    """Two identical lists of records; every third one has a last-activity date to remove."""
    pairs = []
    for i in range(count):
        a, b = make(), make()
        if i % 3 == 0:
            for record in (a, b):
                update_record(
                    object_type,
                    record.pk,
                    {"notes_last_updated": "2025-12-01T08:00:00Z"},
                    source=AUTO,
                    allow_read_only=True,
                )
        pairs.append((a.pk, b.pk))
    return pairs


@pytest.mark.parametrize("object_type", ["companies", "deals"])
def test_bulk_writes_what_single_updates_write(object_type):
    make = make_company if object_type == "companies" else make_deal
    pairs = twins(object_type, make, 7)
    defs = registry.definitions(object_type)
    for i, (single, _bulk) in enumerate(pairs):
        values = {k: v for k, v in wanted(i).items() if k in defs}
        update_record(object_type, single, values, source=AUTO, allow_read_only=True)
    records = {r.pk: r for r in base_queryset(object_type).filter(pk__in=[b for _, b in pairs])}
    changed = update_records_in_bulk(
        object_type,
        [
            (records[b], {k: v for k, v in wanted(i).items() if k in defs})
            for i, (_, b) in enumerate(pairs)
        ],
        source=AUTO,
        allow_read_only=True,
    )
    assert changed == [b for _, b in pairs]
    for single, bulk in pairs:
        assert state(object_type, bulk) == state(object_type, single)
    # The records really hold the values (read back from the database, not the instances).
    assert read_value(get_record(object_type, pairs[4][1]), defs["num_notes"]) == 4
    assert read_value(get_record(object_type, pairs[3][1]), defs["notes_last_updated"]) is None


def test_statements_do_not_grow_with_the_records():
    def statements(count: int) -> int:
        ids = [make_company().pk for _ in range(count)]
        records = list(base_queryset("companies").filter(pk__in=ids))
        with CaptureQueriesContext(connection) as queries:
            update_records_in_bulk(
                "companies",
                [(r, {"num_notes": 5, "num_associated_contacts": 3}) for r in records],
                source=AUTO,
                allow_read_only=True,
            )
        return len(queries)

    few, many = statements(2), statements(40)
    assert few == many
    # updated_at, two properties, the history insert (and the savepoint on each side).
    assert many <= 6


def test_a_column_property_is_written_like_update_record_writes_it():
    """Deal amount: a decimal column; its stage values come with it (DealBehavior.clean)."""
    a, b = make_deal(amount="100"), make_deal(amount="100")
    update_record("deals", a.pk, {"amount": "1234.5"}, source=AUTO)
    update_records_in_bulk(
        "deals", [(get_record("deals", b.pk), {"amount": "1234.5"})], source=AUTO
    )
    assert state("deals", b.pk) == state("deals", a.pk)
    assert read_value(get_record("deals", b.pk), registry.definitions("deals")["amount"]) == (
        read_value(get_record("deals", a.pk), registry.definitions("deals")["amount"])
    )


def test_changes_with_timeline_events_go_through_update_record():
    owner = make_user(email="owner@example.com").owner
    company = make_company()
    update_records_in_bulk(
        "companies",
        [(get_record("companies", company.pk), {"hubspot_owner_id": str(owner.pk)})],
        source=AUTO,
    )
    assert TimelineEvent.objects.filter(object_id=company.pk).exists()
    assert read_value(
        get_record("companies", company.pk), registry.definitions("companies")["hubspot_owner_id"]
    ) == str(owner.pk)


def test_an_invalid_value_keeps_nothing():
    a, b = make_company(), make_company()
    records = list(base_queryset("companies").filter(pk__in=[a.pk, b.pk]).order_by("pk"))
    with pytest.raises(ValidationFailed):
        update_records_in_bulk(
            "companies",
            [(records[0], {"num_notes": 3}), (records[1], {"num_notes": "many"})],
            source=AUTO,
            allow_read_only=True,
        )
    assert not PropertyChange.objects.filter(object_id=a.pk, property="num_notes").exists()


def test_wide_changes_take_fewer_records_a_statement(monkeypatch):
    """A record changing many properties at once carries a parameter each: the records a
    statement takes shrink so that no statement passes MAX_PARAMETERS (SQLite refuses past
    32,766, PostgreSQL past 65,535)."""
    from comptoir.core.records import bulk_update

    monkeypatch.setattr(bulk_update, "MAX_PARAMETERS", 9)  # 1 id + 3 values: 2 records
    ids = [make_company().pk for _ in range(5)]
    records = list(base_queryset("companies").filter(pk__in=ids).order_by("pk"))
    changes = {"num_notes": 7, "num_associated_contacts": 2, "num_contacted_notes": 1}
    with CaptureQueriesContext(connection) as queries:
        update_records_in_bulk(
            "companies", [(r, changes) for r in records], source=AUTO, allow_read_only=True
        )
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3  # 2 + 2 + 1 records
    defs = registry.definitions("companies")
    for record in base_queryset("companies").filter(pk__in=ids):
        assert {n: read_value(record, defs[n]) for n in changes} == changes
