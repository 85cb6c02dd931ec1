"""`/crm/v3/schemas` (issue 15, point 5): HubSpot's ObjectSchema shape for custom object
types, `200 {"results": []}` for a token that reads none (an account without custom
objects: what Airbyte's `check` and `discover` expect). The suite's settings register the
test-only projects type (`2-9000001`), a custom object."""

import json

import pytest
from hubspot.crm.schemas.exceptions import NotFoundException

from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db


@pytest.mark.sdk_both_modes
def test_schemas_list_the_custom_types(hubspot):
    schemas = hubspot.crm.schemas.core_api.get_all().results
    assert [s.object_type_id for s in schemas] == ["2-9000001"]
    projects = schemas[0]
    assert (projects.name, projects.labels.singular, projects.labels.plural) == (
        "projects",
        "Project",
        "Projects",
    )
    assert projects.primary_display_property == "project_name"
    assert projects.required_properties == ["project_name"]
    names = {p.name: p.type for p in projects.properties}
    assert names["project_name"] == "string" and names["budget"] == "number"
    one = hubspot.crm.schemas.core_api.get_by_id("2-9000001")
    assert one.to_dict() == projects.to_dict()
    assert hubspot.crm.schemas.core_api.get_by_id("projects").id == "9000001"
    assert hubspot.crm.schemas.core_api.get_all(archived=True).results == []


def test_standard_types_are_no_custom_schema(hubspot):
    for key in ("contacts", "0-1", "nothing"):
        with pytest.raises(NotFoundException) as caught:
            hubspot.crm.schemas.core_api.get_by_id(key)
        assert json.loads(caught.value.body)["category"] == "OBJECT_NOT_FOUND"


def test_a_token_without_custom_scopes_sees_an_account_without_custom_objects(
    api_user, http, sdk_for
):
    token = create_token(api_user, "contacts only", ["crm.objects.contacts.read"])[1]
    response = http("GET", "/crm/v3/schemas", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()) == (200, {"results": []})
    assert sdk_for(token).crm.schemas.core_api.get_all().results == []
    response = http("GET", "/crm/v3/schemas/", auth=False)
    assert response.status_code == 401 and response.json()["category"] == "INVALID_AUTHENTICATION"
