"""The change log of pipelines and stages, read by HubSpot's pipeline audit endpoints.

The services call `record` inside their transaction, so a refused change leaves no entry.
"""

from django.utils import timezone

from comptoir.core.audit import log as audit_log
from comptoir.core.audit.log import AuditAction
from comptoir.core.pipelines.models import Pipeline, PipelineAudit, PipelineStage


def _probability_text(value) -> str:
    """Decimal("1.00") → "1.0", as HubSpot writes probabilities."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def _snapshot(target) -> dict:
    """The pipeline or stage as it is after the change (HubSpot's `rawObject`)."""
    body = {
        "id": target.stage_id if isinstance(target, PipelineStage) else target.pipeline_id,
        "label": target.label,
        "displayOrder": target.display_order,
        "archived": target.archived,
    }
    if isinstance(target, PipelineStage):
        body["metadata"] = {
            "isClosed": "true" if target.is_closed else "false",
            "probability": _probability_text(target.probability),
        }
    return body


def record(action: str, target: Pipeline | PipelineStage, source=None) -> PipelineAudit:
    """Log one CREATE, UPDATE or DELETE of `target`; `source` says who (None: the system)."""
    target.refresh_from_db()
    is_stage = isinstance(target, PipelineStage)
    pipeline = target.pipeline if is_stage else target
    what = f"stage {target.stage_id}" if is_stage else f"pipeline {pipeline.pipeline_id}"
    verb = {PipelineAudit.CREATE: "created", PipelineAudit.UPDATE: "updated"}.get(action, "deleted")
    audit_log.record(
        AuditAction.PIPELINE_CHANGED,
        f"{pipeline.object_type} {what}: {target.label}",
        change=verb,
    )
    return PipelineAudit.objects.create(
        object_type=pipeline.object_type,
        pipeline_id=pipeline.pipeline_id,
        stage_id=target.stage_id if is_stage else "",
        action=action,
        actor_id=getattr(source, "actor_id", None),
        source_type=str(getattr(source, "type", "") or ""),
        message=f"{what} {verb}: {target.label}"[:300],
        raw_object=_snapshot(target),
        timestamp=timezone.now(),
    )


def entries(object_type: str, pipeline_id: str, stage_id: str = ""):
    """The log of a pipeline (stage_id "") or of one stage, newest first."""
    return PipelineAudit.objects.filter(
        object_type=object_type, pipeline_id=str(pipeline_id), stage_id=str(stage_id)
    ).order_by("-timestamp", "-id")
