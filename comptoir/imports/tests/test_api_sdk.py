"""crm.imports through the official SDK against a live server (reference §2.6)."""

import json

import pytest
from hubspot.crm.imports import ApiException

from comptoir.core.records.values import base_queryset
from comptoir.imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def request_json(**changes):
    body = {
        "name": "Salon 2026",
        "importOperations": {"0-1": "UPSERT"},
        "dateFormat": "DAY_MONTH_YEAR",
        "files": [
            {
                "fileName": "salon.csv",
                "fileFormat": "CSV",
                "fileImportPage": {
                    "hasHeader": True,
                    "columnMappings": [
                        {
                            "columnObjectTypeId": "0-1",
                            "columnName": "Email",
                            "propertyName": "email",
                            "idColumnType": "HUBSPOT_ALTERNATE_ID",
                        },
                        {
                            "columnObjectTypeId": "0-1",
                            "columnName": "First Name",
                            "propertyName": "firstname",
                        },
                        {
                            "columnObjectTypeId": "0-1",
                            "columnName": "Ignored",
                            "propertyName": None,
                        },
                    ],
                },
            }
        ],
    }
    body.update(changes)
    return json.dumps(body)


@pytest.fixture
def salon_file(tmp_path):
    path = tmp_path / "salon.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Email", "First Name", "Ignored"],
                ["ana@example.com", "Ana", "x"],
                ["not-an-email", "Bad", "y"],
                ["ben@example.com", "Ben", "z"],
            ]
        )
    )
    return str(path)


@pytest.mark.sdk_both_modes
def test_create_run_get_list_and_errors(hubspot, salon_file, run_worker):
    created = hubspot.crm.imports.core_api.create(files=salon_file, import_request=request_json())
    assert created.state == "STARTED" and created.import_name == "Salon 2026"
    assert created.mapped_object_type_ids == ["0-1"]
    assert created.import_source == "API"
    run_worker()
    done = hubspot.crm.imports.core_api.get_by_id(created.id)
    assert done.state == "DONE"
    assert done.metadata.counters["CREATED_OBJECTS"] == 2
    assert done.metadata.counters["ERRORS"] == 1
    assert done.import_request_json["name"] == "Salon 2026"
    assert sorted(c.firstname for c in base_queryset("contacts")) == ["Ana", "Ben"]

    page = hubspot.crm.imports.core_api.get_page()
    assert [i.id for i in page.results] == [created.id]

    errors = hubspot.crm.imports.public_imports_api.get_errors(
        created.id, include_error_message=True, include_row_data=True
    )
    (error,) = errors.results
    assert error.error_type == "INVALID_EMAIL"
    assert error.source_data.line_number == 3
    assert error.source_data.row_data == ["not-an-email", "Bad", "y"]
    assert error.known_column_number == 1
    assert "not-an-email" in error.error_message
    assert isinstance(error.created_at, int)


def test_cancel_a_queued_import_and_paging(hubspot, salon_file):
    first = hubspot.crm.imports.core_api.create(files=salon_file, import_request=request_json())
    second = hubspot.crm.imports.core_api.create(files=salon_file, import_request=request_json())
    canceled = hubspot.crm.imports.core_api.cancel(first.id)
    assert canceled.status == "CANCELED"
    assert hubspot.crm.imports.core_api.get_by_id(first.id).state == "CANCELED"
    page = hubspot.crm.imports.core_api.get_page(limit=1)
    assert [i.id for i in page.results] == [second.id]
    rest = hubspot.crm.imports.core_api.get_page(limit=1, after=page.paging.next.after)
    assert [i.id for i in rest.results] == [first.id]


def test_bad_requests_and_unknown_ids(hubspot, salon_file):
    with pytest.raises(ApiException) as caught:
        hubspot.crm.imports.core_api.create(
            files=salon_file, import_request=request_json(dateFormat="SOMEDAY")
        )
    assert caught.value.status == 400
    assert "dateFormat" in json.loads(caught.value.body)["message"]
    with pytest.raises(ApiException) as caught:
        hubspot.crm.imports.core_api.get_by_id("999999")
    assert caught.value.status == 404


def test_imports_root_answers_without_trailing_slash_and_never_redirects(http, salon_file):
    """Reference §7.5: curl users type /crm/v3/imports, the SDK /crm/v3/imports/."""
    with open(salon_file, "rb") as upload:
        created = http(
            "POST",
            "/crm/v3/imports",
            data={"importRequest": request_json()},
            files={"files": ("salon.csv", upload, "text/csv")},
            allow_redirects=False,
        )
    assert created.status_code == 200, created.text
    assert created.json()["state"] == "STARTED"
    for path in ("/crm/v3/imports", "/crm/v3/imports/"):
        listed = http("GET", path, allow_redirects=False)
        assert listed.status_code == 200, (path, listed.status_code)
        assert [i["id"] for i in listed.json()["results"]] == [created.json()["id"]]
