"""HubSpot's default task pipeline, and existing tasks put in it at the stage of their
status, in bulk, each change kept in history (source MIGRATION)."""

from django.db import migrations
from django.utils import timezone

BATCH = 2000


def forwards(apps, schema_editor):
    # Imported when the migration runs, not whenever migrations are loaded.
    from comptoir.core.setup import (
        DEFAULT_TASK_PIPELINE_ID,
        TASK_STAGE_BY_STATUS,
        sync_default_task_pipeline,
    )

    sync_default_task_pipeline(apps)
    Activity = apps.get_model("activities", "Activity")
    PropertyChange = apps.get_model("core", "PropertyChange")
    now = timezone.now()
    tasks = Activity.objects.filter(object_type_name="tasks").order_by("pk")
    last = 0
    while True:
        batch = list(tasks.filter(pk__gt=last).only("pk", "properties")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        changed, history = [], []
        for task in batch:
            props = task.properties or {}
            if props.get("hs_pipeline_stage"):
                continue
            status = props.get("hs_task_status") or "NOT_STARTED"
            stage = TASK_STAGE_BY_STATUS.get(status, TASK_STAGE_BY_STATUS["NOT_STARTED"])
            values = {"hs_pipeline": DEFAULT_TASK_PIPELINE_ID, "hs_pipeline_stage": stage}
            task.properties = {**props, **values}
            changed.append(task)
            history.extend(
                PropertyChange(
                    object_type="0-27",
                    object_id=task.pk,
                    property=name,
                    value=value,
                    changed_at=now,
                    source_type="MIGRATION",
                )
                for name, value in values.items()
            )
        Activity.objects.bulk_update(changed, ["properties"])
        PropertyChange.objects.bulk_create(history)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_search_vector"),
        ("core", "0004_portal_about"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
