"""Rollup properties (ACT-2) kept by the services: activity counts and dates on contacts,
companies and deals, association counts on companies; with history."""

import pytest

from comptoir.core.associations.services import associate, remove_association
from comptoir.core.history.models import PropertyChange
from comptoir.core.properties import registry
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import read_value
from comptoir.core.records.writes import archive_record, restore_record
from comptoir.core.testing.factories import UI, make_activity, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db


def props(object_type, record, *names):
    fresh = get_record(object_type, record.pk)
    defs = registry.definitions(object_type)
    return tuple(read_value(fresh, defs[n]) for n in names)


ROLLUPS = ("num_notes", "num_contacted_notes", "notes_last_updated", "notes_last_contacted")


def test_activities_roll_up_on_create_associate_archive_and_restore():
    company = make_company(name="Acme")
    lea = make_contact(firstname="Léa", associations=[("companies", company.pk, None)])
    assert props("contacts", lea, *ROLLUPS) == (None, None, None, None)  # no activity yet
    note = make_activity(
        "notes",
        hs_timestamp="2026-03-01T10:00:00Z",
        hs_note_body="hello",
        associations=[("contacts", lea.pk, None)],
    )
    call = make_activity(
        "calls", hs_timestamp="2026-02-01T10:00:00Z", associations=[("contacts", lea.pk, None)]
    )
    assert props("contacts", lea, *ROLLUPS) == (
        2,
        1,
        "2026-03-01T10:00:00.000Z",
        "2026-02-01T10:00:00.000Z",
    )
    associate("calls", call.pk, "companies", company.pk, source=UI)
    assert props("companies", company, *ROLLUPS) == (
        1,
        1,
        "2026-02-01T10:00:00.000Z",
        "2026-02-01T10:00:00.000Z",
    )
    archive_record("notes", note.pk, source=UI)
    assert props("contacts", lea, "num_notes", "notes_last_updated") == (
        1,
        "2026-02-01T10:00:00.000Z",
    )
    restore_record("notes", note.pk, source=UI)
    assert props("contacts", lea, "num_notes")[0] == 2
    remove_association("calls", call.pk, "contacts", lea.pk, source=UI)
    assert props("contacts", lea, "num_contacted_notes", "notes_last_contacted") == (0, None)
    # Written through the services: history says an automation did it.
    change = PropertyChange.objects.filter(object_id=lea.pk, property="num_notes").last()
    assert change.source_type == "AUTOMATION" and change.source_id == "rollups"


def test_association_counts_on_companies_and_deals():
    company = make_company(name="Globex")
    make_contact(firstname="A", associations=[("companies", company.pk, None)])
    b = make_contact(firstname="B", associations=[("companies", company.pk, None)])
    deal = make_deal(associations=[("companies", company.pk, None), ("contacts", b.pk, None)])
    assert props("companies", company, "num_associated_contacts", "num_associated_deals") == (2, 1)
    assert props("deals", deal, "num_associated_contacts") == (1,)
    assert props("contacts", b, "num_associated_deals") == (1,)
    archive_record("contacts", b.pk, source=UI)
    assert props("companies", company, "num_associated_contacts") == (1,)


def test_activities_created_in_bulk_by_the_api_roll_up():
    from comptoir.core.records.bulk import bulk_create_records

    lea = make_contact(firstname="Léa")
    rows = [{"hs_timestamp": f"2026-04-0{d}T10:00:00Z"} for d in (1, 2, 3)]
    bulk_create_records(
        "calls",
        rows,
        source=UI,
        associations=[[("contacts", lea.pk, None)]] * 3,
        automations=True,
    )
    assert props("contacts", lea, *ROLLUPS) == (
        3,
        3,
        "2026-04-03T10:00:00.000Z",
        "2026-04-03T10:00:00.000Z",
    )
