"""The bulk path (imports, API batches, demo data) stores exactly what `create_record`
stores: the same columns, JSON properties, search text and history rows, whatever the
property types and however awkward the text (tabs, backslashes, quotes, accents)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties.services import create_property
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import create_record, purge_records
from comptoir.core.testing.factories import make_user
from comptoir.users.services import owner_for

pytestmark = pytest.mark.django_db

# Automations would add records of their own on one path only: compare the writes alone.
SOURCE = ChangeSource(type=SourceType.AUTOMATION, id="7", request_id="same")
AT = dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC)
AWKWARD = 'Zoé\t"Lefèvre"\\n O\'Brien\r\nŒuvre 日本 \\'


def _custom_properties():
    for name, kind, field_type, options in [
        ("budget", "number", "number", None),
        ("signed_on", "date", "date", None),
        ("met_at", "datetime", "date", None),
        ("vip", "bool", "booleancheckbox", None),
        ("tier", "enumeration", "select", ["gold", "silver"]),
        ("tags", "enumeration", "checkbox", ["a", "b", "c"]),
        ("notes_text", "string", "textarea", None),
    ]:
        data = {"name": name, "label": name, "type": kind, "fieldType": field_type}
        if options:
            data["options"] = [{"label": o.title(), "value": o} for o in options]
        create_property("contacts", data)


def _snapshot(ot, pk):
    ot = get_object_type(ot)
    record = base_queryset(ot).get(pk=pk)
    fields = {
        f.attname: getattr(record, f.attname)
        for f in ot.model._meta.concrete_fields
        if not f.primary_key
    }
    history = sorted(
        PropertyChange.objects.filter(object_type=ot.type_id, object_id=pk).values_list(
            "property", "value", "changed_at", "source_type", "source_id", "actor_id", "request_id"
        ),
        key=lambda row: row[0],
    )
    return fields, history


def _both_ways(ot, props):
    """(snapshot through create_record, snapshot through bulk_create_records)."""
    single = create_record(ot, props, source=SOURCE, at=AT)
    expected = _snapshot(ot, single.pk)
    purge_records(ot, [single.pk])
    result = bulk_create_records(ot, [props], source=SOURCE, times=[AT])
    assert result.errors == {}
    return expected, _snapshot(ot, result.ids[0])


def test_a_contact_with_every_kind_of_property():
    _custom_properties()
    owner = owner_for(make_user())
    props = {
        "email": "Zoé.Lefèvre@Exemple.fr",
        "firstname": AWKWARD,
        "lastname": "  Lefèvre  ",
        "phone": "+33 6 12 34 56 78",
        "mobilephone": "06 ١٢ 34",
        "company": "Acme & Cie",
        "hs_additional_emails": "a@b.fr; A@B.fr;c@d.fr",
        "lifecyclestage": "lead",
        "hubspot_owner_id": str(owner.pk),
        "budget": "1234.50",
        "signed_on": "2024-12-31",
        "met_at": "2024-12-31T23:30:00+02:00",
        "vip": "yes",
        "tier": "gold",
        "tags": "c;a;c",
        "notes_text": AWKWARD * 3,
    }
    expected, bulk = _both_ways("contacts", props)
    assert bulk == expected


@pytest.mark.parametrize(
    ("ot", "props"),
    [
        (
            "companies",
            {
                "name": AWKWARD,
                "domain": "https://www.Acme-Été.fr/about",
                "phone": "01 23 45 67 89",
                "website": "acme.fr",
            },
        ),
        (
            "deals",
            {
                "dealname": AWKWARD,
                "dealstage": "closedwon",
                "amount": "1234.567",
                "closedate": "2025-01-31",
                "description": "Ligne 1\nLigne 2",
            },
        ),
        ("tasks", {"hs_timestamp": "1735689600000", "hs_task_subject": AWKWARD}),
        ("calls", {"hs_timestamp": "2025-01-01T10:00:00Z", "hs_call_body": "<p>é</p>"}),
    ],
)
def test_other_object_types(ot, props):
    expected, bulk = _both_ways(ot, props)
    assert bulk == expected


@settings(max_examples=25, deadline=None)
@given(
    firstname=st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=30),
    lastname=st.text(max_size=30).map(lambda t: t.replace("\x00", "")),
    phone=st.text("+0123456789 ()-.٣", max_size=20),
)
def test_any_text(firstname, lastname, phone):
    props = {"firstname": firstname, "lastname": lastname, "phone": phone}
    expected, bulk = _both_ways("contacts", props)
    assert bulk == expected


def test_a_batch_wider_than_one_insert_statement_is_stored_whole(monkeypatch):
    """SQLite writes several rows per INSERT: a batch spread over statements of different
    sizes keeps every row, its history and its search text (ids in order)."""
    from comptoir.core.records import bulk

    monkeypatch.setattr(bulk, "SQLITE_ROWS_PER_INSERT", 3)
    rows = [{"email": f"row{i}@example.com", "firstname": f"Row{i}"} for i in range(7)]
    result = bulk_create_records("contacts", rows, source=SOURCE)
    assert result.created == 7
    stored = list(
        base_queryset("contacts").order_by("pk").values_list("pk", "email", "search_text")
    )
    assert [(pk, email) for pk, email, _ in stored] == [
        (result.ids[i], f"row{i}@example.com") for i in range(7)
    ]
    assert all(f"row{i}" in text for i, (_, _, text) in enumerate(stored))
    contacts = get_object_type("contacts").type_id
    for pk in result.ids:
        assert PropertyChange.objects.filter(
            object_type=contacts, object_id=pk, property="email"
        ).exists()
