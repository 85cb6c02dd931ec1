"""Values no column or database can hold are refused naming the field (issue 13, point 6).

Before, each of these failed inside the database driver (a 500): deal amounts past the
column on PostgreSQL (1e18) or past Decimal's precision on SQLite (1e26), `1e400` read as
infinity, NUL bytes on PostgreSQL (SQLite stored them), unpaired surrogates on both,
datetimes that leave Python's range in UTC, pipeline display orders of 1e30 and NaN
probabilities. Run on SQLite and on PostgreSQL."""

import json

import pytest

from comptoir.core.pipelines import services as pipelines
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import api_properties, base_queryset
from comptoir.core.records.writes import create_record
from comptoir.core.testing.factories import UI, make_deal, make_user
from comptoir.users.services import create_token

BAD_VALUES = [
    ("amount", "1e26"),
    ("amount", "1000000000000000000"),
    ("amount", 1e26),
    ("amount", 10**30),
    ("amount", "1e400"),
    ("amount", "NaN"),
    ("amount", "-Infinity"),
    ("hs_priority", "high\x00"),
    ("dealname", "Acme\x00"),
    ("dealname", "Acme\ud800"),
    ("description", "a\x00b"),  # a JSON property
    ("description", "\udfff"),
    ("closedate", "0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
    ("closedate", "9999-12-31T23:00:00-05:00"),  # after year 9999 in UTC
    ("closedate", 253402300799999),  # epoch ms of 9999-12-31T23:59:59.999Z
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_a_value_no_database_holds_is_refused_naming_the_property(db, name, value):
    properties = {"dealname": "Deal", "dealstage": "appointmentscheduled", name: value}
    with pytest.raises(ValidationFailed) as refused:
        create_record("deals", properties, source=UI)
    assert [error.name for error in refused.value.errors] == [name]
    assert not base_queryset("deals").exists()


def test_numbers_at_the_limits_are_kept_exactly(db):
    deal = make_deal(amount="-999999999999999", hs_forecast_probability="-0")
    deal = get_record("deals", deal.pk)
    assert str(deal.amount) == "-999999999999999.00"
    assert deal.properties["hs_forecast_probability"] == 0


def test_early_and_late_datetimes_are_stored_with_four_digit_years(db):
    deal = make_deal(closedate="0002-03-04T05:06:07Z", description="x")
    record = create_record(
        "notes", {"hs_timestamp": "9999-12-29T00:00:00Z", "hs_note_body": "far"}, source=UI
    )
    assert get_record("deals", deal.pk).closedate.year == 2
    stored = api_properties("notes", get_record("notes", record.pk), ["hs_timestamp"])
    assert stored == {"hs_timestamp": "9999-12-29T00:00:00.000Z"}


def test_a_bulk_write_refuses_only_the_rows_with_such_values(db):
    rows = [
        {"dealname": "Good", "dealstage": "appointmentscheduled", "amount": "10"},
        {"dealname": "Huge", "dealstage": "appointmentscheduled", "amount": "1e26"},
        {"dealname": "Nul\x00", "dealstage": "appointmentscheduled"},
        {"dealname": "Also good", "dealstage": "appointmentscheduled", "amount": "1e15"},
    ]
    result = bulk_create_records("deals", rows, source=UI)
    assert [pk is not None for pk in result.ids] == [True, False, False, True]
    assert {i: [e.name for e in errors] for i, errors in result.errors.items()} == {
        1: ["amount"],
        2: ["dealname"],
    }


PIPELINE_INPUTS = [
    ({"displayOrder": 1e30}, "displayOrder"),
    ({"displayOrder": 2**31}, "displayOrder"),
    ({"displayOrder": "first"}, "displayOrder"),
    ({"displayOrder": float("nan")}, "displayOrder"),
    ({"label": "Sales\x00"}, "label"),
    ({"label": "Sales\ud800"}, "label"),
    ({"label": "x" * 201}, "label"),
    ({"pipelineId": "p\x00"}, "pipelineId"),
    ({"pipelineId": "p" * 65}, "pipelineId"),
    ({"stages": [{"label": "S", "displayOrder": 1e30, "metadata": {"probability": "0.5"}}]}, None),
    ({"stages": [{"label": "S", "metadata": {"probability": "NaN"}}]}, None),
    ({"stages": [{"label": "S\x00", "metadata": {"probability": "0.5"}}]}, None),
    ({"stages": [{"label": "S", "stageId": "s" * 65, "metadata": {"probability": "1"}}]}, None),
]


@pytest.mark.parametrize(("change", "field"), PIPELINE_INPUTS)
def test_a_pipeline_input_no_column_holds_is_refused_naming_the_field(db, change, field):
    data = {"label": "New", "stages": [{"label": "Open", "metadata": {"probability": "0.1"}}]}
    data |= change
    with pytest.raises(ValidationFailed) as refused:
        pipelines.create_pipeline("deals", data, source=UI)
    names = [error.name for error in refused.value.errors]
    assert names == [field or STAGE_FIELDS[PIPELINE_INPUTS.index((change, field)) - 9]]


STAGE_FIELDS = ["stages.displayOrder", "metadata.probability", "stages.label", "stageId"]


@pytest.mark.parametrize(
    "data", [{"displayOrder": 1e30}, {"displayOrder": -(2**31) - 1}, {"label": "Sales\x00"}]
)
def test_a_pipeline_update_no_column_holds_is_refused_naming_the_field(db, data):
    with pytest.raises(ValidationFailed) as refused:
        pipelines.update_pipeline("deals", "default", data, source=UI)
    assert [error.name for error in refused.value.errors] == list(data)


def test_stage_updates_refuse_display_orders_and_probabilities_out_of_range(db):
    for data, field in (
        ({"displayOrder": 1e30}, "displayOrder"),
        ({"metadata": {"probability": "NaN"}}, "metadata.probability"),
        ({"label": "Won\x00"}, "label"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            pipelines.update_stage("deals", "default", "closedwon", data, source=UI)
        assert [error.name for error in refused.value.errors] == [field]


def test_the_api_answers_400_naming_the_property(client, db):
    user = make_user("api@example.com", role="Super admin")
    headers = {"Authorization": f"Bearer {create_token(user, 'tests')[1]}"}
    for name, value in [("amount", "1e26"), ("amount", "1e400"), ("dealname", "a\x00")]:
        body = {"properties": {"dealname": "D", "dealstage": "appointmentscheduled"}}
        body["properties"][name] = value
        response = client.post(
            "/crm/v3/objects/deals", json.dumps(body), "application/json", headers=headers
        )
        assert response.status_code == 400, (name, value, response.content)
        assert name in response.json()["message"]
    stages = [{"label": "S", "metadata": {"probability": "0.1"}}]
    body = {"label": "P", "displayOrder": 1e30, "stages": stages}
    response = client.post(
        "/crm/v3/pipelines/deals", json.dumps(body), "application/json", headers=headers
    )
    assert response.status_code == 400 and "displayOrder" in response.json()["message"]


PROPERTY_INPUTS = [
    ({"label": "Tier\x00"}, "label"),
    ({"label": "Tier\ud800"}, "label"),
    ({"label": "x" * 201}, "label"),
    ({"label_fr": "Niveau\x00"}, "label_fr"),
    ({"description": "a\x00b"}, "description"),
    ({"displayOrder": 1e30}, "displayOrder"),
    ({"displayOrder": "first"}, "displayOrder"),
    ({"options": [{"label": "Gold\x00", "value": "gold"}]}, "options[0].label"),
    ({"options": [{"label": "Gold", "value": "gold\ud800"}]}, "options[0].value"),
    ({"options": [{"label": "Gold", "value": "gold", "displayOrder": 1e400}]}, None),
    ({"groupName": "info\x00"}, "groupName"),
]


@pytest.mark.parametrize(("change", "field"), PROPERTY_INPUTS)
def test_a_property_definition_no_column_holds_is_refused_naming_the_field(db, change, field):
    from comptoir.core.properties import services as properties

    data = {"name": "tier", "label": "Tier", "type": "enumeration", "fieldType": "select"}
    data |= {"options": [{"label": "Gold", "value": "gold"}]} | change
    with pytest.raises(ValidationFailed) as refused:
        properties.create_property("companies", data, source=UI)
    assert [error.name for error in refused.value.errors] == [field or "options[0].displayOrder"]
    if set(change) <= {"label", "label_fr", "displayOrder"}:  # what a group has too
        with pytest.raises(ValidationFailed) as refused:
            properties.create_group("companies", {"name": "extra", "label": "Extra"} | change)
        assert [error.name for error in refused.value.errors] == [field]
