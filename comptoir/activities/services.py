"""Activity rules: task status, completion date, and the task's pipeline stage.

A task's `hs_pipeline_stage` and `hs_task_status` say the same thing twice, so a write
to either moves the other. In the default task pipeline each stage stands for one
status; in other pipelines only open/closed can be told apart: a closed stage means
COMPLETED, and reopening a task puts it in the pipeline's first open stage.
"""

from django.utils import timezone

from comptoir.core.pipelines.queries import default_pipeline_id, stages
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.properties.errors import PropertyError
from comptoir.core.records.behavior import RecordBehavior
from comptoir.core.setup import TASK_STAGE_BY_STATUS, TASK_STATUS_BY_STAGE

COMPLETED = "COMPLETED"


class TaskBehavior(RecordBehavior):
    def clean(self, values, record, errors, now=None):
        before = record.properties.get("hs_task_status") if record is not None else None
        self._clean_stage(values, record, errors)  # a stage given alone sets the status
        if record is None:
            values.setdefault("hs_task_status", "NOT_STARTED")
        if "hs_task_status" in values and values["hs_task_status"] != before:
            done = values["hs_task_status"] == COMPLETED
            completed_at = format_datetime(now or timezone.now())
            values["hs_task_completion_date"] = completed_at if done else None

    def _clean_stage(self, values, record, errors):
        known = stages(self.ot)
        old = record.properties if record is not None else {}

        def current(name):
            return values[name] if name in values else old.get(name)

        given_stage = values.get("hs_pipeline_stage")
        pipeline_id = current("hs_pipeline") or default_pipeline_id(self.ot)
        if pipeline_id is None:
            return  # no task pipeline at all (an admin archived it): nothing to keep in step
        if given_stage is not None:
            stage = known.get(given_stage)
            if stage is None:
                return  # validation has refused the unknown stage already
            if "hs_pipeline" not in values and old.get("hs_pipeline") is None:
                pipeline_id = stage.pipeline_id
            if stage.pipeline_id != pipeline_id:
                errors.append(
                    PropertyError(
                        "hs_pipeline_stage",
                        "INVALID_STAGE",
                        f"stage {given_stage!r} does not belong to pipeline {pipeline_id!r}",
                        given_stage,
                    )
                )
                return
            status = _status_of(stage, current("hs_task_status"))
            if "hs_task_status" in values and values["hs_task_status"] != status:
                errors.append(
                    PropertyError(
                        "hs_pipeline_stage",
                        "STAGE_STATUS_MISMATCH",
                        f"stage {given_stage!r} does not match task status "
                        f"{values['hs_task_status']!r}",
                        given_stage,
                    )
                )
                return
            values["hs_task_status"] = status
        else:
            stage = known.get(current("hs_pipeline_stage") or "")
            status = current("hs_task_status") or "NOT_STARTED"
            in_step = (
                stage is not None
                and stage.pipeline_id == pipeline_id
                and _status_of(stage, status) == status
            )
            if not in_step:
                target = _stage_for(known, pipeline_id, status)
                if target is None:
                    return
                values["hs_pipeline_stage"] = target
        values["hs_pipeline"] = pipeline_id
        if values.get("hs_pipeline") == old.get("hs_pipeline"):
            values.pop("hs_pipeline")  # unchanged: no history row
        if values.get("hs_pipeline_stage") == old.get("hs_pipeline_stage"):
            values.pop("hs_pipeline_stage", None)


def _status_of(stage, status) -> str:
    """The task status a stage stands for; `status` is kept where the stage allows it."""
    if stage.stage_id in TASK_STATUS_BY_STAGE:
        return TASK_STATUS_BY_STAGE[stage.stage_id]
    if stage.is_closed:
        return COMPLETED
    return "NOT_STARTED" if status in (None, COMPLETED) else status


def _stage_for(known, pipeline_id, status) -> str | None:
    """The stage of `pipeline_id` that stands for `status`."""
    mapped = TASK_STAGE_BY_STATUS.get(status)
    if mapped in known and known[mapped].pipeline_id == pipeline_id:
        return mapped
    in_pipeline = [s for s in known.values() if s.pipeline_id == pipeline_id]
    wanted_closed = status == COMPLETED
    match = next((s for s in in_pipeline if s.is_closed == wanted_closed), None)
    return match.stage_id if match else None
