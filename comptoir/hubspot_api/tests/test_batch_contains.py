"""A batch written through the API is found by a "contains" search at once (issue 16): batch
creates take the bulk path, whose substring indexes are filled per batch on SQLite rather
than by the per-row triggers; batch updates and archives go through the single-record
services and their triggers."""

import pytest

pytestmark = pytest.mark.django_db

CONTACTS = "/crm/v3/objects/contacts"


def _contains(http, name, value) -> set[str]:
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": name, "operator": "CONTAINS_TOKEN", "value": value}]}
        ],
        "limit": 100,
    }
    response = http("POST", f"{CONTACTS}/search", json=body)
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["total"] == len(found["results"])
    return {record["id"] for record in found["results"]}


def test_batch_create_update_and_archive_are_searchable_at_once(http):
    inputs = [
        {"properties": {"email": "zoe@quimperle.example", "city": "Quimperlé", "jobtitle": "CFO"}},
        {"properties": {"email": "yann@brest.example", "city": "Brest", "lastname": "Kerbrat"}},
    ]
    response = http("POST", f"{CONTACTS}/batch/create", json={"inputs": inputs})
    assert response.status_code == 201, response.text
    ids = {r["properties"]["email"]: r["id"] for r in response.json()["results"]}
    zoe, yann = ids["zoe@quimperle.example"], ids["yann@brest.example"]
    assert _contains(http, "city", "quimper*") == {zoe}
    assert _contains(http, "email", "*.example") == {zoe, yann}
    assert _contains(http, "lastname", "*brat*") == {yann}

    update = {"inputs": [{"id": yann, "properties": {"city": "Quimper", "lastname": "Le Goff"}}]}
    response = http("POST", f"{CONTACTS}/batch/update", json=update)
    assert response.status_code == 200, response.text
    assert _contains(http, "city", "quimper*") == {zoe, yann}
    assert _contains(http, "lastname", "*brat*") == set()
    assert _contains(http, "lastname", "*goff*") == {yann}

    response = http("POST", f"{CONTACTS}/batch/archive", json={"inputs": [{"id": zoe}]})
    assert response.status_code == 204, response.text
    assert _contains(http, "city", "quimper*") == {yann}
    assert _contains(http, "email", "*.example") == {yann}
