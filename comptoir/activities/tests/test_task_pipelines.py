"""Task pipelines (OBJ issue 2, point 9): HubSpot's default task pipeline, the stage kept
in step with hs_task_status, and a stage that must belong to the task's pipeline."""

import pytest

from comptoir.activities.models import Activity
from comptoir.core.history.services import property_history
from comptoir.core.pipelines import services as pipes
from comptoir.core.pipelines.models import Pipeline
from comptoir.core.properties import registry
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import UI, make_activity

pytestmark = pytest.mark.django_db

TASK_PIPELINE = "3d314325-1b2a-4225-9388-375f49c57ec3"
NOT_STARTED = "af0e6a5c-2ea3-4c72-b69f-7c6cb3fdb591"
WAITING = "dd5826e4-c976-4654-a527-b59ada542e52"
COMPLETED = "61bafb31-e7fa-46ed-aaa9-1322438d6e67"


def _projects():
    return pipes.create_pipeline(
        "tasks",
        {
            "label": "Projects",
            "stages": [
                {"label": "To do", "metadata": {"isClosed": "false"}},
                {"label": "Done", "metadata": {"isClosed": "true"}},
            ],
        },
    )


def _stage(pipeline, label):
    return pipeline.stages.get(label=label).stage_id


def test_the_default_task_pipeline_has_a_stage_per_status_in_english_and_french():
    pipeline = Pipeline.objects.get(object_type="tasks")
    assert (pipeline.pipeline_id, pipeline.label, pipeline.label_fr) == (
        TASK_PIPELINE,
        "Task Pipeline",
        "Pipeline des tâches",
    )
    stages = [(s.label, s.label_fr, s.is_closed) for s in pipeline.stages.all()]
    assert stages == [
        ("Not Started", "Non commencée", False),
        ("In progress", "En cours", False),
        ("Waiting", "En attente", False),
        ("Completed", "Terminée", True),
        ("Deferred", "Reportée", False),
    ]
    defs = registry.definitions("tasks")
    assert (defs["hs_pipeline"].label, defs["hs_pipeline"].label_fr) == ("Pipeline", "Pipeline")
    assert defs["hs_pipeline_stage"].label_fr == "Phase de la tâche"


def test_a_task_without_a_pipeline_gets_the_default_and_the_stage_of_its_status():
    task = make_activity("tasks", hs_task_subject="Call back")
    assert task.properties["hs_pipeline"] == TASK_PIPELINE
    assert task.properties["hs_pipeline_stage"] == NOT_STARTED
    waiting = make_activity("tasks", hs_task_subject="Wait", hs_task_status="WAITING")
    assert waiting.properties["hs_pipeline_stage"] == WAITING


def test_completing_a_task_moves_its_stage_with_history():
    task = make_activity("tasks", hs_task_subject="Send quote")
    update_record("tasks", task.pk, {"hs_task_status": "COMPLETED"}, source=UI)
    task.refresh_from_db()
    assert task.properties["hs_pipeline_stage"] == COMPLETED
    history = property_history("0-27", [task.pk], ["hs_pipeline_stage"])[task.pk]
    assert [row.value for row in history["hs_pipeline_stage"]] == [COMPLETED, NOT_STARTED]


def test_moving_the_stage_sets_the_status():
    task = make_activity("tasks", hs_task_subject="Send quote")
    update_record("tasks", task.pk, {"hs_pipeline_stage": COMPLETED}, source=UI)
    task.refresh_from_db()
    assert task.properties["hs_task_status"] == "COMPLETED"
    assert task.properties["hs_task_completion_date"]
    update_record("tasks", task.pk, {"hs_pipeline_stage": WAITING}, source=UI)
    task.refresh_from_db()
    assert task.properties["hs_task_status"] == "WAITING"
    assert task.properties.get("hs_task_completion_date") is None


def test_a_stage_of_another_pipeline_is_refused_and_nothing_is_saved():
    projects = _projects()
    with pytest.raises(ValidationFailed) as caught:
        make_activity(
            "tasks",
            hs_task_subject="Wrong",
            hs_pipeline=TASK_PIPELINE,
            hs_pipeline_stage=_stage(projects, "To do"),
        )
    assert [e.name for e in caught.value.errors] == ["hs_pipeline_stage"]
    assert "hs_pipeline_stage" in str(caught.value)
    assert not Activity.objects.filter(object_type_name="tasks").exists()

    task = make_activity("tasks", hs_task_subject="Right")
    with pytest.raises(ValidationFailed, match="hs_pipeline_stage"):
        update_record(
            "tasks",
            task.pk,
            {"hs_task_subject": "Renamed", "hs_pipeline_stage": _stage(projects, "Done")},
            source=UI,
        )
    task.refresh_from_db()
    assert task.properties["hs_task_subject"] == "Right"
    assert task.properties["hs_pipeline_stage"] == NOT_STARTED


def test_an_unknown_stage_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        make_activity("tasks", hs_task_subject="X", hs_pipeline_stage="nope")
    assert [e.name for e in caught.value.errors] == ["hs_pipeline_stage"]
    assert not Activity.objects.filter(object_type_name="tasks").exists()


def test_a_stage_and_a_status_that_disagree_are_refused():
    with pytest.raises(ValidationFailed, match="hs_pipeline_stage"):
        make_activity(
            "tasks", hs_task_subject="X", hs_task_status="NOT_STARTED", hs_pipeline_stage=COMPLETED
        )


def test_tasks_in_another_pipeline_follow_open_and_closed_stages():
    projects = _projects()
    task = make_activity(
        "tasks", hs_task_subject="Plan", hs_pipeline_stage=_stage(projects, "To do")
    )
    assert task.properties["hs_pipeline"] == projects.pipeline_id
    update_record("tasks", task.pk, {"hs_task_status": "COMPLETED"}, source=UI)
    task.refresh_from_db()
    assert task.properties["hs_pipeline_stage"] == _stage(projects, "Done")
    update_record("tasks", task.pk, {"hs_task_status": "NOT_STARTED"}, source=UI)
    task.refresh_from_db()
    assert task.properties["hs_pipeline_stage"] == _stage(projects, "To do")
    # Moving it to the default pipeline puts it in the stage of its status there.
    update_record("tasks", task.pk, {"hs_pipeline": TASK_PIPELINE}, source=UI)
    task.refresh_from_db()
    assert task.properties["hs_pipeline_stage"] == NOT_STARTED


def test_a_stage_holding_tasks_needs_a_destination_before_it_goes():
    projects = _projects()
    task = make_activity(
        "tasks", hs_task_subject="Plan", hs_pipeline_stage=_stage(projects, "Done")
    )
    with pytest.raises(ValidationFailed, match="tasks are still in this stage"):
        pipes.delete_stage("tasks", projects.pipeline_id, _stage(projects, "Done"), source=UI)
    pipes.delete_stage(
        "tasks", projects.pipeline_id, _stage(projects, "Done"), move_to=COMPLETED, source=UI
    )
    task.refresh_from_db()
    assert task.properties["hs_pipeline"] == TASK_PIPELINE
    assert task.properties["hs_pipeline_stage"] == COMPLETED


def test_the_data_migration_puts_existing_tasks_in_the_stage_of_their_status():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("comptoir.activities.migrations.0005_task_pipeline")
    done = make_activity("tasks", hs_task_subject="Old", hs_task_status="COMPLETED")
    waiting = make_activity("tasks", hs_task_subject="Older", hs_task_status="WAITING")
    for task in (done, waiting):  # as they were before tasks had pipelines
        for name in ("hs_pipeline", "hs_pipeline_stage"):
            task.properties.pop(name)
        task.save(update_fields=["properties"])
    migration.forwards(apps, None)
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.properties["hs_pipeline"], done.properties["hs_pipeline_stage"]) == (
        TASK_PIPELINE,
        COMPLETED,
    )
    assert waiting.properties["hs_pipeline_stage"] == WAITING
    history = property_history("0-27", [done.pk], ["hs_pipeline_stage"])[done.pk]
    assert next((r.value, r.source_type) for r in history["hs_pipeline_stage"]) == (
        COMPLETED,
        "MIGRATION",
    )
