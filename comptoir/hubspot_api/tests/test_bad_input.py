"""Input an attacker or a fuzzer sends gets HubSpot's 4xx naming the field, never a 500, on
SQLite and PostgreSQL alike: wrong JSON types, ids past any id, text no database stores,
numbers past any column, bodies nested absurdly deep.

Raw requests go through Django's test client; what the real SDK can send (its models do not
check types unless in strict mode) goes through hubspot-api-client too."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInputForCreate,
)

from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.testing.sdk import hubspot_client
from comptoir.users.services import create_token

HUGE_ID = "1" * 23  # past any 64-bit id: SQLite's driver fails on it


@pytest.fixture
def token(db):
    return create_token(make_user(role="Super admin"), "tests")[1]


@pytest.fixture
def call(client, token):
    """call(method, path, body) → (status, JSON body); `raw` sends the body's text as is."""

    def send(method, path, body=None, *, raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kw = {"data": data, "content_type": "application/json"} if data is not None else {}
        response = client.generic(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
        return response.status_code, response.json() if response.content else None

    client.raise_request_exception = False
    return send


def refused(result, field, status=400):
    """HubSpot's error body, naming `field` in its message and in errors[].in."""
    code, body = result
    shown = ascii(body)  # xdist cannot report a message holding a lone surrogate
    assert code == status, shown
    assert body["status"] == "error" and body["category"] == "VALIDATION_ERROR", shown
    assert field in body["message"], shown
    assert any(e.get("in") == field for e in body.get("errors", [])), shown
    return body


@pytest.fixture
def sdk(token):
    """The real SDK in its default mode (models send whatever they are given), answered in
    process."""
    return hubspot_client(token)


def sdk_refused(caught, field):
    body = json.loads(caught.value.body)
    assert caught.value.status == 400, ascii(body)
    assert field in body["message"], ascii(body)
    return body


# -- wrong JSON types ------------------------------------------------------------------------


@pytest.mark.django_db
def test_sdk_batch_update_and_upsert_with_id_property_as_a_list(sdk):
    make_contact(email="a@example.com")
    batch = sdk.crm.contacts.batch_api
    with pytest.raises(ApiException) as caught:
        batch.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(
                        id="a@example.com", id_property=["email"], properties={}
                    )
                ]
            )
        )
    sdk_refused(caught, "inputs[0].idProperty")
    with pytest.raises(ApiException) as caught:
        batch.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    SimplePublicObjectBatchInputUpsert(
                        id="b@example.com", id_property=["email"], properties={}
                    )
                ]
            )
        )
    sdk_refused(caught, "inputs[0].idProperty")
    with pytest.raises(ApiException) as caught:
        batch.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id="a@example.com")],
                id_property=["email"],
                properties=[],
                properties_with_history=[],
            )
        )
    sdk_refused(caught, "idProperty")


@pytest.mark.django_db
def test_sdk_search_with_wrong_types(sdk):
    search = sdk.crm.contacts.search_api
    for request, field in [
        (PublicObjectSearchRequest(properties=[{}]), "properties[0]"),
        (PublicObjectSearchRequest(query={"a": 1}), "query"),
        (PublicObjectSearchRequest(limit=1.5), "limit"),
        (PublicObjectSearchRequest(sorts=[{"propertyName": ["x"]}]), "sorts[0].propertyName"),
        (PublicObjectSearchRequest(after={"a": 1}), "after"),
    ]:
        with pytest.raises(ApiException) as caught:
            search.do_search(request)
        sdk_refused(caught, field)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "batch/update",
            {"inputs": [{"id": "1", "idProperty": ["email"]}]},
            "inputs[0].idProperty",
        ),
        (
            "batch/upsert",
            {"inputs": [{"id": "a@b.fr", "idProperty": {"x": 1}, "properties": {}}]},
            "inputs[0].idProperty",
        ),
        ("batch/update", {"inputs": [{"id": ["1"], "properties": {}}]}, "inputs[0].id"),
        ("batch/read", {"inputs": [{"id": {"a": 1}}]}, "inputs[0].id"),
        ("batch/archive", {"inputs": [{"id": True}]}, "inputs[0].id"),
        ("merge", {"primaryObjectId": ["1"], "objectIdToMerge": "2"}, "primaryObjectId"),
        ("gdpr-delete", {"objectId": "1", "idProperty": 5}, "idProperty"),
        ("search", {"properties": [{}]}, "properties[0]"),
        ("search", {"query": {"a": 1}}, "query"),
        ("search", {"limit": 1.5}, "limit"),
        ("search", {"limit": 1e30}, "limit"),
        ("search", {"sorts": [{"propertyName": ["x"]}]}, "sorts[0].propertyName"),
        ("search", {"sorts": "createdate"}, "sorts"),
        (
            "search",
            {"filterGroups": [{"filters": [{"propertyName": "email", "operator": ["EQ"]}]}]},
            "filterGroups[0].filters[0].operator",
        ),
        ("search", {"filterGroups": [{"filters": ["x"]}]}, "filterGroups[0].filters[0]"),
    ],
)
def test_wrong_json_types_name_the_field(call, path, body, field):
    refused(call("POST", f"/crm/v3/objects/contacts/{path}", body), field)


@pytest.mark.django_db
def test_inline_associations_of_the_wrong_shape(call):
    for association in [
        {"to": [None, None], "types": []},
        {"to": {"id": {"a": 1}}, "types": [{"associationTypeId": 279}]},
        {"to": {"id": True}, "types": [{"associationTypeId": 279}]},
    ]:
        body = {"properties": {"email": "x@example.com"}, "associations": [association]}
        refused(call("POST", "/crm/v3/objects/contacts", body), "associations[0]")
        batch = {"inputs": [body]}
        refused(call("POST", "/crm/v3/objects/contacts/batch/create", batch), "associations[0]")
    # A type id written with non-ASCII digits is no type id (int() would read "²" as 2).
    body = {
        "properties": {"email": "x@example.com"},
        "associations": [{"to": {"id": "1"}, "types": [{"associationTypeId": "²"}]}],
    }
    code, answer = call("POST", "/crm/v3/objects/contacts", body)
    assert code == 400 and answer["errors"][0]["code"] == "INVALID_ASSOCIATION_TYPE"


# -- ids past any id ------------------------------------------------------------------------


@pytest.mark.django_db
def test_ids_past_any_id_are_missing_records(call):
    contacts = "/crm/v3/objects/contacts"
    for method, path, body in [
        ("GET", f"{contacts}/{HUGE_ID}", None),
        ("PATCH", f"{contacts}/{HUGE_ID}", {"properties": {"firstname": "A"}}),
        ("POST", f"{contacts}/merge", {"primaryObjectId": HUGE_ID, "objectIdToMerge": "2"}),
        ("POST", f"{contacts}/gdpr-delete", {"objectId": HUGE_ID}),
        ("GET", f"/crm/v4/objects/contacts/{HUGE_ID}/associations/companies", None),
        ("GET", f"/crm/v3/owners/{HUGE_ID}", None),
        ("GET", f"/crm/v3/imports/{HUGE_ID}", None),
    ]:
        code, answer = call(method, path, body)
        assert code == 404, (method, path, answer)
        assert answer["category"] == "OBJECT_NOT_FOUND"
    # Archiving is idempotent: nothing to archive is no error.
    assert call("DELETE", f"{contacts}/{HUGE_ID}") == (204, None)
    assert call("POST", f"{contacts}/batch/archive", {"inputs": [{"id": HUGE_ID}]}) == (204, None)
    code, answer = call("POST", f"{contacts}/batch/read", {"inputs": [{"id": HUGE_ID}]})
    assert code == 207 and answer["errors"][0]["context"]["ids"] == [HUGE_ID]
    code, answer = call(
        "POST", f"{contacts}/batch/update", {"inputs": [{"id": HUGE_ID, "properties": {}}]}
    )
    assert code == 404, answer


@pytest.mark.django_db
def test_sdk_reads_an_id_past_any_id_as_missing(sdk):
    with pytest.raises(ApiException) as caught:
        sdk.crm.contacts.basic_api.get_by_id(HUGE_ID)
    assert caught.value.status == 404
    assert json.loads(caught.value.body)["category"] == "OBJECT_NOT_FOUND"


ODD_DIGITS = ["²", "١٢", "\uff11\uff12"]  # isdigit(); int() fails on "²", reads the others as 12


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD_DIGITS)
def test_ids_in_paths_are_ascii_digits(call, value):
    """`²` answered 500 (str.isdigit() let it through to int()); Arabic-Indic or fullwidth
    digits were read as id 12. Neither is an id: no such import, owner or record."""
    for method, path in [
        ("GET", f"/crm/v3/imports/{value}"),
        ("GET", f"/crm/v3/imports/{value}/errors"),
        ("POST", f"/crm/v3/imports/{value}/cancel"),
        ("GET", f"/crm/v3/objects/contacts/{value}"),
    ]:
        code, answer = call(method, path)
        assert code == 404, (method, path, answer)
        assert answer["category"] == "OBJECT_NOT_FOUND"
    code, answer = call("GET", f"/crm/v3/owners/{value}")
    assert code == 400 and "ownerId" in answer["message"], answer
    code, answer = call("GET", f"/crm/v3/objects/contacts?after={value}")
    assert code == 400 and "after" in answer["message"], answer
    search = "/crm/v3/objects/contacts/search"
    code, answer = call("POST", search, {"limit": value})
    assert code == 400 and "limit" in answer["message"], answer
    flt = {"propertyName": "hubspot_owner_id", "operator": "EQ", "value": value}
    code, answer = call("POST", search, {"filterGroups": [{"filters": [flt]}]})
    assert code == 400 and "hubspot_owner_id" in answer["message"], answer
    flt = {"propertyName": "associations.company", "operator": "EQ", "value": value}
    code, answer = call("POST", search, {"filterGroups": [{"filters": [flt]}]})
    assert code == 400 and "associations.company" in answer["message"], answer
    group = {"name": "g", "label": "G", "displayOrder": value}
    refused(call("POST", "/crm/v3/properties/contacts/groups", group), "displayOrder")


# -- text no database stores ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"properties": {"firstname": "\\ud800"}}', "properties.firstname"),
        ('{"properties": {"firstname": "a\\u0000b"}}', "properties.firstname"),
        ('{"properties": {"\\ud800": "x"}}', "properties.\\ud800"),
        ('{"properties": {"a\\u0000b": "x"}}', "properties.a\\u0000b"),
        ('{"properties": {}, "x": ["ok", "\\udfff"]}', "x[1]"),
    ],
)
def test_unstorable_text_in_a_body_names_the_field(call, raw, field):
    body = refused(call("POST", "/crm/v3/objects/contacts", raw=raw), field)
    assert "cannot be stored" in body["message"]
    assert body["errors"][0]["code"] == "INVALID_STRING"
    assert call("GET", "/crm/v3/objects/contacts")[1]["results"] == []  # nothing saved


@pytest.mark.django_db
def test_unstorable_text_in_search_properties_and_pipelines(call):
    search = "/crm/v3/objects/contacts/search"
    refused(call("POST", search, raw='{"query": "\\ud800"}'), "query")
    refused(call("POST", search, raw='{"query": "a\\u0000"}'), "query")
    flt = {"propertyName": "email", "operator": "EQ", "value": "a\x00"}
    refused(
        call("POST", search, {"filterGroups": [{"filters": [flt]}]}),
        "filterGroups[0].filters[0].value",
    )
    group = {"name": "g", "label": "Bad\x00label"}
    refused(call("POST", "/crm/v3/properties/contacts/groups", group), "label")
    pipeline = {"label": "P\x00", "displayOrder": 1, "stages": []}
    refused(call("POST", "/crm/v3/pipelines/deals", pipeline), "label")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/crm/v3/objects/contacts/%00", "objectId"),
        ("/crm/v3/objects/contacts/1?idProperty=%00", "idProperty"),
        ("/crm/v3/objects/contacts?properties=email,%00", "properties"),
        ("/crm/v3/objects/contacts?after=%00", "after"),
        ("/crm/v3/properties/contacts/%00", "propertyName"),
        ("/crm/v3/properties/contacts/groups/a%00", "groupName"),
        ("/crm/v3/pipelines/deals/%00", "pipelineId"),
        ("/crm/v3/pipelines/deals/default/stages/%00", "stageId"),
        ("/crm/v3/owners/?email=%00", "email"),
    ],
)
def test_nul_in_a_path_or_query_parameter_names_it(call, path, field):
    refused(call("GET", path), field)


# -- numbers past any column, and absurd bodies -------------------------------------------


@pytest.mark.django_db
def test_numbers_past_an_integer_column_name_the_field(call):
    too_big = 10**30
    group = {"name": "g", "label": "G", "displayOrder": too_big}
    refused(call("POST", "/crm/v3/properties/contacts/groups", group), "displayOrder")
    prop = {
        "name": "tier",
        "label": "Tier",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
        "displayOrder": "99999999999",
    }
    refused(call("POST", "/crm/v3/properties/contacts", prop), "displayOrder")
    prop["displayOrder"] = "³"  # a digit to str.isdigit(), not to int()
    refused(call("POST", "/crm/v3/properties/contacts", prop), "displayOrder")
    pipeline = {"label": "P", "displayOrder": too_big, "stages": []}
    refused(call("POST", "/crm/v3/pipelines/deals", pipeline), "displayOrder")
    stage = {"label": "S", "displayOrder": -too_big, "metadata": {"probability": "0.5"}}
    refused(call("POST", "/crm/v3/pipelines/deals/default/stages", stage), "displayOrder")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ('{"limit": 1e400}', "limit is not a finite number"),
        ('{"limit": -1e400}', "limit is not a finite number"),
        ('{"limit": Infinity}', "Infinity is not a JSON number"),
        ('{"limit": NaN}', "NaN is not a JSON number"),
        ('{"limit": ' + "9" * 5000 + "}", "digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"query": ' + "[" * 40 + "]" * 40 + "}", "query" + "[0]" * 31),
    ],
)
def test_absurd_json_is_a_400(call, raw, fragment):
    code, body = call("POST", "/crm/v3/objects/contacts", raw=raw)
    assert code == 400, body
    assert fragment in body["message"], body["message"]


@pytest.mark.django_db
def test_sdk_create_with_a_lone_surrogate(sdk):
    with pytest.raises(ApiException) as caught:
        sdk.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"firstname": "\ud800"})
        )
    sdk_refused(caught, "properties.firstname")


# -- the imports API's multipart form ---------------------------------------------------------

IMPORT_REQUEST = {
    "name": "Salon",
    "files": [
        {
            "fileName": "salon.csv",
            "fileImportPage": {
                "hasHeader": True,
                "columnMappings": [
                    {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}
                ],
            },
        }
    ],
}
MAPPING_PATH = "files[0].fileImportPage.columnMappings[0]"
MAPPING = f"importRequest.{MAPPING_PATH}"


@pytest.fixture
def start_import(client, token):
    """start_import(importRequest text, file bytes) → (status, JSON body)."""

    def send(request_text, content=b"Email\nana@example.com\n"):
        upload = SimpleUploadedFile("salon.csv", content, content_type="text/csv")
        response = client.post(
            "/crm/v3/imports/",
            {"importRequest": request_text, "files": upload},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code, response.json()

    client.raise_request_exception = False
    return send


def _changed(path: str, value) -> str:
    """IMPORT_REQUEST as JSON text with the field at `path` (dots; [i] for lists) set."""
    body = json.loads(json.dumps(IMPORT_REQUEST))
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node = body
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return json.dumps(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("name", "Salon\x00", "importRequest.name"),
        ("name", "Salon\ud800", "importRequest.name"),
        ("name", {"a": 1}, "importRequest.name"),
        ("dateFormat", ["DAY_MONTH_YEAR"], "importRequest.dateFormat"),
        ("importOperations", [], "importRequest.importOperations"),
        ("importOperations", {"0-1": ["UPSERT"]}, "importRequest.importOperations.0-1"),
        ("files", "salon.csv", "importRequest.files"),
        ("files[0]", "salon.csv", "importRequest.files[0]"),
        ("files[0].fileImportPage", "x", "importRequest.files[0].fileImportPage"),
        (
            "files[0].fileImportPage.columnMappings",
            "x",
            "importRequest.files[0].fileImportPage.columnMappings",
        ),
        (MAPPING_PATH, "x", MAPPING),
        (f"{MAPPING_PATH}.propertyName", ["email"], f"{MAPPING}.propertyName"),
        (f"{MAPPING_PATH}.propertyName", "em\x00ail", f"{MAPPING}.propertyName"),
        (f"{MAPPING_PATH}.columnName", {"a": 1}, f"{MAPPING}.columnName"),
        (
            f"{MAPPING_PATH}.foreignKeyType",
            {"associationTypeId": "first"},
            f"{MAPPING}.foreignKeyType.associationTypeId",
        ),
    ],
)
def test_import_requests_of_the_wrong_shape_name_the_field(start_import, path, value, field):
    refused(start_import(_changed(path, value)), field)


@pytest.mark.django_db
def test_import_request_json_that_no_handler_could_use(start_import):
    for text, fragment in [
        ('{"name": NaN}', "NaN is not a JSON number"),
        ("[" * 5000 + "]" * 5000, "nested"),
        ('{"name": "\\ud800"}', "importRequest.name"),
        ("", "importRequest is required"),
    ]:
        code, body = start_import(text)
        assert code == 400, ascii(body)
        assert fragment in body["message"], ascii(body)


@pytest.mark.django_db
def test_a_column_name_no_database_stores_refuses_the_file(start_import):
    code, body = start_import(json.dumps(IMPORT_REQUEST), b"Em\x00ail\nana@example.com\n")
    assert code == 400, ascii(body)
    assert "column 1" in body["message"] and "cannot be stored" in body["message"]
