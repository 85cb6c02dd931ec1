"""crm.pipelines (pipelines and stages) through the official SDK (reference §2.4)."""

import datetime as dt
import json

import pytest
from hubspot.crm.deals import SimplePublicObjectInputForCreate
from hubspot.crm.pipelines import (
    ApiException,
    PipelineInput,
    PipelinePatchInput,
    PipelineStageInput,
    PipelineStagePatchInput,
)
from hubspot.crm.pipelines.exceptions import NotFoundException

pytestmark = pytest.mark.django_db

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def stage(label, order, probability, closed=False):
    return PipelineStageInput(
        label=label,
        display_order=order,
        metadata={"probability": probability, "isClosed": "true" if closed else "false"},
    )


def partners(hubspot, label="Partners"):
    return hubspot.crm.pipelines.pipelines_api.create(
        "deals",
        PipelineInput(
            label=label,
            display_order=1,
            stages=[stage("New", 0, "0.1"), stage("Won", 1, "1.0", closed=True)],
        ),
    )


def error_of(caught) -> dict:
    return json.loads(caught.value.body)


def test_default_deal_pipeline(hubspot):
    pipelines = hubspot.crm.pipelines.pipelines_api.get_all("deals").results
    assert [(p.id, p.label, p.display_order) for p in pipelines] == [
        ("default", "Sales Pipeline", 0)
    ]
    default = hubspot.crm.pipelines.pipelines_api.get_by_id("deals", "default")
    assert default.created_at == EPOCH and default.updated_at == EPOCH
    assert default.archived is False
    assert [s.id for s in default.stages] == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]
    first = default.stages[0]
    assert first.metadata == {"probability": "0.2", "isClosed": "false"}
    assert first.write_permissions == "CRM_PERMISSIONS_ENFORCEMENT"
    assert first.created_at == EPOCH

    stages = hubspot.crm.pipelines.pipeline_stages_api.get_all("deals", "default").results
    assert [s.label for s in stages][-2:] == ["Closed Won", "Closed Lost"]
    won = hubspot.crm.pipelines.pipeline_stages_api.get_by_id("deals", "default", "closedwon")
    assert won.metadata == {"probability": "1.0", "isClosed": "true"}
    lost = hubspot.crm.pipelines.pipeline_stages_api.get_by_id("0-3", "default", "closedlost")
    assert lost.metadata["probability"] == "0.0"

    with pytest.raises(NotFoundException) as caught:
        hubspot.crm.pipelines.pipelines_api.get_by_id("deals", "nope")
    assert error_of(caught)["category"] == "OBJECT_NOT_FOUND"
    with pytest.raises(NotFoundException):
        hubspot.crm.pipelines.pipeline_stages_api.get_by_id("deals", "default", "nope")


def test_default_task_pipeline_and_a_task_in_it(hubspot):
    from hubspot.crm.objects import ApiException as ObjectsApiException
    from hubspot.crm.objects import SimplePublicObjectInput

    pipelines = hubspot.crm.pipelines.pipelines_api.get_all("tasks").results
    assert [(p.id, p.label) for p in pipelines] == [
        ("3d314325-1b2a-4225-9388-375f49c57ec3", "Task Pipeline")
    ]
    stages = pipelines[0].stages
    assert [s.label for s in stages] == [
        "Not Started",
        "In progress",
        "Waiting",
        "Completed",
        "Deferred",
    ]
    completed = stages[3]
    assert completed.id == "61bafb31-e7fa-46ed-aaa9-1322438d6e67"
    assert completed.metadata == {"isClosed": "true", "state": "CLOSED"}
    assert stages[0].metadata == {"isClosed": "false", "state": "OPEN"}

    task = hubspot.crm.objects.basic_api.create(
        "tasks",
        SimplePublicObjectInput(
            properties={"hs_task_subject": "Call back", "hs_timestamp": "2026-01-15T10:00:00Z"}
        ),
    )
    wanted = ["hs_pipeline", "hs_pipeline_stage"]
    task = hubspot.crm.objects.basic_api.get_by_id("tasks", task.id, properties=wanted)
    assert task.properties["hs_pipeline"] == pipelines[0].id
    assert task.properties["hs_pipeline_stage"] == stages[0].id
    hubspot.crm.objects.basic_api.update(
        "tasks", task.id, SimplePublicObjectInput(properties={"hs_task_status": "COMPLETED"})
    )
    done = hubspot.crm.objects.basic_api.get_by_id("tasks", task.id, properties=wanted)
    assert done.properties["hs_pipeline_stage"] == completed.id
    with pytest.raises(ObjectsApiException) as caught:
        hubspot.crm.objects.basic_api.update(
            "tasks", task.id, SimplePublicObjectInput(properties={"hs_pipeline_stage": "nope"})
        )
    assert caught.value.status == 400 and "hs_pipeline_stage" in caught.value.body

    # A task stage still holding tasks is not deleted from under them.
    with pytest.raises(ApiException) as caught:
        hubspot.crm.pipelines.pipeline_stages_api.archive("tasks", pipelines[0].id, completed.id)
    assert caught.value.status == 400
    assert "1 task(s) are still in its stage(s)" in error_of(caught)["message"]


@pytest.mark.sdk_both_modes
def test_create_update_replace_archive_a_pipeline(hubspot):
    api = hubspot.crm.pipelines.pipelines_api
    created = partners(hubspot)
    assert created.id.isdigit() and created.label == "Partners" and created.display_order == 1
    assert [(s.label, s.metadata["probability"]) for s in created.stages] == [
        ("New", "0.1"),
        ("Won", "1.0"),
    ]
    assert created.created_at > EPOCH
    assert [p.id for p in api.get_all("deals").results] == ["default", created.id]

    renamed = api.update(
        "deals", created.id, PipelinePatchInput(label="Resellers", display_order=2)
    )
    assert (renamed.label, renamed.display_order) == ("Resellers", 2)
    assert [s.id for s in renamed.stages] == [s.id for s in created.stages]

    new_id = created.stages[0].id
    replaced = api.replace(
        "deals",
        created.id,
        PipelineInput(
            label="Resellers",
            display_order=2,
            stages=[stage("New", 0, "0.2"), stage("Negotiation", 1, "0.5")],
        ),
        validate_references_before_delete=True,
        validate_deal_stage_usages_before_delete=True,
    )
    assert [(s.label, s.metadata["probability"]) for s in replaced.stages] == [
        ("New", "0.2"),
        ("Negotiation", "0.5"),
    ]
    assert replaced.stages[0].id == new_id  # same label: the stage is kept
    assert created.stages[1].id not in {s.id for s in replaced.stages}

    assert api.archive("deals", created.id) is None
    with pytest.raises(NotFoundException):
        api.get_by_id("deals", created.id)
    assert [p.id for p in api.get_all("deals").results] == ["default"]


def test_stage_create_update_replace_archive(hubspot):
    stages = hubspot.crm.pipelines.pipeline_stages_api
    added = stages.create("deals", "default", stage("Trial", 7, "0.3"))
    assert (added.label, added.display_order, added.metadata) == (
        "Trial",
        7,
        {"probability": "0.3", "isClosed": "false"},
    )
    assert stages.get_by_id("deals", "default", added.id).label == "Trial"

    patched = stages.update(
        "deals", "default", added.id, PipelineStagePatchInput(metadata={"probability": "0.5"})
    )
    assert patched.metadata == {"probability": "0.5", "isClosed": "false"}
    relabelled = stages.update("deals", "default", added.id, PipelineStagePatchInput(label="Pilot"))
    assert (relabelled.label, relabelled.metadata["probability"]) == ("Pilot", "0.5")

    replaced = stages.replace(
        "deals", "default", added.id, stage("Pilot lost", 8, "0.0", closed=True)
    )
    assert (replaced.label, replaced.display_order, replaced.metadata) == (
        "Pilot lost",
        8,
        {"probability": "0.0", "isClosed": "true"},
    )

    assert stages.archive("deals", "default", added.id) is None
    with pytest.raises(NotFoundException):
        stages.get_by_id("deals", "default", added.id)
    assert len(stages.get_all("deals", "default").results) == 7

    with pytest.raises(ApiException) as caught:  # deal stages need a probability
        stages.create(
            "deals",
            "default",
            PipelineStageInput(label="X", display_order=9, metadata={"isClosed": "false"}),
        )
    assert caught.value.status == 400
    assert "probability" in error_of(caught)["message"]
    with pytest.raises(NotFoundException):
        stages.create("deals", "nope", stage("X", 0, "0.1"))


def test_deals_are_never_left_in_a_removed_stage(hubspot):
    pipeline = partners(hubspot)
    new, won = pipeline.stages
    deal = hubspot.crm.deals.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={
                "dealname": "Reseller deal",
                "amount": 1000,
                "pipeline": pipeline.id,
                "dealstage": new.id,
            }
        )
    )

    stages = hubspot.crm.pipelines.pipeline_stages_api
    with pytest.raises(ApiException) as caught:
        stages.archive("deals", pipeline.id, new.id)
    assert caught.value.status == 400
    body = error_of(caught)
    assert body["category"] == "VALIDATION_ERROR" and "1 deal(s)" in body["message"]
    assert body["context"] == {"stageIds": [new.id]}

    api = hubspot.crm.pipelines.pipelines_api
    with pytest.raises(ApiException) as caught:
        api.replace(
            "deals",
            pipeline.id,
            PipelineInput(
                label="Partners", display_order=1, stages=[stage("Won", 0, "1.0", closed=True)]
            ),
            validate_deal_stage_usages_before_delete=True,
        )
    assert caught.value.status == 400 and new.id in error_of(caught)["message"]
    with pytest.raises(ApiException) as caught:
        api.archive("deals", pipeline.id, validate_deal_stage_usages_before_delete=False)
    assert caught.value.status == 400

    fetched = hubspot.crm.deals.basic_api.get_by_id(
        deal.id, properties=["dealstage", "pipeline", "hs_deal_stage_probability"]
    )
    assert (fetched.properties["dealstage"], fetched.properties["pipeline"]) == (
        new.id,
        pipeline.id,
    )
    assert [s.id for s in api.get_by_id("deals", pipeline.id).stages] == [new.id, won.id]

    # Re-weighting the stage the deal is in moves the deal's probability along.
    stages.update(
        "deals", pipeline.id, new.id, PipelineStagePatchInput(metadata={"probability": "0.3"})
    )
    fetched = hubspot.crm.deals.basic_api.get_by_id(
        deal.id, properties=["hs_deal_stage_probability"]
    )
    assert fetched.properties["hs_deal_stage_probability"] == "0.3"

    # An empty stage can go.
    assert stages.archive("deals", pipeline.id, won.id) is None


def test_pipeline_conflicts_and_last_stage(hubspot):
    api = hubspot.crm.pipelines.pipelines_api
    partners(hubspot)
    with pytest.raises(ApiException) as caught:
        partners(hubspot)
    assert caught.value.status == 400 and "Partners" in error_of(caught)["message"]
    with pytest.raises(ApiException) as caught:
        api.create(
            "deals",
            {
                "label": "Other",
                "displayOrder": 3,
                "pipelineId": "default",
                "stages": [{"label": "A", "displayOrder": 0, "metadata": {"probability": "0.1"}}],
            },
        )
    assert caught.value.status == 409
    lone = api.create(
        "deals", PipelineInput(label="Lone", display_order=4, stages=[stage("Only", 0, "0.5")])
    )
    with pytest.raises(ApiException) as caught:
        hubspot.crm.pipelines.pipeline_stages_api.archive("deals", lone.id, lone.stages[0].id)
    assert caught.value.status == 400


# -- plain HTTP ------------------------------------------------------------------------------------


def assert_hubspot_error(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "error" and body["message"] and body["correlationId"]
    return body


def test_wire_format_and_bad_requests(http):
    raw = http("GET", "/crm/v3/pipelines/deals/default").json()
    assert raw["createdAt"] == "1970-01-01T00:00:00.000Z"
    assert raw["stages"][0]["metadata"] == {"isClosed": "false", "probability": "0.2"}

    url = "/crm/v3/pipelines/deals"
    body = assert_hubspot_error(
        http("POST", url, data="{", headers={"Content-Type": "application/json"}), 400
    )
    assert "Invalid input JSON" in body["message"]
    good_stage = {"label": "A", "displayOrder": 0, "metadata": {"probability": "0.1"}}
    for payload, field in [
        ({"label": "P", "displayOrder": 0, "stages": "A"}, "stages"),
        ({"label": "P", "displayOrder": "first", "stages": [good_stage]}, "displayOrder"),
        ({"label": ["P"], "displayOrder": 0, "stages": [good_stage]}, "label"),
        ({"label": "P", "displayOrder": 0, "stages": [7]}, "stages[0]"),
        (
            {"label": "P", "displayOrder": 0, "stages": [{**good_stage, "displayOrder": "x"}]},
            "stages[0].displayOrder",
        ),
        (
            {"label": "P", "displayOrder": 0, "stages": [{**good_stage, "metadata": []}]},
            "stages[0].metadata",
        ),
        ({"displayOrder": 0, "stages": [good_stage]}, "label"),
    ]:
        body = assert_hubspot_error(http("POST", url, json=payload), 400)
        assert body["errors"][0]["in"] == field, (payload, body)
    body = assert_hubspot_error(
        http(
            "POST",
            url,
            json={
                "label": "P",
                "displayOrder": 0,
                "stages": [{**good_stage, "metadata": {"probability": "lots"}}],
            },
        ),
        400,
    )
    assert "probability" in body["message"]
    assert_hubspot_error(http("PATCH", f"{url}/default", json={"archived": True}), 400)
    assert_hubspot_error(
        http("DELETE", f"{url}/default?validateDealStageUsagesBeforeDelete=perhaps"), 400
    )
    assert_hubspot_error(http("GET", "/crm/v3/pipelines/contacts"), 400)
    assert_hubspot_error(http("GET", "/crm/v3/pipelines/unicorns"), 400)
    assert_hubspot_error(
        http(
            "PATCH", f"{url}/default/stages/closedwon", json={"metadata": {"probability": {"a": 1}}}
        ),
        400,
    )
    nulls = http(
        "POST",
        f"{url}/default/stages",
        json={
            "label": "Nulls",
            "displayOrder": None,
            "stageId": None,
            "metadata": {"probability": 0.5, "isClosed": False},
        },
    )
    assert nulls.status_code == 201
    assert nulls.json()["metadata"] == {"isClosed": "false", "probability": "0.5"}


@pytest.mark.sdk_both_modes
def test_audits_list_pipeline_and_stage_changes_newest_first(hubspot, http, api_user):
    created = partners(hubspot)
    api = hubspot.crm.pipelines
    api.pipelines_api.update("deals", created.id, PipelinePatchInput(label="Partner deals"))
    won = next(s for s in created.stages if s.label == "Won")
    api.pipeline_stages_api.update(
        "deals", created.id, won.id, PipelineStagePatchInput(label="Signed")
    )
    added = api.pipeline_stages_api.create("deals", created.id, stage("Lost", 2, "0.0", True))
    api.pipeline_stages_api.archive("deals", created.id, added.id)

    audit = api.pipeline_audits_api.get_audit("deals", created.id).results
    assert [a.action for a in audit] == ["UPDATE", "CREATE"]
    assert all(a.identifier == created.id and a.portal_id for a in audit)
    assert audit[0].raw_object["label"] == "Partner deals"
    assert audit[0].from_user_id == api_user.pk
    assert audit[0].timestamp >= audit[1].timestamp
    assert isinstance(audit[0].timestamp, dt.datetime)

    stage_audit = api.pipeline_stage_audits_api.get_audit("deals", won.id).results
    assert [(a.action, a.raw_object["label"]) for a in stage_audit] == [
        ("UPDATE", "Signed"),
        ("CREATE", "Won"),
    ]
    assert stage_audit[0].raw_object["metadata"] == {"isClosed": "true", "probability": "1.0"}
    # An archived stage is gone from the API, its audit with it (HubSpot answers 404 too).
    with pytest.raises(NotFoundException):
        api.pipeline_stage_audits_api.get_audit("deals", added.id)
    with pytest.raises(NotFoundException) as caught:
        api.pipeline_audits_api.get_audit("deals", "999999")
    assert error_of(caught)["category"] == "OBJECT_NOT_FOUND"
    # With the pipeline in the path (HubSpot's documented URL), over plain HTTP.
    path = f"/crm/v3/pipelines/deals/{created.id}/stages/{won.id}/audit"
    assert http("GET", path).json()["results"][0]["identifier"] == won.id
    assert http("GET", f"/crm/v3/pipelines/deals/default/stages/{won.id}/audit").status_code == 404


def test_replacing_a_pipeline_audits_each_stage_it_creates_changes_or_archives(hubspot):
    created = partners(hubspot)
    api = hubspot.crm.pipelines
    _new, won = created.stages
    api.pipelines_api.replace(
        "deals",
        created.id,
        PipelineInput(
            label="Partners",
            display_order=1,
            stages=[stage("Won", 0, "1.0", closed=True), stage("Negotiation", 1, "0.6")],
        ),
    )
    assert api.pipeline_audits_api.get_audit("deals", created.id).results[0].action == "UPDATE"
    won_audit = api.pipeline_stage_audits_api.get_audit("deals", won.id).results
    assert [a.action for a in won_audit] == ["UPDATE", "CREATE"]
    assert won_audit[0].raw_object["displayOrder"] == 0
