"""`/crm/v3/pipelines/{objectType}`: pipelines and their stages (reference §2.4).
Handlers only translate; comptoir.core.pipelines.services decides.

Deals are never left in a removed stage: archiving a stage or pipeline, or replacing a
pipeline without some of its stages, is refused with a 400 while those stages hold deals
(HubSpot's validateDealStageUsagesBeforeDelete behaviour, whatever the flag says).
The audit endpoints list comptoir.core.pipelines.audit's change log, newest first."""

from ninja import Router

from comptoir.core.pipelines import audit
from comptoir.core.pipelines import services as pipes
from comptoir.core.portal import PORTAL_ID
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.auth import api_source, schema_object_type
from comptoir.hubspot_api.body import json_body
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.fields import check_all, invalid, service_errors
from comptoir.hubspot_api.params import boolean
from comptoir.hubspot_api.responses import respond
from comptoir.hubspot_api.serializers import timestamp

router = Router(tags=["Pipelines"])

NOT_FOUND_CODES = {"PIPELINE_DOESNT_EXIST", "STAGE_DOESNT_EXIST"}
CONFLICT_CODES = {"DUPLICATE_ID"}
WRITE_PERMISSIONS = "CRM_PERMISSIONS_ENFORCEMENT"

PIPELINE_FIELDS = {"label": str, "displayOrder": int, "stages": list, "archived": bool}
STAGE_FIELDS = {"label": str, "displayOrder": int, "metadata": dict, "archived": bool}


def _translated():
    return service_errors(not_found=NOT_FOUND_CODES, conflict=CONFLICT_CODES)


# -- JSON shapes -------------------------------------------------------------------------------


def probability_text(value) -> str:
    """Decimal("0.20") → "0.2", Decimal("1.00") → "1.0", as HubSpot writes them."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def stage_metadata(stage) -> dict:
    closed = "true" if stage.is_closed else "false"
    if stage.pipeline.object_type == "tasks":  # HubSpot gives task stages a state, no odds
        return {"isClosed": closed, "state": "CLOSED" if stage.is_closed else "OPEN"}
    return {"isClosed": closed, "probability": probability_text(stage.probability)}


def stage_body(stage) -> dict:
    body = {
        "id": stage.stage_id,
        "label": stage.label,
        "displayOrder": stage.display_order,
        "metadata": stage_metadata(stage),
        "createdAt": timestamp(stage.created_at),
        "updatedAt": timestamp(stage.updated_at),
        "archived": stage.archived,
        "writePermissions": WRITE_PERMISSIONS,
    }
    if stage.archived:
        body["archivedAt"] = timestamp(stage.archived_at)
    return body


def _active_stages(pipeline) -> list:
    return list(pipeline.stages.filter(archived=False).order_by("display_order", "id"))


def pipeline_body(pipeline, stages=None) -> dict:
    stages = _active_stages(pipeline) if stages is None else stages
    body = {
        "id": pipeline.pipeline_id,
        "label": pipeline.label,
        "displayOrder": pipeline.display_order,
        "stages": [stage_body(s) for s in stages],
        "createdAt": timestamp(pipeline.created_at),
        "updatedAt": timestamp(pipeline.updated_at),
        "archived": pipeline.archived,
    }
    if pipeline.archived:
        body["archivedAt"] = timestamp(pipeline.archived_at)
    return body


# -- body checks -------------------------------------------------------------------------------


def _id_field(data: dict, field: str, prefix: str = "") -> None:
    value = data.get(field)
    if value is None:
        return
    if isinstance(value, int) and not isinstance(value, bool):
        data[field] = str(value)
    elif not isinstance(value, str):
        raise invalid(f"{prefix}{field}", f"{prefix}{field} must be a string.")


def _checked_stage(data: dict, *, full: bool, prefix: str = "") -> dict:
    check_all(data, STAGE_FIELDS, required=("label",) if full else (), prefix=prefix)
    _id_field(data, "stageId", prefix)
    for key, value in (data.get("metadata") or {}).items():
        if isinstance(value, dict | list):
            name = f"{prefix}metadata.{key}"
            raise invalid(name, f"{name} must be a string.")
    return data


def _checked_pipeline(data: dict, *, full: bool) -> dict:
    check_all(data, PIPELINE_FIELDS, required=("label", "stages") if full else ())
    _id_field(data, "pipelineId")
    for i, stage in enumerate(data.get("stages") or []):
        if not isinstance(stage, dict):
            raise invalid(f"stages[{i}]", f"stages[{i}] must be an object.")
        _checked_stage(stage, full=True, prefix=f"stages[{i}].")
    return data


def _no_archiving(data: dict, what: str) -> None:
    """PATCH `archived` is only for restoring; archiving is DELETE (HubSpot's rule)."""
    if data.get("archived") is True:
        raise invalid(
            "archived",
            f"archived=true is not allowed when updating a {what}: archive it with DELETE instead.",
            "INVALID_ARCHIVE",
        )


def _delete_flags(request) -> None:
    """Both flags are checked to be booleans; deals block a delete whatever their value."""
    boolean(request, "validateReferencesBeforeDelete")
    boolean(request, "validateDealStageUsagesBeforeDelete")


def _refuse_if_in_use(ot, stage_ids, what: str) -> None:
    usage = pipes.stage_usage(ot, stage_ids)
    if not usage:
        return
    detail = ", ".join(f"{sid}: {n}" for sid, n in sorted(usage.items()))
    total = sum(usage.values())
    raise ApiError(
        400,
        f"{what} cannot be deleted: {total} {ot.singular}(s) are still in its stage(s) "
        f"({detail}). Move these {ot.name} to another stage first.",
        "VALIDATION_ERROR",
        errors=[
            {
                "message": f"Stage {sid} holds {n} {ot.singular}(s).",
                "code": "STAGE_IN_USE",
                "context": {"stageId": [sid]},
            }
            for sid, n in sorted(usage.items())
        ],
        context={"stageIds": sorted(usage)},
    )


# -- audits -----------------------------------------------------------------------------------

SDK_UNFILLED_PIPELINE = "{pipelineId}"


def audit_body(entry) -> dict:
    body = {
        "identifier": entry.stage_id or entry.pipeline_id,
        "portalId": PORTAL_ID,
        "action": entry.action,
        "message": entry.message,
        "timestamp": timestamp(entry.timestamp),
        "rawObject": entry.raw_object,
    }
    if entry.actor_id is not None:
        body["fromUserId"] = entry.actor_id
    return body


@router.get(
    "/{object_type}/{pipeline_id}/stages/{stage_id}/audit",
    summary="List the changes of a stage, newest first",
    openapi_extra=docs.op(answer="CollectionResponsePublicAuditInfo"),
)
def stage_audit(request, object_type: str, pipeline_id: str, stage_id: str):
    ot = schema_object_type(request, object_type, write=False)
    with _translated():
        if pipeline_id == SDK_UNFILLED_PIPELINE:
            # hubspot-api-client 12's get_audit(object_type, stage_id) never fills
            # {pipelineId} in; stage ids are unique per object type: the stage is enough.
            pipeline_id = pipes.pipeline_of_stage(ot, stage_id)
        stage = pipes.get_stage(ot, pipeline_id, stage_id)
    entries = audit.entries(ot.name, stage.pipeline.pipeline_id, stage.stage_id)
    return respond({"results": [audit_body(e) for e in entries]})


@router.get(
    "/{object_type}/{pipeline_id}/audit",
    summary="List the changes of a pipeline",
    openapi_extra=docs.op(answer="CollectionResponsePublicAuditInfo"),
)
def pipeline_audit(request, object_type: str, pipeline_id: str):
    ot = schema_object_type(request, object_type, write=False)
    with _translated():
        pipeline = pipes.get_pipeline(ot, pipeline_id)
    entries = audit.entries(ot.name, pipeline.pipeline_id)
    return respond({"results": [audit_body(e) for e in entries]})


# -- stages (the longer paths first) -----------------------------------------------------------


@router.get(
    "/{object_type}/{pipeline_id}/stages",
    summary="List the stages of a pipeline",
    openapi_extra=docs.op(answer="CollectionResponsePipelineStage"),
)
def stages_get_all(request, object_type: str, pipeline_id: str):
    ot = schema_object_type(request, object_type, write=False)
    with _translated():
        pipeline = pipes.get_pipeline(ot, pipeline_id)
    return respond({"results": [stage_body(s) for s in _active_stages(pipeline)]})


@router.post(
    "/{object_type}/{pipeline_id}/stages",
    summary="Add a stage to a pipeline",
    openapi_extra=docs.op(body="PipelineStageInput", ok=201, answer="PipelineStage"),
)
def stages_create(request, object_type: str, pipeline_id: str):
    ot = schema_object_type(request, object_type, write=True)
    data = _checked_stage(json_body(request), full=True)
    with _translated():
        stage = pipes.add_stage(ot, pipeline_id, data, source=api_source(request))
    return respond(stage_body(stage), status=201)


@router.get(
    "/{object_type}/{pipeline_id}/stages/{stage_id}",
    summary="Read a stage",
    openapi_extra=docs.op(answer="PipelineStage"),
)
def stages_get_by_id(request, object_type: str, pipeline_id: str, stage_id: str):
    ot = schema_object_type(request, object_type, write=False)
    with _translated():
        stage = pipes.get_stage(ot, pipeline_id, stage_id)
    return respond(stage_body(stage))


@router.put(
    "/{object_type}/{pipeline_id}/stages/{stage_id}",
    summary="Replace a stage",
    openapi_extra=docs.op(body="PipelineStageInput", answer="PipelineStage"),
)
def stages_replace(request, object_type: str, pipeline_id: str, stage_id: str):
    ot = schema_object_type(request, object_type, write=True)
    data = _checked_stage(json_body(request), full=True)
    _no_archiving(data, "stage")
    changes = {"label": data["label"], "metadata": data.get("metadata") or {}}
    if data.get("displayOrder") is not None:
        changes["displayOrder"] = data["displayOrder"]
    with _translated():
        stage = pipes.update_stage(ot, pipeline_id, stage_id, changes, source=api_source(request))
    return respond(stage_body(stage))


@router.patch(
    "/{object_type}/{pipeline_id}/stages/{stage_id}",
    summary="Update a stage",
    openapi_extra=docs.op(body="PipelineStagePatchInput", answer="PipelineStage"),
)
def stages_update(request, object_type: str, pipeline_id: str, stage_id: str):
    ot = schema_object_type(request, object_type, write=True)
    data = _checked_stage(json_body(request), full=False)
    _no_archiving(data, "stage")
    changes = {k: data[k] for k in ("label", "displayOrder") if data.get(k) is not None}
    with _translated():
        stage = pipes.get_stage(ot, pipeline_id, stage_id)
        if data.get("metadata") is not None:
            # PATCH merges: {"probability": "0.5"} keeps isClosed as it was.
            changes["metadata"] = {**stage_metadata(stage), **data["metadata"]}
        stage = pipes.update_stage(ot, pipeline_id, stage_id, changes, source=api_source(request))
    return respond(stage_body(stage))


@router.delete("/{object_type}/{pipeline_id}/stages/{stage_id}", summary="Archive a stage")
def stages_archive(request, object_type: str, pipeline_id: str, stage_id: str):
    ot = schema_object_type(request, object_type, write=True)
    with _translated():
        stage = pipes.get_stage(ot, pipeline_id, stage_id)
        _refuse_if_in_use(ot, [stage.stage_id], f"Stage {stage.stage_id}")
        pipes.delete_stage(ot, pipeline_id, stage_id, source=api_source(request))
    return respond(None, status=204)


# -- pipelines ---------------------------------------------------------------------------------


@router.get(
    "/{object_type}",
    summary="List pipelines",
    openapi_extra=docs.op(answer="CollectionResponsePipeline"),
)
def get_all(request, object_type: str):
    ot = schema_object_type(request, object_type, write=False)
    with _translated():
        pipelines = pipes.list_pipelines(ot)
    return respond({"results": [pipeline_body(p, list(p.stages.all())) for p in pipelines]})


@router.post(
    "/{object_type}",
    summary="Create a pipeline",
    openapi_extra=docs.op(body="PipelineInput", ok=201, answer="Pipeline"),
)
def create(request, object_type: str):
    ot = schema_object_type(request, object_type, write=True)
    data = _checked_pipeline(json_body(request), full=True)
    with _translated():
        pipeline = pipes.create_pipeline(ot, data, source=api_source(request))
    return respond(pipeline_body(pipeline), status=201)


@router.get(
    "/{object_type}/{pipeline_id}",
    summary="Read a pipeline",
    openapi_extra=docs.op(answer="Pipeline"),
)
def get_by_id(request, object_type: str, pipeline_id: str):
    ot = schema_object_type(request, object_type, write=False)
    with _translated():
        pipeline = pipes.get_pipeline(ot, pipeline_id)
    return respond(pipeline_body(pipeline))


@router.put(
    "/{object_type}/{pipeline_id}",
    summary="Replace a pipeline and its stages",
    openapi_extra=docs.op(body="PipelineInput", query=docs.DELETE_FLAGS, answer="Pipeline"),
)
def replace(request, object_type: str, pipeline_id: str):
    ot = schema_object_type(request, object_type, write=True)
    _delete_flags(request)
    data = _checked_pipeline(json_body(request), full=True)
    _no_archiving(data, "pipeline")
    with _translated():
        pipeline = pipes.replace_pipeline(ot, pipeline_id, data, source=api_source(request))
    return respond(pipeline_body(pipeline))


@router.patch(
    "/{object_type}/{pipeline_id}",
    summary="Update a pipeline",
    openapi_extra=docs.op(body="PipelinePatchInput", query=docs.DELETE_FLAGS, answer="Pipeline"),
)
def update(request, object_type: str, pipeline_id: str):
    ot = schema_object_type(request, object_type, write=True)
    _delete_flags(request)
    data = _checked_pipeline(json_body(request), full=False)
    _no_archiving(data, "pipeline")
    changes = {k: data[k] for k in ("label", "displayOrder") if data.get(k) is not None}
    with _translated():
        pipeline = pipes.update_pipeline(ot, pipeline_id, changes, source=api_source(request))
    return respond(pipeline_body(pipeline))


@router.delete(
    "/{object_type}/{pipeline_id}",
    summary="Archive a pipeline",
    openapi_extra=docs.op(query=docs.DELETE_FLAGS),
)
def archive(request, object_type: str, pipeline_id: str):
    ot = schema_object_type(request, object_type, write=True)
    _delete_flags(request)
    with _translated():
        pipeline = pipes.get_pipeline(ot, pipeline_id)
        stage_ids = list(pipeline.stages.values_list("stage_id", flat=True))
        _refuse_if_in_use(ot, stage_ids, f"Pipeline {pipeline.pipeline_id}")
        pipes.delete_pipeline(ot, pipeline_id, source=api_source(request))
    return respond(None, status=204)
