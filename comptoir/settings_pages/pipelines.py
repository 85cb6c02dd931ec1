"""Settings > Pipelines (SET-4): deal pipelines and their stages, through the engine's
pipeline services. Deals are never left behind: deleting a stage or a pipeline that holds
deals asks where they go, and the service moves them (each move in the deal's history)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from comptoir.core.history.source import ChangeSource
from comptoir.core.i18n import label_field, localised_label
from comptoir.core.pipelines import services
from comptoir.core.pipelines.models import Pipeline, PipelineStage
from comptoir.core.properties.errors import ValidationFailed
from comptoir.settings_pages.errors import field_errors
from comptoir.settings_pages.views import page, settings_admin

OT = "deals"
STATES = (
    ("open", _lazy("Open")),
    ("won", _lazy("Closed won")),
    ("lost", _lazy("Closed lost")),
)


def _state(stage) -> str:
    if stage.is_closed:
        return "won" if stage.probability >= 1 else "lost"
    return "open"


def _percent(probability) -> str:
    return f"{(Decimal(probability) * 100).quantize(Decimal('1')):f}"


def _metadata(state: str, percent: str) -> dict:
    """The stage's metadata for the service from the form: closed won is 100 %, closed
    lost 0 %; an open stage's percentage goes through as typed, checked by the service."""
    if state == "won":
        return {"probability": "1.0", "isClosed": "true"}
    if state == "lost":
        return {"probability": "0.0", "isClosed": "true"}
    text = str(percent or "").strip().replace(",", ".").rstrip("%").strip()
    try:
        probability = str(Decimal(text) / 100) if text else ""
    except InvalidOperation:
        probability = text
    return {"probability": probability, "isClosed": "false"}


def _pipelines():
    return list(services.list_pipelines(OT))


def _url(pipeline=None, **extra) -> str:
    url = reverse("settings:pipelines")
    params = {"pipeline": pipeline.pipeline_id} if pipeline is not None else {}
    params.update({k: v for k, v in extra.items() if v})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _pipeline(pipeline_id) -> Pipeline:
    pipeline = Pipeline.objects.filter(
        object_type=OT, pipeline_id=pipeline_id, archived=False
    ).first()
    if pipeline is None:
        raise Http404
    return pipeline


def _stage(pipeline, stage_id) -> PipelineStage:
    stage = pipeline.stages.filter(stage_id=stage_id, archived=False).first()
    if stage is None:
        raise Http404
    return stage


def _render(request, pipeline, *, errors=None, posted=None, status=200, moved=""):
    """The pipeline page; `errors` and `posted` are keyed by the form they belong to
    ("rename", "add" or a stage id) so a refused form shows what was typed."""
    errors, posted = errors or {}, posted or {}
    pipelines = _pipelines()
    stages = [s for s in pipeline.stages.filter(archived=False).order_by("display_order", "id")]
    usage = services.stage_usage(OT, [s.stage_id for s in stages])
    rows = []
    for stage in stages:
        mine = posted.get(stage.stage_id, {})
        rows.append(
            {
                "id": stage.stage_id,
                "label": mine.get("label", localised_label(stage)),
                "probability": mine.get("probability", _percent(stage.probability)),
                "state": mine.get("state", _state(stage)),
                "deals": usage.get(stage.stage_id, 0),
                "errors": errors.get(stage.stage_id, {}),
            }
        )
    return page(
        request,
        "pipelines",
        "settings/pipelines.html",
        {
            "pipelines": [(p.pipeline_id, localised_label(p)) for p in pipelines],
            "pipeline": pipeline,
            "pipeline_label": posted.get("rename", {}).get("label", localised_label(pipeline)),
            "rows": rows,
            "states": STATES,
            "errors": errors,
            "add": posted.get("add", {"state": "open", "probability": "", "label": ""}),
            "moved": moved,
            "total_deals": sum(row["deals"] for row in rows),
        },
        status=status,
    )


@settings_admin
def pipelines(request):
    pipelines = _pipelines()
    if not pipelines:
        raise Http404
    wanted = request.GET.get("pipeline")
    pipeline = next((p for p in pipelines if p.pipeline_id == wanted), pipelines[0])
    return _render(request, pipeline, moved=request.GET.get("moved", ""))


class PipelineForm(forms.Form):
    label = forms.CharField(
        label=_lazy("Pipeline name"),
        max_length=200,
        error_messages={"required": _lazy("Enter a name for the pipeline.")},
    )


@settings_admin
def pipeline_create(request):
    form = PipelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        stages = [
            {"label": _("New lead"), "metadata": {"probability": "0.1", "isClosed": "false"}},
            {"label": _("Proposal sent"), "metadata": {"probability": "0.5", "isClosed": "false"}},
            {"label": _("Closed won"), "metadata": {"probability": "1.0", "isClosed": "true"}},
            {"label": _("Closed lost"), "metadata": {"probability": "0.0", "isClosed": "true"}},
        ]
        try:
            pipeline = services.create_pipeline(
                OT,
                {"label": form.cleaned_data["label"], "stages": stages,
                 "displayOrder": len(_pipelines())},
                source=ChangeSource.for_user(request.user),
            )  # fmt: skip
        except ValidationFailed as exc:
            for field, text in field_errors(exc).items():
                form.add_error("label" if field in ("label", "__all__") else None, text)
        else:
            messages.success(
                request,
                _("Pipeline “%(label)s” created with four stages: rename them, add others.")
                % {"label": pipeline.label},
            )
            return redirect(_url(pipeline))
    return page(
        request,
        "pipelines",
        "settings/pipeline_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@settings_admin
def pipeline_rename(request, pipeline_id):
    pipeline = _pipeline(pipeline_id)
    if request.method != "POST":
        return redirect(_url(pipeline))
    text = request.POST.get("label", "")
    try:
        services.update_pipeline(
            OT,
            pipeline.pipeline_id,
            {label_field(pipeline): text},
            source=ChangeSource.for_user(request.user),
        )
    except ValidationFailed as exc:
        return _render(
            request,
            pipeline,
            errors={"rename": field_errors(exc)},
            posted={"rename": {"label": text}},
            status=422,
        )
    messages.success(request, _("Pipeline renamed."))
    return redirect(_url(pipeline))


@settings_admin
def stage_add(request, pipeline_id):
    pipeline = _pipeline(pipeline_id)
    if request.method != "POST":
        return redirect(_url(pipeline))
    posted = {key: request.POST.get(key, "") for key in ("label", "probability", "state")}
    try:
        services.add_stage(
            OT,
            pipeline.pipeline_id,
            {
                "label": posted["label"],
                "metadata": _metadata(posted["state"], posted["probability"]),
            },
            source=ChangeSource.for_user(request.user),
        )
    except ValidationFailed as exc:
        return _render(
            request, pipeline, errors={"add": field_errors(exc)}, posted={"add": posted}, status=422
        )
    messages.success(request, _("Stage “%(label)s” added.") % {"label": posted["label"].strip()})
    return redirect(_url(pipeline))


@settings_admin
def stage_update(request, pipeline_id, stage_id):
    pipeline = _pipeline(pipeline_id)
    stage = _stage(pipeline, stage_id)
    if request.method != "POST":
        return redirect(_url(pipeline))
    posted = {key: request.POST.get(key, "") for key in ("label", "probability", "state")}
    changes = {label_field(stage): posted["label"]}
    metadata = _metadata(posted["state"], posted["probability"])
    # Only a changed weight goes through: re-weighting rewrites every deal of the stage.
    if (
        (metadata["isClosed"] == "true") != stage.is_closed
        or metadata["probability"] == ""
        or (_differs(metadata["probability"], stage.probability))
    ):
        changes["metadata"] = metadata
    try:
        services.update_stage(
            OT, pipeline.pipeline_id, stage.stage_id, changes,
            source=ChangeSource.for_user(request.user),
        )  # fmt: skip
    except ValidationFailed as exc:
        return _render(
            request,
            pipeline,
            errors={stage.stage_id: field_errors(exc)},
            posted={stage.stage_id: posted},
            status=422,
        )
    messages.success(request, _("Stage “%(label)s” saved.") % {"label": posted["label"].strip()})
    return redirect(_url(pipeline))


def _differs(text: str, probability) -> bool:
    try:
        return Decimal(text).quantize(Decimal("0.01")) != Decimal(probability)
    except InvalidOperation:
        return True


@settings_admin
def stages_order(request, pipeline_id):
    """Arrow buttons post the shown order and the move; drag and drop posts the new order."""
    pipeline = _pipeline(pipeline_id)
    if request.method != "POST":
        return redirect(_url(pipeline))
    order = list(dict.fromkeys(request.POST.getlist("stage")))
    verb, _sep, target = request.POST.get("action", "").partition(":")
    moved = ""
    if verb in ("up", "down") and target in order:
        i = order.index(target)
        j = i - 1 if verb == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
        moved = f"{verb}:{target}"
    try:
        services.reorder_stages(
            OT, pipeline.pipeline_id, order, source=ChangeSource.for_user(request.user)
        )
    except ValidationFailed:
        messages.error(request, _("The stages changed meanwhile: here they are as they are now."))
    else:
        messages.success(request, _("Stage order saved."))
    return redirect(_url(pipeline, moved=moved))


def _destinations(exclude_pipeline=None, exclude_stage=None) -> list[dict]:
    """Where deals may go: the active stages of active pipelines, grouped by pipeline."""
    groups = []
    for pipeline in _pipelines():
        if exclude_pipeline is not None and pipeline.pk == exclude_pipeline.pk:
            continue
        stages = [
            (s.stage_id, localised_label(s))
            for s in pipeline.stages.all()
            if s.stage_id != exclude_stage
        ]
        if stages:
            groups.append({"label": localised_label(pipeline), "stages": stages})
    return groups


def _deletion(request, pipeline, *, stage=None):
    """The page that asks where the deals go, then deletes (a stage, or the pipeline)."""
    source = ChangeSource.for_user(request.user)
    if stage is not None:
        count = services.stage_usage(OT, [stage.stage_id]).get(stage.stage_id, 0)
        choices = _destinations(exclude_stage=stage.stage_id)
    else:
        ids = list(pipeline.stages.values_list("stage_id", flat=True))
        count = sum(services.stage_usage(OT, ids).values())
        choices = _destinations(exclude_pipeline=pipeline)
    error, field_error, move_to = "", "", request.POST.get("move_to", "")
    if request.method == "POST":
        try:
            if stage is not None:
                moved = services.delete_stage(
                    OT, pipeline.pipeline_id, stage.stage_id, move_to=move_to or None, source=source
                )
            else:
                moved = services.delete_pipeline(
                    OT, pipeline.pipeline_id, move_to=move_to or None, source=source
                )
        except ValidationFailed as exc:
            overrides = {} if stage is not None else {
                "DESTINATION_REQUIRED": _(
                    "Deals are still in this pipeline: choose the stage they move to."
                )
            }  # fmt: skip
            for field, text in field_errors(exc, overrides).items():
                if field == "move_to":
                    field_error = text
                else:
                    error = text
        else:
            name = localised_label(stage if stage is not None else pipeline)
            text = (
                _("Stage “%(name)s” deleted.") if stage is not None
                else _("Pipeline “%(name)s” deleted.")
            ) % {"name": name}  # fmt: skip
            if moved:
                text += " " + ngettext("%(count)d deal moved.", "%(count)d deals moved.", moved) % {
                    "count": moved
                }
            messages.success(request, text)
            return redirect(_url(pipeline if stage is not None else None))
    return page(
        request,
        "pipelines",
        "settings/pipeline_delete.html",
        {
            "pipeline": pipeline,
            "pipeline_label": localised_label(pipeline),
            "stage": stage,
            "stage_label": localised_label(stage) if stage is not None else "",
            "count": count,
            "choices": choices,
            "move_to": move_to,
            "error": error,
            "field_error": field_error,
        },
        status=422 if (error or field_error) else 200,
    )


@settings_admin
def stage_delete(request, pipeline_id, stage_id):
    pipeline = _pipeline(pipeline_id)
    return _deletion(request, pipeline, stage=_stage(pipeline, stage_id))


@settings_admin
def pipeline_delete(request, pipeline_id):
    return _deletion(request, _pipeline(pipeline_id))
