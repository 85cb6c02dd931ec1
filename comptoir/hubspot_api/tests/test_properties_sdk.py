"""crm.properties (core, batch, groups) through the official SDK (reference §2.3)."""

import json

import pytest
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from hubspot.crm.properties import (
    ApiException,
    BatchInputPropertyCreate,
    BatchInputPropertyName,
    BatchReadInputPropertyName,
    OptionInput,
    PropertyCreate,
    PropertyGroupCreate,
    PropertyGroupUpdate,
    PropertyName,
    PropertyUpdate,
)
from hubspot.crm.properties.exceptions import NotFoundException

from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db


def colour(name="favourite_colour", **kw):
    return PropertyCreate(
        name=name,
        label="Favourite colour",
        type="enumeration",
        field_type="select",
        group_name="contactinformation",
        description="What they like",
        options=[
            OptionInput(label="Blue", value="blue", hidden=False, display_order=0),
            OptionInput(label="Red", value="red", hidden=False, display_order=1),
        ],
        **kw,
    )


def error_of(caught) -> dict:
    return json.loads(caught.value.body)


def test_default_properties_list_and_read(hubspot):
    everything = {p.name: p for p in hubspot.crm.properties.core_api.get_all("contacts").results}
    email = everything["email"]
    assert (email.type, email.field_type, email.group_name) == (
        "string",
        "text",
        "contactinformation",
    )
    assert email.hubspot_defined is True and email.archived is False
    assert email.modification_metadata.archivable is False
    assert email.modification_metadata.read_only_definition is True
    assert email.created_at.tzinfo is not None and email.options == []
    assert everything["hs_object_id"].modification_metadata.read_only_value is True
    stages = [o.value for o in everything["lifecyclestage"].options]
    assert stages[:2] == ["subscriber", "lead"] and "customer" in stages

    only = hubspot.crm.properties.core_api.get_all("contacts", properties="email,firstname")
    assert sorted(p.name for p in only.results) == ["email", "firstname"]
    assert hubspot.crm.properties.core_api.get_all("contacts", archived=True).results == []

    status = hubspot.crm.properties.core_api.get_by_name("0-1", "hs_lead_status")
    assert status.type == "enumeration" and status.options[0].value == "NEW"
    assert status.options[0].hidden is False

    with pytest.raises(NotFoundException) as caught:
        hubspot.crm.properties.core_api.get_by_name("contacts", "no_such_thing")
    assert error_of(caught)["category"] == "OBJECT_NOT_FOUND"


def test_owner_pipeline_and_stage_options_are_expanded(hubspot, api_user):
    owner = hubspot.crm.properties.core_api.get_by_name("deals", "hubspot_owner_id")
    assert owner.external_options is True and owner.referenced_object_type == "OWNER"
    assert [(o.label, o.value) for o in owner.options] == [("Api User", str(api_user.owner.pk))]

    stage = hubspot.crm.properties.core_api.get_by_name("deals", "dealstage")
    assert [o.value for o in stage.options][:2] == ["appointmentscheduled", "qualifiedtobuy"]
    assert len(stage.options) == 7 and stage.options[5].label == "Closed Won"
    pipeline = hubspot.crm.properties.core_api.get_by_name("deals", "pipeline")
    assert [(o.label, o.value) for o in pipeline.options] == [("Sales Pipeline", "default")]
    assert pipeline.modification_metadata.read_only_options is True


def test_locale_fr_gives_french_labels(http):
    french = http("GET", "/crm/v3/properties/deals/dealstage?locale=fr").json()
    assert french["label"] == "Phase de la transaction"
    assert french["options"][0]["label"] == "Rendez-vous programmé"
    english = http("GET", "/crm/v3/properties/deals/dealstage").json()
    assert english["label"] == "Deal stage"
    assert english["options"][0]["label"] == "Appointment Scheduled"
    groups = http("GET", "/crm/v3/properties/deals/groups?locale=fr").json()["results"]
    assert [g["label"] for g in groups] == ["Informations sur la transaction"]


@pytest.mark.sdk_both_modes
def test_create_use_update_archive_a_custom_property(hubspot):
    created = hubspot.crm.properties.core_api.create("contacts", colour(display_order=0))
    assert (created.name, created.label, created.display_order) == (
        "favourite_colour",
        "Favourite colour",
        0,
    )
    assert [o.value for o in created.options] == ["blue", "red"]
    assert created.hubspot_defined is False and created.modification_metadata.archivable
    assert created.modification_metadata.read_only_options is False
    assert created.description == "What they like" and created.created_at is not None

    contact = hubspot.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "c@example.com", "favourite_colour": "blue"}
        )
    )
    updated = hubspot.crm.properties.core_api.update(
        "contacts",
        "favourite_colour",
        PropertyUpdate(
            label="Colour",
            options=[
                OptionInput(label="Blue", value="blue", hidden=False, display_order=0),
                OptionInput(label="Green", value="green", hidden=False, display_order=1),
            ],
        ),
    )
    assert updated.label == "Colour"
    assert [o.label for o in updated.options] == ["Blue", "Green"]

    with pytest.raises(ApiException) as caught:  # "blue" is still on the contact
        hubspot.crm.properties.core_api.update(
            "contacts",
            "favourite_colour",
            PropertyUpdate(options=[OptionInput(label="Green", value="green", hidden=False)]),
        )
    assert caught.value.status == 400 and "1 record" in error_of(caught)["message"]

    assert hubspot.crm.properties.core_api.archive("contacts", "favourite_colour") is None
    with pytest.raises(NotFoundException):
        hubspot.crm.properties.core_api.get_by_name("contacts", "favourite_colour")
    archived = hubspot.crm.properties.core_api.get_by_name(
        "contacts", "favourite_colour", archived=True
    )
    assert archived.archived is True and archived.archived_at is not None
    names = [
        p.name for p in hubspot.crm.properties.core_api.get_all("contacts", archived=True).results
    ]
    assert names == ["favourite_colour"]
    kept = hubspot.crm.contacts.basic_api.get_by_id(contact.id)
    assert kept.id == contact.id


def test_property_errors_are_hubspot_shaped(hubspot):
    core = hubspot.crm.properties.core_api
    core.create("contacts", colour())
    with pytest.raises(ApiException) as caught:
        core.create("contacts", colour())
    assert caught.value.status == 409
    body = error_of(caught)
    assert body["category"] == "OBJECT_ALREADY_EXISTS" and "favourite_colour" in body["message"]
    assert body["correlationId"] and body["status"] == "error"

    with pytest.raises(ApiException) as caught:
        core.create(
            "contacts",
            PropertyCreate(
                name="size",
                label="Size",
                type="number",
                field_type="select",
                group_name="contactinformation",
            ),
        )
    assert caught.value.status == 400 and error_of(caught)["errors"][0]["in"] == "fieldType"

    with pytest.raises(ApiException) as caught:
        core.create(
            "contacts",
            PropertyCreate(
                name="size", label="Size", type="number", field_type="number", group_name="nowhere"
            ),
        )
    assert caught.value.status == 400 and error_of(caught)["errors"][0]["in"] == "groupName"

    with pytest.raises(ApiException) as caught:
        core.archive("contacts", "email")
    assert caught.value.status == 400
    with pytest.raises(NotFoundException):
        core.archive("contacts", "nothing_here")
    with pytest.raises(NotFoundException):
        core.update("contacts", "nothing_here", PropertyUpdate(label="X"))
    with pytest.raises(ApiException) as caught:
        core.update("contacts", "email", PropertyUpdate(field_type="textarea"))
    assert caught.value.status == 400


def test_batch_create_read_archive(hubspot):
    batch = hubspot.crm.properties.batch_api
    created = batch.create(
        "companies",
        BatchInputPropertyCreate(
            inputs=[
                PropertyCreate(
                    name="tier",
                    label="Tier",
                    type="number",
                    field_type="number",
                    group_name="companyinformation",
                ),
                PropertyCreate(
                    name="vip",
                    label="VIP",
                    type="bool",
                    field_type="booleancheckbox",
                    group_name="companyinformation",
                ),
            ]
        ),
    )
    assert created.status == "COMPLETE" and not getattr(created, "errors", None)
    assert sorted(p.name for p in created.results) == ["tier", "vip"]
    vip = next(p for p in created.results if p.name == "vip")
    assert [o.value for o in vip.options] == ["true", "false"]

    partial = batch.create(
        "companies",
        BatchInputPropertyCreate(
            inputs=[
                PropertyCreate(
                    name="region",
                    label="Region",
                    type="string",
                    field_type="text",
                    group_name="companyinformation",
                ),
                PropertyCreate(
                    name="tier",
                    label="Tier again",
                    type="number",
                    field_type="number",
                    group_name="companyinformation",
                ),
            ]
        ),
    )
    assert [p.name for p in partial.results] == ["region"]
    assert partial.num_errors == 1 and partial.errors[0].context == {"name": ["tier"]}

    read = batch.read(
        "companies",
        BatchReadInputPropertyName(
            archived=False,
            inputs=[
                PropertyName(name="tier"),
                PropertyName(name="name"),
                PropertyName(name="missing"),
            ],
        ),
    )
    assert sorted(p.name for p in read.results) == ["name", "tier"]
    assert read.num_errors == 1 and read.errors[0].context == {"names": ["missing"]}
    complete = batch.read(
        "companies", BatchReadInputPropertyName(archived=False, inputs=[PropertyName(name="vip")])
    )
    assert [p.label for p in complete.results] == ["VIP"]
    assert getattr(complete, "errors", None) is None

    assert (
        batch.archive(
            "companies",
            BatchInputPropertyName(
                inputs=[
                    PropertyName(name="tier"),
                    PropertyName(name="vip"),
                    PropertyName(name="unknown"),
                ]
            ),
        )
        is None
    )
    names = {p.name for p in hubspot.crm.properties.core_api.get_all("companies").results}
    assert "tier" not in names and "vip" not in names and "region" in names
    gone = batch.read(
        "companies", BatchReadInputPropertyName(archived=True, inputs=[PropertyName(name="tier")])
    )
    assert gone.results[0].archived is True


@pytest.mark.sdk_both_modes
def test_property_groups(hubspot):
    groups = hubspot.crm.properties.groups_api
    names = [g.name for g in groups.get_all("contacts").results]
    assert "contactinformation" in names

    created = groups.create(
        "contacts", PropertyGroupCreate(name="billing", label="Billing", display_order=0)
    )
    assert (created.name, created.label, created.display_order, created.archived) == (
        "billing",
        "Billing",
        0,
        False,
    )
    assert groups.get_by_name("contacts", "billing").label == "Billing"
    updated = groups.update(
        "contacts", "billing", PropertyGroupUpdate(label="Invoicing", display_order=3)
    )
    assert (updated.label, updated.display_order) == ("Invoicing", 3)

    with pytest.raises(ApiException) as caught:
        groups.create("contacts", PropertyGroupCreate(name="billing", label="Again"))
    assert caught.value.status == 409

    hubspot.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(
            name="iban", label="IBAN", type="string", field_type="text", group_name="billing"
        ),
    )
    with pytest.raises(ApiException) as caught:  # still holds a property
        groups.archive("contacts", "billing")
    assert caught.value.status == 400
    hubspot.crm.properties.core_api.archive("contacts", "iban")
    assert groups.archive("contacts", "billing") is None
    with pytest.raises(NotFoundException):
        groups.get_by_name("contacts", "billing")
    with pytest.raises(NotFoundException):
        groups.update("contacts", "billing", PropertyGroupUpdate(label="X"))
    with pytest.raises(NotFoundException):
        groups.archive("contacts", "billing")


# -- plain HTTP: what the SDK cannot send --------------------------------------------------------


def assert_hubspot_error(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "error" and body["message"] and body["correlationId"]
    return body


def test_bad_bodies_are_400s_naming_the_field(http):
    url = "/crm/v3/properties/contacts"
    body = assert_hubspot_error(
        http("POST", url, data="{not json", headers={"Content-Type": "application/json"}), 400
    )
    assert "Invalid input JSON" in body["message"]
    assert_hubspot_error(http("POST", url, json=["a", "list"]), 400)
    base = {
        "name": "score",
        "label": "Score",
        "type": "number",
        "fieldType": "number",
        "groupName": "contactinformation",
    }
    for field, value in [
        ("displayOrder", "first"),
        ("hidden", "yes"),
        ("options", "blue"),
        ("label", 12),
        ("name", None),
    ]:
        body = assert_hubspot_error(http("POST", url, json={**base, field: value}), 400)
        assert body["category"] == "VALIDATION_ERROR"
        assert body["errors"][0]["in"] == field, (field, body)
    body = assert_hubspot_error(
        http(
            "POST",
            url,
            json={**base, "type": "enumeration", "fieldType": "select", "options": ["blue"]},
        ),
        400,
    )
    assert body["errors"][0]["in"] == "options[0]"
    assert_hubspot_error(http("PATCH", f"{url}/email", json={"displayOrder": [1]}), 400)
    assert_hubspot_error(http("POST", f"{url}/batch/read", json={"inputs": "x"}), 400)
    assert_hubspot_error(http("POST", f"{url}/batch/read", json={"inputs": [{"name": 3}]}), 400)
    assert_hubspot_error(http("POST", f"{url}/groups", json={"name": "g", "label": ["x"]}), 400)
    assert_hubspot_error(http("GET", "/crm/v3/properties/unicorns"), 400)
    assert_hubspot_error(http("GET", f"{url}?archived=maybe"), 400)
    created = http("POST", url, json={**base, "displayOrder": "2"})
    assert created.status_code == 201 and created.json()["displayOrder"] == 2
    # null means "not given", as for HubSpot's models
    patched = http(
        "PATCH", f"{url}/score", json={"label": "Score!", "displayOrder": None, "description": None}
    )
    assert patched.status_code == 200
    assert (patched.json()["label"], patched.json()["displayOrder"]) == ("Score!", 2)
    group = http("PATCH", f"{url}/groups/contactinformation", json={"displayOrder": None})
    assert group.status_code == 200


def test_scopes_read_with_either_scope_write_needs_schema_write(http, api_user):
    def call(scopes, method, path, **kw):
        raw = create_token(api_user, "scoped", scopes)[1]
        return http(method, path, headers={"Authorization": f"Bearer {raw}"}, **kw)

    assert call(["crm.objects.contacts.read"], "GET", "/crm/v3/properties/contacts").ok
    assert call(["crm.schemas.contacts.read"], "GET", "/crm/v3/properties/contacts").ok
    denied = call(["crm.objects.deals.read"], "GET", "/crm/v3/properties/contacts")
    assert assert_hubspot_error(denied, 403)["category"] == "MISSING_SCOPES"
    group = {"name": "g1", "label": "G1"}
    refused = call(
        ["crm.schemas.contacts.read", "crm.objects.contacts.write"],
        "POST",
        "/crm/v3/properties/contacts/groups",
        json=group,
    )
    assert_hubspot_error(refused, 403)
    allowed = call(
        ["crm.schemas.contacts.write"], "POST", "/crm/v3/properties/contacts/groups", json=group
    )
    assert allowed.status_code == 201
