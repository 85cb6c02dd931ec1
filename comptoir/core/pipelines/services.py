"""The write path for pipelines and stages (SET-4).

Deleting a stage or a pipeline that still holds deals (or tasks) requires a destination;
the records move through `update_record`, so each move has its history entry.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from comptoir.core.inputs import clean_int, clean_text, digits, storable
from comptoir.core.objects.registry import get_object_type
from comptoir.core.pipelines import audit
from comptoir.core.pipelines.derived import stage_values
from comptoir.core.pipelines.models import Pipeline, PipelineAudit, PipelineStage
from comptoir.core.pipelines.queries import stages
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.properties.expressions import PropValue
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import update_record

LABEL_LENGTH = Pipeline._meta.get_field("label").max_length
ID_LENGTH = Pipeline._meta.get_field("pipeline_id").max_length


def _fail(field, code, message):
    raise ValidationFailed([PropertyError(field, code, message)], message)


def _pipeline_objects(object_type):
    ot = get_object_type(object_type)
    if not ot.has_pipelines:
        _fail("objectType", "NO_PIPELINES", f"{ot.name} have no pipelines")
    return ot


def _probability(metadata: dict, ot) -> tuple[Decimal, bool]:
    metadata = metadata or {}
    raw = metadata.get("probability")
    if raw in (None, ""):
        if ot.name == "deals":
            _fail("metadata.probability", "REQUIRED", "a deal stage needs a probability")
        raw = "0"
    try:
        probability = Decimal(str(raw))
    except InvalidOperation:
        _fail("metadata.probability", "INVALID_NUMBER", f"{raw!r} is not a probability")
    if not probability.is_finite() or not Decimal(0) <= probability <= Decimal(1):
        _fail("metadata.probability", "OUT_OF_RANGE", "probability must be between 0.0 and 1.0")
    if "isClosed" in metadata:
        closed = str(metadata["isClosed"]).lower() == "true"
    else:  # task stages may say it as HubSpot's state
        closed = str(metadata.get("state", "")).upper() == "CLOSED"
    return probability.quantize(Decimal("0.01")), closed


def _new_id(model, field) -> str:
    """Numeric ids for new pipelines and stages, as HubSpot gives them."""
    numeric = [digits(str(v)) for v in model.objects.values_list(field, flat=True)]
    return str(max([100000, *filter(None, numeric)]) + 1)


def _clean_label(label, field="label") -> str:
    text = clean_text(field, label, max_length=LABEL_LENGTH)
    if not text:
        _fail(field, "REQUIRED", "a label is required")
    return text


def _given_id(data: dict, key: str, model, field) -> str:
    """A caller's pipelineId or stageId (a new numeric one when not given)."""
    given = clean_text(key, data.get(key), max_length=ID_LENGTH)
    return given or _new_id(model, field)


def _display_order(raw, field="displayOrder") -> int:
    return clean_int(field, raw)


def create_pipeline(object_type, data: dict, *, source=None) -> Pipeline:
    """From HubSpot's PipelineInput: {label, displayOrder, stages: [{label, displayOrder,
    metadata}], pipelineId?}."""
    ot = _pipeline_objects(object_type)
    label = _clean_label(data.get("label"))
    stages = data.get("stages")
    if not isinstance(stages, list) or not stages:
        _fail("stages", "REQUIRED", "a pipeline needs at least one stage")
    now = timezone.now()
    with transaction.atomic():
        if Pipeline.objects.filter(object_type=ot.name, label=label, archived=False).exists():
            _fail("label", "DUPLICATE_LABEL", f"a pipeline named {label!r} already exists")
        pipeline_id = _given_id(data, "pipelineId", Pipeline, "pipeline_id")
        if Pipeline.objects.filter(object_type=ot.name, pipeline_id=pipeline_id).exists():
            _fail("pipelineId", "DUPLICATE_ID", f"pipeline id {pipeline_id!r} is taken")
        pipeline = Pipeline.objects.create(
            object_type=ot.name,
            pipeline_id=pipeline_id,
            label=label,
            display_order=_display_order(data.get("displayOrder") or 0),
            created_at=now,
            updated_at=now,
        )
        audit.record(PipelineAudit.CREATE, pipeline, source)
        for order, stage in enumerate(stages):
            created = _create_stage(ot, pipeline, stage, order, now)
            audit.record(PipelineAudit.CREATE, created, source)
        registry.invalidate()
    return pipeline


def _create_stage(ot, pipeline, data, order, now) -> PipelineStage:
    if not isinstance(data, dict):
        _fail("stages", "INVALID_STAGE", "each stage must be an object")
    label = _clean_label(data.get("label"), "stages.label")
    probability, closed = _probability(data.get("metadata"), ot)
    stage_id = _given_id(data, "stageId", PipelineStage, "stage_id")
    if PipelineStage.objects.filter(pipeline__object_type=ot.name, stage_id=stage_id).exists():
        _fail("stageId", "DUPLICATE_ID", f"stage id {stage_id!r} is taken")
    return PipelineStage.objects.create(
        pipeline=pipeline,
        stage_id=stage_id,
        label=label,
        label_fr=clean_text("label_fr", data.get("label_fr"), max_length=LABEL_LENGTH),
        display_order=_display_order(data.get("displayOrder", order), "stages.displayOrder"),
        probability=probability,
        is_closed=closed,
        created_at=now,
        updated_at=now,
    )


def list_pipelines(object_type):
    """Active pipelines of an object type, display order, active stages prefetched."""
    ot = _pipeline_objects(object_type)
    active_stages = PipelineStage.objects.filter(archived=False).order_by("display_order", "id")
    return (
        Pipeline.objects.filter(object_type=ot.name, archived=False)
        .order_by("display_order", "id")
        .prefetch_related(Prefetch("stages", queryset=active_stages))
    )


def _in_stages(ot, stage_ids):
    """Records of `ot` in any of `stage_ids`, archived ones included."""
    qs = base_queryset(ot, archived=None)
    if ot.name == "deals":  # a typed column
        return qs.filter(dealstage__in=list(stage_ids))
    # Tasks keep their stage in the JSON bag.
    stage = PropValue("hs_pipeline_stage")
    return qs.annotate(_stage=stage).filter(_stage__in=list(stage_ids))


def stage_usage(object_type, stage_ids) -> dict[str, int]:
    """{stage id: records in it, archived ones included} for the stages still in use."""
    ot = get_object_type(object_type)
    if ot.stage_properties is None or not stage_ids:
        return {}
    if ot.name == "deals":
        rows = _in_stages(ot, stage_ids).values("dealstage").annotate(n=Count("pk"))
        return {row["dealstage"]: row["n"] for row in rows}
    counts = {sid: _in_stages(ot, [sid]).count() for sid in stage_ids}
    return {sid: n for sid, n in counts.items() if n}


def get_pipeline(object_type, pipeline_id) -> Pipeline:
    ot = _pipeline_objects(object_type)
    pipeline = None
    if storable(str(pipeline_id)):
        pipeline = Pipeline.objects.filter(
            object_type=ot.name, pipeline_id=str(pipeline_id), archived=False
        ).first()
    if pipeline is None:
        _fail("pipelineId", "PIPELINE_DOESNT_EXIST", f"no pipeline {pipeline_id!r} on {ot.name}")
    return pipeline


def update_pipeline(object_type, pipeline_id, data: dict, *, source=None) -> Pipeline:
    pipeline = get_pipeline(object_type, pipeline_id)
    if "label" in data:
        pipeline.label = _clean_label(data["label"])
    if "label_fr" in data:  # the settings page renames in the reader's language
        pipeline.label_fr = _clean_label(data["label_fr"])
    if "displayOrder" in data:
        pipeline.display_order = _display_order(data["displayOrder"])
    pipeline.updated_at = timezone.now()
    with transaction.atomic():
        pipeline.save()
        audit.record(PipelineAudit.UPDATE, pipeline, source)
    registry.invalidate()
    return pipeline


def add_stage(object_type, pipeline_id, data: dict, *, source=None) -> PipelineStage:
    ot = get_object_type(object_type)
    pipeline = get_pipeline(ot, pipeline_id)
    with transaction.atomic():
        order = (pipeline.stages.aggregate(m=Max("display_order"))["m"] or 0) + 1
        stage = _create_stage(ot, pipeline, data, order, timezone.now())
        audit.record(PipelineAudit.CREATE, stage, source)
        registry.invalidate()
    return stage


def get_stage(object_type, pipeline_id, stage_id) -> PipelineStage:
    pipeline = get_pipeline(object_type, pipeline_id)
    stage = None
    if storable(str(stage_id)):
        stage = pipeline.stages.filter(stage_id=str(stage_id), archived=False).first()
    if stage is None:
        _fail("stageId", "STAGE_DOESNT_EXIST", f"no stage {stage_id!r} in pipeline {pipeline_id!r}")
    return stage


def pipeline_of_stage(object_type, stage_id) -> str:
    """The pipeline id holding a live stage (stage ids are unique per object type)."""
    ot = get_object_type(object_type)
    if not storable(str(stage_id)):
        _fail("stageId", "STAGE_DOESNT_EXIST", f"no stage {stage_id!r} on {ot.name}")
    found = (
        PipelineStage.objects.filter(
            pipeline__object_type=ot.name,
            stage_id=str(stage_id),
            archived=False,
            pipeline__archived=False,
        )
        .values_list("pipeline__pipeline_id", flat=True)
        .first()
    )
    if found is None:
        _fail("stageId", "STAGE_DOESNT_EXIST", f"no stage {stage_id!r} on {ot.name}")
    return found


def update_stage(object_type, pipeline_id, stage_id, data: dict, *, source) -> PipelineStage:
    """Relabel, reorder or re-weight a stage; deals' derived probabilities follow."""
    ot = get_object_type(object_type)
    stage = get_stage(ot, pipeline_id, stage_id)
    with transaction.atomic():
        if "label" in data:
            stage.label = _clean_label(data["label"])
        if "label_fr" in data:
            stage.label_fr = _clean_label(data["label_fr"])
        if "displayOrder" in data:
            stage.display_order = _display_order(data["displayOrder"])
        reweigh = "metadata" in data
        if reweigh:
            stage.probability, stage.is_closed = _probability(data["metadata"], ot)
        stage.updated_at = timezone.now()
        stage.save()
        audit.record(PipelineAudit.UPDATE, stage, source)
        registry.invalidate()
        if reweigh and ot.name == "deals":
            _refresh_derived(ot, stage, source)
    return stage


def reorder_stages(object_type, pipeline_id, stage_ids: list[str], *, source=None) -> None:
    pipeline = get_pipeline(object_type, pipeline_id)
    current = set(pipeline.stages.filter(archived=False).values_list("stage_id", flat=True))
    if set(stage_ids) != current or len(stage_ids) != len(current):
        _fail("stages", "INVALID_ORDER", "give every stage of the pipeline exactly once")
    with transaction.atomic():
        for order, stage_id in enumerate(stage_ids):
            pipeline.stages.filter(stage_id=stage_id).update(display_order=order)
        audit.record(PipelineAudit.UPDATE, pipeline, source)
        registry.invalidate()


def _refresh_derived(ot, stage, source, batch=500) -> None:
    """Re-derive probability-based values of the deals in a stage, in keyset batches."""
    info = stages(ot)[stage.stage_id]
    last = 0
    qs = base_queryset(ot).filter(dealstage=stage.stage_id).order_by("pk")
    while True:
        deals = list(qs.filter(pk__gt=last)[:batch])
        if not deals:
            return
        for deal in deals:
            update_record(
                ot, deal, stage_values(info, deal.amount), source=source, allow_read_only=True
            )
        last = deals[-1].pk


def _move_records(ot, stage_ids, destination: PipelineStage, source) -> int:
    """Move the deals or tasks of `stage_ids` to `destination`, each with its history."""
    pipeline_property, stage_property = ot.stage_properties
    moved = 0
    for record in _in_stages(ot, stage_ids).order_by("pk").iterator(chunk_size=500):
        update_record(
            ot,
            record,
            {
                pipeline_property: destination.pipeline.pipeline_id,
                stage_property: destination.stage_id,
            },
            source=source,
        )
        moved += 1
    return moved


def delete_stage(object_type, pipeline_id, stage_id, *, move_to: str | None = None, source) -> int:
    """Archive a stage; its deals must go to `move_to` (a stage id) if it holds any."""
    ot = get_object_type(object_type)
    stage = get_stage(ot, pipeline_id, stage_id)
    with transaction.atomic():
        holding = bool(stage_usage(ot, [stage.stage_id]))
        if stage.pipeline.stages.filter(archived=False).count() == 1:
            _fail("stageId", "LAST_STAGE", "a pipeline keeps at least one stage")
        moved = 0
        if holding:
            destination = _destination(ot, move_to, exclude={stage.stage_id})
            moved = _move_records(ot, [stage.stage_id], destination, source)
        PipelineStage.objects.filter(pk=stage.pk).update(archived=True, archived_at=timezone.now())
        audit.record(PipelineAudit.DELETE, stage, source)
        registry.invalidate()
    return moved


def delete_pipeline(object_type, pipeline_id, *, move_to: str | None = None, source) -> int:
    """Archive a pipeline; its deals must go to `move_to` (a stage of another pipeline)."""
    ot = get_object_type(object_type)
    pipeline = get_pipeline(ot, pipeline_id)
    with transaction.atomic():
        stage_ids = list(pipeline.stages.values_list("stage_id", flat=True))
        if Pipeline.objects.filter(object_type=ot.name, archived=False).count() == 1:
            _fail("pipelineId", "LAST_PIPELINE", f"{ot.name} keep at least one pipeline")
        moved = 0
        if stage_usage(ot, stage_ids):
            destination = _destination(ot, move_to, exclude=set(stage_ids))
            moved = _move_records(ot, stage_ids, destination, source)
        now = timezone.now()
        Pipeline.objects.filter(pk=pipeline.pk).update(archived=True, archived_at=now)
        audit.record(PipelineAudit.DELETE, pipeline, source)
        registry.invalidate()
    return moved


def replace_pipeline(object_type, pipeline_id, data: dict, *, source) -> Pipeline:
    """PUT semantics (HubSpot's PipelineInput): the pipeline becomes exactly `data`.

    An input stage keeps an existing stage when it names it by `stageId` or, without
    one, carries the label of a not yet matched stage; other inputs become new stages.
    Stages left out are archived, which is refused while any of them holds deals
    (HubSpot's validateDealStageUsagesBeforeDelete): deals are never left behind.
    """
    ot = get_object_type(object_type)
    pipeline = get_pipeline(ot, pipeline_id)
    label = _clean_label(data.get("label"))
    items = data.get("stages")
    if not isinstance(items, list) or not items:
        _fail("stages", "REQUIRED", "a pipeline needs at least one stage")
    now = timezone.now()
    with transaction.atomic():
        pipeline = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        if (
            Pipeline.objects.filter(object_type=ot.name, label=label, archived=False)
            .exclude(pk=pipeline.pk)
            .exists()
        ):
            _fail("label", "DUPLICATE_LABEL", f"a pipeline named {label!r} already exists")
        current = list(pipeline.stages.filter(archived=False).order_by("display_order", "id"))
        by_id = {stage.stage_id: stage for stage in current}
        claimed: set[str] = set()
        plan = []
        for order, item in enumerate(items):
            if not isinstance(item, dict):
                _fail("stages", "INVALID_STAGE", "each stage must be an object")
            wanted = item.get("stageId")
            if wanted not in (None, ""):
                match = by_id.get(str(wanted))
            else:
                text = str(item.get("label") or "").strip()
                match = next(
                    (s for s in current if s.stage_id not in claimed and s.label == text), None
                )
            if match is not None:
                if match.stage_id in claimed:
                    _fail("stageId", "DUPLICATE_ID", f"stage {match.stage_id!r} is given twice")
                claimed.add(match.stage_id)
            plan.append((match, item, order))
        removed = [stage.stage_id for stage in current if stage.stage_id not in claimed]
        in_use = stage_usage(ot, removed)
        if in_use:
            detail = ", ".join(f"{sid} ({n})" for sid, n in sorted(in_use.items()))
            _fail(
                "stages",
                "STAGE_IN_USE",
                f"stage(s) left out of the pipeline still hold {ot.name}: {detail}; "
                f"keep them or move their {ot.name} first",
            )
        pipeline.label = label
        pipeline.display_order = _display_order(data.get("displayOrder") or 0)
        pipeline.updated_at = now
        pipeline.save()
        audit.record(PipelineAudit.UPDATE, pipeline, source)
        PipelineStage.objects.filter(pipeline=pipeline, stage_id__in=removed).update(
            archived=True, archived_at=now
        )
        for stage in current:
            if stage.stage_id in removed:
                audit.record(PipelineAudit.DELETE, stage, source)
        reweighed = []
        for match, item, order in plan:
            if match is None:
                audit.record(
                    PipelineAudit.CREATE, _create_stage(ot, pipeline, item, order, now), source
                )
                continue
            probability, closed = _probability(item.get("metadata"), ot)
            if (probability, closed) != (match.probability, match.is_closed):
                reweighed.append(match)
            match.label = _clean_label(item.get("label"), "stages.label")
            match.display_order = _display_order(
                item.get("displayOrder", order), "stages.displayOrder"
            )
            match.probability, match.is_closed = probability, closed
            match.updated_at = now
            match.save()
            audit.record(PipelineAudit.UPDATE, match, source)
        registry.invalidate()
        if ot.name == "deals":
            for stage in reweighed:
                _refresh_derived(ot, stage, source)
    return pipeline


def _destination(ot, move_to, exclude) -> PipelineStage:
    if not move_to:
        _fail(
            "moveTo",
            "DESTINATION_REQUIRED",
            f"{ot.name} are still in this stage: choose the stage they move to",
        )
    if move_to in exclude or not storable(str(move_to)):
        _fail("moveTo", "INVALID_DESTINATION", f"{ot.name} cannot move to a stage being deleted")
    destination = (
        PipelineStage.objects.filter(
            pipeline__object_type=ot.name,
            stage_id=move_to,
            archived=False,
            pipeline__archived=False,
        )
        .select_related("pipeline")
        .first()
    )
    if destination is None:
        _fail("moveTo", "STAGE_DOESNT_EXIST", f"no stage {move_to!r} to move the {ot.name} to")
    return destination
