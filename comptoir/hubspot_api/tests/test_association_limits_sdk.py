"""crm.associations.v4 association limits ("definition configurations") and the
high-usage report through the official SDK (reference §2.7)."""

import datetime as dt
import json

import pytest
from hubspot.crm.associations.v4 import AssociationSpec
from hubspot.crm.associations.v4.exceptions import ApiException
from hubspot.crm.associations.v4.exceptions import NotFoundException as ReportNotFound
from hubspot.crm.associations.v4.schema import (
    BatchInputPublicAssociationDefinitionConfigurationCreateRequest as BatchCreate,
)
from hubspot.crm.associations.v4.schema import (
    BatchInputPublicAssociationDefinitionConfigurationUpdateRequest as BatchUpdate,
)
from hubspot.crm.associations.v4.schema import (
    BatchInputPublicAssociationSpec,
    PublicAssociationDefinitionConfigurationCreateRequest,
    PublicAssociationDefinitionConfigurationUpdateRequest,
    PublicAssociationDefinitionCreateRequest,
    PublicAssociationSpec,
)
from hubspot.crm.associations.v4.schema.exceptions import ApiException as SchemaApiException

from comptoir.core.testing.factories import make_company, make_contact

pytestmark = pytest.mark.django_db

USER, HS = "USER_DEFINED", "HUBSPOT_DEFINED"


def limit(type_id, maximum, category=USER):
    return PublicAssociationDefinitionConfigurationCreateRequest(
        category=category, type_id=type_id, max_to_object_ids=maximum
    )


def decision_maker(hubspot) -> int:
    """A contact→company label; returns its type id."""
    created = hubspot.crm.associations.v4.schema.definitions_api.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(label="Decision maker", name="decision_maker"),
    )
    return next(r.type_id for r in created.results if r.label == "Decision maker")


@pytest.mark.sdk_both_modes
def test_limits_are_created_listed_updated_and_purged(hubspot):
    configs = hubspot.crm.associations.v4.schema.definition_configurations_api
    label = decision_maker(hubspot)
    assert configs.get_all().results == []

    created = configs.batch_create(
        "contacts", "companies", BatchCreate(inputs=[limit(label, 1), limit(279, 5, HS)])
    )
    assert created.status == "COMPLETE"
    assert {(r.type_id, r.label, r.user_enforced_max_to_object_ids) for r in created.results} == {
        (label, "Decision maker", 1),
        (279, None, 5),
    }

    between = configs.get_all_between_two_object_types("contacts", "companies").results
    by_type = {r.type_id: r for r in between}
    assert {1, 279, label} <= set(by_type)  # every type of the pair, limited or not
    assert by_type[label].user_enforced_max_to_object_ids == 1
    assert by_type[1].user_enforced_max_to_object_ids is None
    assert {r.type_id for r in configs.get_all().results} == {label, 279}

    updated = configs.batch_update(
        "contacts",
        "companies",
        BatchUpdate(
            inputs=[
                PublicAssociationDefinitionConfigurationUpdateRequest(
                    category=USER, type_id=label, max_to_object_ids=2
                )
            ]
        ),
    )
    assert [(r.type_id, r.user_enforced_max_to_object_ids) for r in updated.results] == [(label, 2)]
    assert isinstance(updated.completed_at, dt.datetime)

    purged = configs.batch_remove(
        "contacts",
        "companies",
        BatchInputPublicAssociationSpec(inputs=[PublicAssociationSpec(category=HS, type_id=279)]),
    )
    assert purged is None  # 204
    assert [r.type_id for r in configs.get_all().results] == [label]


def test_a_limit_refuses_the_association_past_it(hubspot, http):
    configs = hubspot.crm.associations.v4.schema.definition_configurations_api
    label = decision_maker(hubspot)
    configs.batch_create("contacts", "companies", BatchCreate(inputs=[limit(label, 1)]))
    contact = make_contact(email="jean@example.com").pk
    first, second = make_company(name="Acme").pk, make_company(name="Globex").pk
    basic = hubspot.crm.associations.v4.basic_api
    spec = AssociationSpec(association_category=USER, association_type_id=label)
    basic.create("contacts", contact, "companies", first, [spec])
    with pytest.raises(ApiException) as caught:
        basic.create("contacts", contact, "companies", second, [spec])
    body = json.loads(caught.value.body)
    assert caught.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert "limit is 1" in body["message"]
    # Unlabeled, the second company is fine.
    basic.create_default("contacts", contact, "companies", second)
    # In a batch, only the input past the limit fails (207).
    third = make_contact(email="anne@example.com").pk
    batch = http(
        "POST",
        "/crm/v4/associations/contacts/companies/batch/create",
        json={
            "inputs": [
                {"from": {"id": str(c)}, "to": {"id": str(second)}, "types": [
                    {"associationCategory": USER, "associationTypeId": label}
                ]}
                for c in (contact, third)
            ]
        },
    )  # fmt: skip
    assert batch.status_code == 207
    assert batch.json()["numErrors"] == 1
    assert batch.json()["errors"][0]["errors"][0]["code"] == "TOO_MANY_ASSOCIATIONS"
    assert [r["fromObjectId"] for r in batch.json()["results"]] == [third]


def test_limit_errors_are_per_input_or_hubspot_shaped(hubspot, http):
    configs = hubspot.crm.associations.v4.schema.definition_configurations_api
    label = decision_maker(hubspot)
    configs.batch_create("contacts", "companies", BatchCreate(inputs=[limit(label, 1)]))
    # 207: one input fine, one already configured, one naming no type of the pair.
    mixed = http(
        "POST",
        "/crm/v4/associations/definitions/configurations/contacts/companies/batch/create",
        json={
            "inputs": [
                {"category": HS, "typeId": 279, "maxToObjectIds": 3},
                {"category": USER, "typeId": label, "maxToObjectIds": 2},
                {"category": HS, "typeId": 3, "maxToObjectIds": 2},
            ]
        },
    )
    assert mixed.status_code == 207
    body = mixed.json()
    assert body["numErrors"] == 2 and [r["typeId"] for r in body["results"]] == [279]
    assert {e["errors"][0]["code"] for e in body["errors"]} == {
        "CONFIGURATION_EXISTS",
        "INVALID_ASSOCIATION_TYPE",
    }
    for bad in (
        {"category": USER, "typeId": label, "maxToObjectIds": 0},
        {"category": HS, "typeId": label, "maxToObjectIds": 1},
    ):
        answer = http(
            "POST",
            "/crm/v4/associations/definitions/configurations/contacts/companies/batch/update",
            json={"inputs": [bad]},
        )
        assert answer.status_code == 207
        assert answer.json()["errors"][0]["errors"][0]["in"] in ("maxToObjectIds", "category")
    with pytest.raises(SchemaApiException) as caught:
        configs.get_all_between_two_object_types("contacts", "unicorns")
    assert caught.value.status == 400
    with pytest.raises(SchemaApiException) as caught:
        configs.batch_remove(
            "contacts",
            "companies",
            BatchInputPublicAssociationSpec(
                inputs=[PublicAssociationSpec(category=HS, type_id=99999)]
            ),
        )
    assert json.loads(caught.value.body)["category"] == "VALIDATION_ERROR"


def test_high_usage_report_request_is_acknowledged(hubspot, api_user):
    report = hubspot.crm.associations.v4.report_api.request(api_user.pk)
    assert (report.user_id, report.user_email) == (api_user.pk, api_user.email)
    assert isinstance(report.enqueue_time, dt.datetime)
    with pytest.raises(ReportNotFound):
        hubspot.crm.associations.v4.report_api.request(987654)


def test_a_deleted_labels_limit_does_not_pass_to_the_next_label(hubspot):
    configs = hubspot.crm.associations.v4.schema.definition_configurations_api
    label = decision_maker(hubspot)
    configs.batch_create("contacts", "companies", BatchCreate(inputs=[limit(label, 1)]))
    hubspot.crm.associations.v4.schema.definitions_api.remove("contacts", "companies", label)
    assert configs.get_all().results == []
    again = decision_maker(hubspot)
    between = configs.get_all_between_two_object_types("contacts", "companies").results
    assert next(r for r in between if r.type_id == again).user_enforced_max_to_object_ids is None
