"""The ten ways to break SDK compatibility (reference §7), one test each, on the wire."""

import json
import re

import pytest
from hubspot.crm.contacts import ApiException, PublicObjectSearchRequest

pytestmark = pytest.mark.django_db

HAS_EMAIL = {"propertyName": "email", "operator": "HAS_PROPERTY"}
ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def make(http, **props):
    response = http("POST", "/crm/v3/objects/contacts", json={"properties": props})
    assert response.status_code == 201, response.text
    return response.json()


def test_1_exact_success_status_codes(http):
    contact = make(http, email="one@example.com")
    cid = contact["id"]
    calls = [
        (
            "POST",
            "/crm/v3/objects/contacts/batch/create",
            {"inputs": [{"properties": {"email": "two@example.com"}}]},
            201,
        ),
        ("POST", "/crm/v3/objects/contacts/batch/read", {"inputs": [{"id": cid}]}, 200),
        (
            "POST",
            "/crm/v3/objects/contacts/batch/update",
            {"inputs": [{"id": cid, "properties": {"firstname": "A"}}]},
            200,
        ),
        (
            "POST",
            "/crm/v3/objects/contacts/batch/upsert",
            {
                "inputs": [
                    {
                        "id": "one@example.com",
                        "idProperty": "email",
                        "properties": {"lastname": "B"},
                    }
                ]
            },
            200,
        ),
        ("POST", "/crm/v3/objects/contacts/search", {}, 200),
        ("PATCH", f"/crm/v3/objects/contacts/{cid}", {"properties": {"firstname": "C"}}, 200),
        (
            "POST",
            "/crm/v3/objects/contacts/batch/read",
            {"inputs": [{"id": cid}, {"id": "424242"}]},
            207,
        ),
        ("POST", "/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": cid}]}, 204),
        ("DELETE", f"/crm/v3/objects/contacts/{cid}", None, 204),
    ]
    for method, path, body, status in calls:
        response = http(method, path, json=body)
        assert response.status_code == status, (method, path, response.text)
    partial = http(
        "POST",
        "/crm/v3/objects/contacts/batch/create",
        json={
            "inputs": [
                {"properties": {"email": "ok@example.com"}, "objectWriteTraceId": "t1"},
                {"properties": {"email": "bad"}, "objectWriteTraceId": "t2"},
            ]
        },
    )
    assert partial.status_code == 207
    body = partial.json()
    assert body["numErrors"] == 1 and len(body["results"]) == 1
    assert body["errors"][0]["context"] == {"objectWriteTraceId": ["t2"]}


def test_2_timestamps_are_iso_strings_with_milliseconds(http):
    contact = make(http, email="ts@example.com")
    assert ISO_MS_Z.match(contact["createdAt"]) and ISO_MS_Z.match(contact["updatedAt"])
    assert ISO_MS_Z.match(contact["properties"]["createdate"])
    batch = http(
        "POST", "/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": contact["id"]}]}
    ).json()
    assert ISO_MS_Z.match(batch["startedAt"]) and ISO_MS_Z.match(batch["completedAt"])


def test_3_paging_is_omitted_on_the_last_page(http):
    for i in range(3):
        make(http, email=f"page{i}@example.com")
    first = http("GET", "/crm/v3/objects/contacts?limit=2").json()
    assert set(first["paging"]["next"]) >= {"after"}
    last = http(
        "GET", f"/crm/v3/objects/contacts?limit=2&after={first['paging']['next']['after']}"
    ).json()
    assert "paging" not in last and len(last["results"]) == 1
    search = http("POST", "/crm/v3/objects/contacts/search", json={"limit": 5}).json()
    assert "paging" not in search and search["total"] == 3


def test_4_query_strings_repeated_and_comma_lists_booleans_and_encoded_ids(http):
    contact = make(http, email="a+b@example.com", firstname="Q", lastname="S", jobtitle="J")
    response = http(
        "GET",
        "/crm/v3/objects/contacts/a%2Bb%40example.com?idProperty=email"
        "&properties=firstname&properties=lastname,jobtitle&archived=False",
    )
    assert response.status_code == 200, response.text
    props = response.json()["properties"]
    assert (props["firstname"], props["lastname"], props["jobtitle"]) == ("Q", "S", "J")
    assert response.json()["id"] == contact["id"]
    assert http("GET", "/crm/v3/objects/contacts?archived=True").json()["results"] == []
    bad = http("GET", "/crm/v3/objects/contacts?archived=maybe")
    assert bad.status_code == 400 and bad.json()["category"] == "VALIDATION_ERROR"


def test_5_json_content_type_on_bodiless_requests(http):
    contact = make(http, email="ct@example.com")
    headers = {"Content-Type": "application/json"}
    assert (
        http("GET", f"/crm/v3/objects/contacts/{contact['id']}", headers=headers).status_code == 200
    )
    assert (
        http("DELETE", f"/crm/v3/objects/contacts/{contact['id']}", headers=headers).status_code
        == 204
    )


def test_6_envelope_fields_are_always_present(http):
    contact = make(http, email="env@example.com")
    assert {"id", "properties", "createdAt", "updatedAt", "archived"} <= set(contact)
    batch = http(
        "POST", "/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": "9999999"}]}
    ).json()
    assert {"status", "results", "startedAt", "completedAt", "numErrors", "errors"} <= set(batch)
    assert batch["status"] == "COMPLETE"
    assert {"status", "category", "message", "context", "links", "errors"} <= set(
        batch["errors"][0]
    )
    assert "total" in http("POST", "/crm/v3/objects/contacts/search", json={}).json()
    assert "results" in http("GET", "/crm/v3/objects/contacts").json()


def test_7_property_values_are_strings(http):
    deal = http(
        "POST",
        "/crm/v3/objects/deals",
        json={
            "properties": {
                "dealname": "D",
                "dealstage": "closedwon",
                "amount": 12000,
                "closedate": "2024-05-01T12:00:00+02:00",
            }
        },
    ).json()
    values = deal["properties"]
    assert all(v is None or isinstance(v, str) for v in values.values())
    assert values["amount"] == "12000"
    assert values["closedate"] == "2024-05-01T10:00:00.000Z"
    read = http("GET", f"/crm/v3/objects/deals/{deal['id']}?properties=hs_is_closed_won").json()
    assert read["properties"]["hs_is_closed_won"] == "true"


def test_8_errors_are_hubspot_json_with_the_right_status(http):
    def check(response, status, category):
        assert response.status_code == status, response.text
        body = response.json()
        assert body["status"] == "error" and body["category"] == category
        assert body["message"] and re.match(r"^[0-9a-f-]{36}$", body["correlationId"])
        return body

    check(http("GET", "/crm/v3/objects/contacts", auth=False), 401, "INVALID_AUTHENTICATION")
    check(
        http("GET", "/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope"}),
        401,
        "INVALID_AUTHENTICATION",
    )
    check(http("GET", "/crm/v3/objects/contacts/123456"), 404, "OBJECT_NOT_FOUND")
    make(http, email="e@example.com")
    body = check(
        http("POST", "/crm/v3/objects/contacts", json={"properties": {"email": "E@example.com"}}),
        409,
        "CONFLICT",
    )
    assert body["message"].startswith("Contact already exists. Existing ID: ")
    body = check(
        http("POST", "/crm/v3/objects/contacts", json={"properties": {"nope": "x"}}),
        400,
        "VALIDATION_ERROR",
    )
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"

    from comptoir.users.models import User
    from comptoir.users.services import create_token

    _, narrow = create_token(
        User.objects.get(email="api@example.com"), "narrow", ["crm.objects.contacts.read"]
    )
    response = http(
        "POST",
        "/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {narrow}"},
        json={"properties": {"email": "z@example.com"}},
    )
    body = check(response, 403, "MISSING_SCOPES")
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.contacts.write"]


def test_8_rate_limit_is_a_429_with_policy_and_retry_after(http, settings):
    settings.COMPTOIR_API_RATE_LIMIT = 3
    statuses = [http("GET", "/crm/v3/objects/contacts").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = http("GET", "/crm/v3/objects/contacts")
    body = response.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert 1 <= int(response.headers["Retry-After"]) <= 10
    assert response.headers["X-HubSpot-RateLimit-Max"] == "3"
    assert response.headers["X-HubSpot-RateLimit-Remaining"] == "0"


@pytest.mark.sdk_both_modes
def test_9_search_accepts_every_request_form_and_enforces_limits(hubspot, http):
    for i, name in enumerate(["Ann", "Bob", "Cy"]):
        make(http, email=f"q{i}@example.com", firstname=name, hs_lead_status="NEW")
    search = hubspot.crm.contacts.search_api
    by_number = search.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "createdate", "operator": "GT", "value": 946684800000}
                    ]
                }
            ]
        )
    )
    assert by_number.total == 3
    between = search.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {
                            "propertyName": "createdate",
                            "operator": "BETWEEN",
                            "value": "2000-01-01",
                            "highValue": "2999-01-01T00:00:00Z",
                        }
                    ]
                }
            ],
            sorts=["firstname"],
        )
    )
    assert [r.properties["firstname"] for r in between.results] == ["Ann", "Bob", "Cy"]
    ored = search.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "ann"}]},
                {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "CY"}]},
            ]
        )
    )
    assert ored.total == 2
    for body, fragment in [
        ({"limit": 201}, "limit"),
        ({"limit": 100, "after": "9950"}, "10000"),
        ({"filterGroups": [{"filters": []}] * 6}, "filter groups"),
        ({"filterGroups": [{"filters": [HAS_EMAIL] * 7}]}, "in a group"),
        ({"filterGroups": [{"filters": [HAS_EMAIL] * 6}] * 4}, "maximum is 18"),
        ({"query": "x" * 3001}, "3000"),
        (
            {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "LIKE"}]}]},
            "operator",
        ),
    ]:
        response = http("POST", "/crm/v3/objects/contacts/search", json=body)
        assert response.status_code == 400, body
        assert fragment in response.json()["message"], response.json()["message"]
        assert response.json()["category"] == "VALIDATION_ERROR"


def test_10_associations_v4_specifics(http):
    """PUT with an array of AssociationSpec; the `default` route (3 segments) apart from the
    labelled one (2); HUBSPOT_DEFINED ids per direction; `labels: []` and `label: null` when
    unlabeled; plural, singular and 0-x type names; inline associations on create."""
    contact = make(http, email="v4@example.com")["id"]
    company = create(http, "companies", name="Acme", domain="acme.example")["id"]
    deal = create(http, "deals", dealname="Big", dealstage="appointmentscheduled")["id"]

    default = http(
        "PUT", f"/crm/v4/objects/contact/{contact}/associations/default/company/{company}"
    )
    assert default.status_code == 200, default.text
    assert spec_ids(default) == [279, 280]
    default = http("PUT", f"/crm/v4/objects/deals/{deal}/associations/default/companies/{company}")
    assert spec_ids(default) == [341, 342]
    labelled = http(
        "PUT",
        f"/crm/v4/objects/0-3/{deal}/associations/0-1/{contact}",
        json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
    )
    assert labelled.status_code == 201, labelled.text
    assert (labelled.json()["fromObjectTypeId"], labelled.json()["toObjectTypeId"]) == (
        "0-3",
        "0-1",
    )
    assert labelled.json()["labels"] == []
    note = http(
        "POST",
        "/crm/v3/objects/notes",
        json={
            "properties": {"hs_timestamp": "2026-01-02T10:00:00Z", "hs_note_body": "Met"},
            "associations": [
                {
                    "to": {"id": contact},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
                }
            ],
        },
    )
    assert note.status_code == 201, note.text

    def types(from_type, from_id, to_type):
        response = http("GET", f"/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}")
        assert response.status_code == 200, response.text
        return {
            (t["category"], t["typeId"], t["label"])
            for r in response.json()["results"]
            for t in r["associationTypes"]
        }

    hs = "HUBSPOT_DEFINED"  # a first company is also the primary one (1/2, 5/6)
    assert types("contacts", contact, "companies") == {(hs, 279, None), (hs, 1, "Primary")}
    assert types("companies", company, "contacts") == {(hs, 280, None), (hs, 2, "Primary")}
    assert types("deal", deal, "0-2") == {(hs, 341, None), (hs, 5, "Primary")}
    assert types("0-2", company, "deals") == {(hs, 342, None), (hs, 6, "Primary")}
    assert types("deals", deal, "contacts") == {(hs, 3, None)}
    assert types("contacts", contact, "deals") == {(hs, 4, None)}
    assert types("notes", note.json()["id"], "contacts") == {(hs, 202, None)}
    assert types("contacts", contact, "notes") == {(hs, 201, None)}


def create(http, object_type, **props):
    response = http("POST", f"/crm/v3/objects/{object_type}", json={"properties": props})
    assert response.status_code == 201, response.text
    return response.json()


def spec_ids(response):
    return [r["associationSpec"]["associationTypeId"] for r in response.json()["results"]]


def test_search_filter_values_must_be_strings_or_numbers(http):
    """An object or a list where one value belongs is a 400 naming the filter, never a 200."""
    make(http, email="scalar@example.com")
    for flt in [
        {"propertyName": "email", "operator": "EQ", "value": {"a": 1}},
        {"propertyName": "email", "operator": "EQ", "value": ["scalar@example.com"]},
        {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": {"a": 1}},
        {"propertyName": "createdate", "operator": "BETWEEN", "value": 1, "highValue": [2]},
        {"propertyName": "email", "operator": "IN", "values": [{"a": 1}]},
        {"propertyName": "email", "operator": "IN", "values": "scalar@example.com"},
        {"propertyName": "associations.company", "operator": "EQ", "value": {"id": 1}},
    ]:
        response = http(
            "POST", "/crm/v3/objects/contacts/search", json={"filterGroups": [{"filters": [flt]}]}
        )
        assert response.status_code == 400, (flt, response.text)
        body = response.json()
        assert body["category"] == "VALIDATION_ERROR" and body["status"] == "error"
        assert flt["propertyName"] in body["message"], body["message"]


def test_rate_limit_headers_on_every_authenticated_response(http, settings):
    settings.COMPTOIR_API_RATE_LIMIT = 100
    settings.COMPTOIR_API_DAILY_LIMIT = 50_000
    listed = http("GET", "/crm/v3/objects/contacts")
    created = http("POST", "/crm/v3/objects/contacts", json={"properties": {"email": "r@x.fr"}})
    archived = http("DELETE", f"/crm/v3/objects/contacts/{created.json()['id']}")
    missing = http("GET", "/crm/v3/objects/contacts/987654")
    rejected = http("POST", "/crm/v3/objects/contacts", json={"properties": {"nope": "1"}})
    responses = [listed, created, archived, missing, rejected]
    assert [r.status_code for r in responses] == [200, 201, 204, 404, 400]
    for response in responses:
        headers = response.headers
        assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert headers["X-HubSpot-RateLimit-Max"] == "100"
        assert 0 <= int(headers["X-HubSpot-RateLimit-Remaining"]) < 100
        assert headers["X-HubSpot-RateLimit-Daily"] == "50000"
    daily_left = [int(r.headers["X-HubSpot-RateLimit-Daily-Remaining"]) for r in responses]
    assert daily_left == [49_999, 49_998, 49_997, 49_996, 49_995]  # each request counts once
    # Without a token nothing is counted, so there is nothing to report.
    anonymous = http("GET", "/crm/v3/objects/contacts", auth=False)
    assert anonymous.status_code == 401
    assert "X-HubSpot-RateLimit-Max" not in anonymous.headers


def test_search_by_association(http):
    company = http(
        "POST",
        "/crm/v3/objects/companies",
        json={"properties": {"name": "Acme", "domain": "acme.fr"}},
    ).json()
    make(http, email="in@acme.fr")
    make(http, email="out@gmail.com")
    found = http(
        "POST",
        "/crm/v3/objects/contacts/search",
        json={
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": "associations.company",
                            "operator": "EQ",
                            "value": company["id"],
                        }
                    ]
                }
            ]
        },
    ).json()
    assert [r["properties"]["email"] for r in found["results"]] == ["in@acme.fr"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/crm/v3/objects/contacts", {"data": "{not json"}, 400),
        ("POST", "/crm/v3/objects/contacts", {"data": "[1, 2]"}, 400),
        ("POST", "/crm/v3/objects/contacts", {"json": {"properties": "email=x"}}, 400),
        ("POST", "/crm/v3/objects/contacts", {"json": {"properties": {"email": {"a": 1}}}}, 400),
        ("POST", "/crm/v3/objects/contacts", {"data": b"\xff\xfe"}, 400),
        ("POST", "/crm/v3/objects/contacts", {"data": ""}, 400),
        ("POST", "/crm/v3/objects/contacts", {"data": "x" * 3_000_000}, 413),
        ("POST", "/crm/v3/objects/contacts/batch/create", {"json": {"inputs": "x"}}, 400),
        (
            "POST",
            "/crm/v3/objects/contacts/batch/create",
            {"json": {"inputs": [{"properties": {}}] * 101}},
            400,
        ),
        ("POST", "/crm/v3/objects/contacts/search", {"json": {"limit": "ten"}}, 400),
        ("POST", "/crm/v3/objects/contacts/search", {"json": {"filterGroups": "x"}}, 400),
        (
            "POST",
            "/crm/v3/objects/contacts/search",
            {
                "json": {
                    "filterGroups": [
                        {
                            "filters": [
                                {
                                    "propertyName": "createdate",
                                    "operator": "GT",
                                    "value": "yesterday",
                                }
                            ]
                        }
                    ]
                }
            },
            400,
        ),
        ("GET", "/crm/v3/objects/unicorns", {}, 400),
        ("GET", "/crm/v3/objects/contacts?limit=abc", {}, 400),
        ("GET", "/crm/v3/objects/contacts?after=xyz", {}, 400),
        ("GET", "/crm/v3/objects/contacts/abc", {}, 404),
        ("PATCH", "/crm/v3/objects/contacts/1", {"json": {"properties": {"email": "x"}}}, 404),
        ("POST", "/crm/v3/objects/contacts/merge", {"json": {"primaryObjectId": "1"}}, 400),
    ],
)
def test_what_the_sdk_cannot_send_gets_a_hubspot_4xx(http, method, path, kwargs, status):
    headers = {"Content-Type": "application/json"}
    response = http(method, path, headers=headers, **kwargs)
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert body["status"] == "error" and body["message"] and body["category"]


@pytest.mark.sdk_both_modes
def test_sdk_error_body_is_parseable_json(hubspot):
    with pytest.raises(ApiException) as caught:
        hubspot.crm.contacts.basic_api.get_by_id("77777")
    assert json.loads(caught.value.body)["category"] == "OBJECT_NOT_FOUND"


def test_batch_create_runs_the_same_rules_as_single_creates(http):
    company = http(
        "POST",
        "/crm/v3/objects/companies",
        json={"properties": {"name": "Acme", "domain": "acme.fr"}},
    ).json()
    existing = make(http, email="taken@example.com")
    response = http(
        "POST",
        "/crm/v3/objects/contacts/batch/create",
        json={
            "inputs": [
                {"properties": {"email": "zoe@acme.fr", "firstname": "Zoé"}},
                {"properties": {"email": "amy@gmail.com"}},
            ]
        },
    )
    assert response.status_code == 201
    results = response.json()["results"]
    assert [r["properties"]["email"] for r in results] == ["zoe@acme.fr", "amy@gmail.com"]
    read = http(
        "GET",
        f"/crm/v3/objects/contacts/{results[0]['id']}"
        "?properties=associatedcompanyid&associations=companies",
    ).json()
    assert read["properties"]["associatedcompanyid"] == company["id"]
    # All or nothing without trace ids: a taken email is HubSpot's 409, nothing saved.
    conflict = http(
        "POST",
        "/crm/v3/objects/contacts/batch/create",
        json={
            "inputs": [
                {"properties": {"email": "new1@example.com"}},
                {"properties": {"email": "TAKEN@example.com"}},
            ]
        },
    )
    assert conflict.status_code == 409
    assert conflict.json()["message"] == f"Contact already exists. Existing ID: {existing['id']}"
    search = http(
        "POST",
        "/crm/v3/objects/contacts/search",
        json={
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "email", "operator": "EQ", "value": "new1@example.com"}
                    ]
                }
            ]
        },
    )
    assert search.json()["total"] == 0
    # With trace ids each input stands alone.
    partial = http(
        "POST",
        "/crm/v3/objects/contacts/batch/create",
        json={
            "inputs": [
                {"properties": {"email": "new2@example.com"}, "objectWriteTraceId": "a"},
                {"properties": {"email": "taken@example.com"}, "objectWriteTraceId": "b"},
                {"properties": {"email": "x"}, "objectWriteTraceId": "c"},
                {
                    "properties": {"email": "y@example.com"},
                    "objectWriteTraceId": "d",
                    "associations": [
                        {
                            "to": {"id": "999999"},
                            "types": [
                                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
                            ],
                        }
                    ],
                },
            ]
        },
    )
    assert partial.status_code == 207
    body = partial.json()
    assert [r["properties"]["email"] for r in body["results"]] == ["new2@example.com"]
    assert [(e["context"]["objectWriteTraceId"], e["category"]) for e in body["errors"]] == [
        (["b"], "CONFLICT"),
        (["c"], "VALIDATION_ERROR"),
        (["d"], "VALIDATION_ERROR"),
    ]
