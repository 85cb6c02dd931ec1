"""/api/docs (browsable, served locally) and /api/openapi.json describe every endpoint."""

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_describes_every_endpoint_family(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    expected = [
        ("/crm/v3/objects/{object_type}", {"get", "post"}),
        ("/crm/v3/objects/{object_type}/{object_id}", {"get", "patch", "delete"}),
        ("/crm/v3/objects/{object_type}/search", {"post"}),
        ("/crm/v3/objects/{object_type}/batch/upsert", {"post"}),
        ("/crm/v3/objects/{object_type}/merge", {"post"}),
        ("/crm/v3/objects/{object_type}/gdpr-delete", {"post"}),
        ("/crm/v3/properties/{object_type}", {"get", "post"}),
        ("/crm/v3/pipelines/{object_type}", {"get", "post"}),
        ("/crm/v3/owners/", {"get"}),
    ]
    for path, methods in expected:
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    assert any(p.startswith("/crm/v4/objects/") for p in paths)
    assert any(p.startswith("/crm/v4/associations/") for p in paths)
    assert any(p.startswith("/crm/v3/associations/") for p in paths)
    create = paths["/crm/v3/objects/{object_type}"]["post"]
    assert "properties" in str(create["requestBody"])
    assert len(paths) >= 35


def test_browsable_docs_load_their_scripts_from_this_server(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html


def _query(operation) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def test_each_operation_lists_its_query_parameters(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    objects = paths["/crm/v3/objects/{object_type}"]
    assert {"limit", "after", "properties", "propertiesWithHistory", "archived"} <= _query(
        objects["get"]
    )
    assert "associations" in _query(objects["get"])
    one = paths["/crm/v3/objects/{object_type}/{object_id}"]
    assert {"properties", "idProperty", "archived"} <= _query(one["get"])
    assert _query(one["patch"]) == {"idProperty"}
    properties_param = next(p for p in objects["get"]["parameters"] if p["name"] == "properties")
    assert properties_param["schema"]["type"] == "array"
    assert {"email", "limit", "after"} <= _query(paths["/crm/v3/owners/"]["get"])
    pipeline = paths["/crm/v3/pipelines/{object_type}/{pipeline_id}"]
    assert "validateDealStageUsagesBeforeDelete" in _query(pipeline["delete"])
    page = paths["/crm/v4/objects/{object_type}/{object_id}/associations/{to_type}"]["get"]
    assert _query(page) == {"limit", "after"}
    # An operation that reads no query string documents none.
    assert _query(paths["/crm/v3/objects/{object_type}/search"]["post"]) == set()


def test_each_operation_declares_its_real_success_codes(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    def codes(path, method):
        return {c for c in paths[path][method]["responses"] if c.startswith("2")}

    objects = "/crm/v3/objects/{object_type}"
    assert codes(objects, "get") == {"200"}
    assert codes(objects, "post") == {"201"}
    assert codes(objects + "/{object_id}", "delete") == {"204"}
    assert codes(objects + "/batch/create", "post") == {"201", "207"}
    assert codes(objects + "/batch/update", "post") == {"200", "207"}
    assert codes(objects + "/batch/archive", "post") == {"204"}
    assert codes("/crm/v3/pipelines/{object_type}", "post") == {"201"}
    assert codes("/crm/v4/associations/{from_type}/{to_type}/labels", "post") == {"200"}
    assert codes(
        "/crm/v4/objects/{object_type}/{object_id}/associations/{to_type}/{to_id}", "put"
    ) == {"201"}
    limits = "/crm/v4/associations/definitions/configurations/{from_type}/{to_type}/batch"
    assert codes(limits + "/create", "post") == {"201", "207"}
    assert codes(limits + "/purge", "post") == {"204"}


def test_every_error_is_documented_with_hubspots_error_body(client):
    schema = client.get("/api/openapi.json").json()
    error = schema["components"]["schemas"]["Error"]
    assert {"status", "message", "correlationId", "category"} <= set(error["required"])
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for code in ("4XX", "503"):  # 503: the database was busy (Retry-After)
                failure = operation["responses"][code]["content"]["application/json"]["schema"]
                assert failure == {"$ref": "#/components/schemas/Error"}, (path, method)


def test_every_query_parameter_the_code_reads_is_documented(client):
    """Handlers read the query string through params.py or request.GET: any name they read
    must be described, on some operation, in /api/openapi.json."""
    import re
    from pathlib import Path

    import comptoir.hubspot_api as package
    from comptoir.hubspot_api import imports as imports_api

    sources = [*Path(package.__file__).parent.glob("*.py"), Path(imports_api.__file__)]
    pattern = re.compile(
        r"(?:multi|boolean|integer)\(\s*request,\s*\"(\w+)\"|request\.GET\.get(?:list)?\(\"(\w+)\""
    )
    read = {a or b for src in sources for a, b in pattern.findall(src.read_text())}
    assert {"limit", "after", "properties", "idProperty"} <= read
    paths = client.get("/api/openapi.json").json()["paths"]
    documented = {
        name for methods in paths.values() for op in methods.values() for name in _query(op)
    }
    assert read <= documented, read - documented


def test_the_document_is_valid_openapi_3_1(client):
    import schemathesis

    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(document).validate()  # the OpenAPI 3.1 meta-schema


def test_every_success_declares_its_body(client):
    """Each 200/201/207 names a response model (its body is checked by test_fuzz.py); 204 has
    no body."""
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for code, response in operation["responses"].items():
                if code == "204":
                    assert "content" not in response, (path, method)
                if code == "204" or not code.startswith("2"):
                    continue
                ref = response["content"]["application/json"]["schema"]["$ref"]
                name = ref.removeprefix("#/components/schemas/")
                assert name in components, (path, method, code, ref)
    record = components["SimplePublicObject"]
    assert record["additionalProperties"] is False
    assert {"id", "properties", "createdAt", "updatedAt", "archived"} <= set(record["required"])
    batch = components["BatchResponseSimplePublicObject"]["properties"]
    assert batch["errors"]["items"] == {"$ref": "#/components/schemas/StandardError"}
    upsert = schema["paths"]["/crm/v3/objects/{object_type}/batch/upsert"]["post"]
    assert upsert["responses"]["207"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/BatchResponseSimplePublicUpsertObject"
    )


def test_path_parameters_are_typed_and_object_types_are_enums(client):
    from comptoir.core.objects.registry import OBJECT_TYPES

    paths = client.get("/api/openapi.json").json()["paths"]

    def parameter(path, method, name):
        found = [p for p in paths[path][method]["parameters"] if p["name"] == name]
        assert found and found[0]["in"] == "path" and found[0]["required"], (path, name)
        return found[0]["schema"]

    every_type = {key for ot in OBJECT_TYPES for key in (ot.name, ot.singular, ot.type_id)}
    assert {"contacts", "contact", "0-1", "meetings", "0-47"} <= every_type
    one = "/crm/v3/objects/{object_type}/{object_id}"
    assert set(parameter(one, "get", "object_type")["enum"]) == every_type
    assert parameter(one, "get", "object_id")["type"] == "string"  # an id or an idProperty value
    v4 = "/crm/v4/objects/{object_type}/{object_id}/associations/{to_type}/{to_id}"
    assert set(parameter(v4, "put", "to_type")["enum"]) == every_type
    assert parameter(v4, "put", "to_id")["pattern"] == "^[0-9]+$"
    pipelines = parameter("/crm/v3/pipelines/{object_type}", "get", "object_type")["enum"]
    assert set(pipelines) == {"deals", "deal", "0-3", "tasks", "task", "0-27"}
    label = "/crm/v4/associations/{from_type}/{to_type}/labels/{association_type_id}"
    assert parameter(label, "delete", "association_type_id")["type"] == "integer"
    assert parameter("/crm/v3/imports/{import_id}", "get", "import_id")["type"] == "integer"
    for path, methods in paths.items():
        for operation in methods.values():
            for p in operation.get("parameters", []):
                if p["in"] == "path":
                    assert "title" not in p["schema"], (path, p)  # not ninja's bare default
