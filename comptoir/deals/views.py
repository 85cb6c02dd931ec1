"""The deals board (UI-5): columns per stage, drag and drop or stage menu to move a deal.

Moves go through `update_record` (history, stage automation, lifecycle sync live there);
the board reads the same query string as the deals table, so both show the same deals.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.inputs import parse_id, whole_number
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import can_edit
from comptoir.core.portal.services import portal
from comptoir.core.properties.errors import RecordNotFound, ValidationFailed
from comptoir.core.records import reads, writes
from comptoir.core.records.values import base_queryset
from comptoir.core.savedviews.listing import BUILTIN_VIEWS, MAX_OFFSET, ListState, visible_views
from comptoir.core.search.compiler import SearchError
from comptoir.core.ui.phrases import error_text, errors_text, view_label
from comptoir.core.ui.views import ui_source
from comptoir.deals.board import (
    MAX_CARDS,
    Column,
    board_totals,
    build_columns,
    pipeline_for,
    pipelines,
)


def _state(request) -> ListState:
    return ListState.from_request(request, get_object_type("deals"))


def board_query(state: ListState, pipeline, **changes) -> str:
    """Query string of the board: the table's parameters plus the pipeline."""
    params = state.params(page=1, per_page=25, **changes)
    if pipeline is not None:
        params["pipeline"] = pipeline.pipeline_id
    return "?" + urlencode(params)


def _columns(request, state, pipeline, **kw) -> list[Column]:
    try:
        return build_columns(state, request.user, pipeline, **kw)
    except SearchError as exc:
        state.errors.append(str(exc))
        return [
            Column(stage=s)
            for s in pipeline.stages
            if kw.get("only") is None or s.stage_id in kw["only"]
        ]


def board(request):
    ot = get_object_type("deals")
    state = _state(request)
    pipeline = pipeline_for(request.GET.get("pipeline"))
    columns = _columns(request, state, pipeline) if pipeline else []
    query = board_query(state, pipeline)
    return render(
        request,
        "deals/board.html",
        {
            "ot": ot,
            "state": state,
            "pipeline": pipeline,
            "pipelines": pipelines(),
            "columns": columns,
            "totals": board_totals(columns, portal().currency),
            "query": query,
            "table_url": reverse("deals:list") + state.url(page=1),
            "views": [
                {
                    "label": view_label(v, ot),
                    "url": board_query(state, pipeline, view=v.key, q="", filters=""),
                    "current": not state.saved_view and state.view_key == v.key,
                }
                for v in BUILTIN_VIEWS.values()
            ]
            + [
                {
                    "label": v.name,
                    "url": board_query(state, pipeline, view=str(v.pk), q="", filters=""),
                    "current": state.saved_view is not None and state.saved_view.pk == v.pk,
                }
                for v in visible_views(request.user, ot)
            ],
            "clear_url": board_query(state, pipeline, q="", filters=""),
            "stage_choices": [(s.stage_id, s.name) for s in pipeline.stages] if pipeline else [],
            "move_card": _move_card(request, pipeline),
        },
    )


def _move_card(request, pipeline):
    """?move=<id> opens the stage dialog for that deal (the link behind each card's button)."""
    deal_id = parse_id(request.GET.get("move", ""))
    if deal_id is None or pipeline is None:
        return None
    return (
        base_queryset("deals", user=request.user)
        .filter(pk=deal_id, pipeline=pipeline.pipeline_id)
        .only("pk", "dealname", "dealstage")
        .first()
    )


def board_cards(request):
    """The next cards of one column (loaded as it is scrolled down), under the board's
    filters: `stage`, and `after` the number of cards the column already shows."""
    state = _state(request)
    pipeline = pipeline_for(request.GET.get("pipeline"))
    stage = pipeline.stage(request.GET.get("stage", "")) if pipeline else None
    if stage is None:
        raise Http404
    after = min(max(0, whole_number(request.GET.get("after", 0)) or 0), MAX_OFFSET)
    columns = _columns(request, state, pipeline, only={stage.stage_id}, offset=after)
    return render(
        request,
        "deals/_board_cards.html",
        {"column": columns[0], "query": board_query(state, pipeline)},
    )


def _shown(request, stage: str) -> int:
    """How many cards the browser shows in a column (it loaded more by scrolling): the
    columns a move re-renders keep them, up to MAX_CARDS."""
    return min(whole_number(request.POST.get(f"shown_{stage}", 0)) or 0, MAX_CARDS)


# -- moving a deal ----------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, status: int, message: str, current_stage: str | None = None):
        self.status = status
        self.message = message
        self.current_stage = current_stage  # where a stale card's deal is now
        super().__init__(message)


def _move(request, pipeline, deal_id, from_stage, to_stage):
    """Change the deal's stage if it is still where the board showed it; returns the deal."""
    ot = get_object_type("deals")
    source = ui_source(request)
    if pipeline is None or pipeline.stage(to_stage) is None:
        raise Refused(422, _("This stage is not part of the pipeline."))
    with transaction.atomic():
        try:
            deal = reads.get_record(ot, deal_id, for_update=True, user=request.user)
        except RecordNotFound:
            raise Refused(404, _("This deal no longer exists (deleted or merged).")) from None
        if not can_edit(request.user, ot, deal):
            raise Refused(403, _("You can see this deal but not change it."))
        if deal.pipeline != pipeline.pipeline_id or deal.dealstage != from_stage:
            raise Refused(
                409,
                _(
                    "This deal was changed meanwhile: the board shows it where it "
                    "is now. Try again if you still want to move it."
                ),
                current_stage=deal.dealstage,
            )
        try:
            return writes.update_record(ot, deal, {"dealstage": to_stage}, source=source)
        except ValidationFailed as exc:
            reason = "; ".join(dict.fromkeys(error_text(e) for e in exc.errors)) or errors_text(exc)
            raise Refused(
                422, _("The deal was not moved: %(reason)s") % {"reason": reason}
            ) from None


@require_POST
def board_move(request):
    state = _state(request)
    pipeline = pipeline_for(request.GET.get("pipeline"))
    deal_id = request.POST.get("deal", "")
    from_stage = request.POST.get("from", "")
    to_stage = request.POST.get("stage", "")
    status, pinned, current = 200, None, None
    try:
        deal = _move(request, pipeline, deal_id, from_stage, to_stage)
        stage = pipeline.stage(to_stage)
        message = _("“%(deal)s” moved to %(stage)s.") % {
            "deal": deal.dealname or f"#{deal.pk}",
            "stage": stage.name,
        }
        pinned = deal.pk
    except Refused as exc:
        status, message, current = exc.status, exc.message, exc.current_stage
    if not request.htmx:
        (messages.success if status == 200 else messages.error)(request, message)
        return redirect(reverse("deals:board") + board_query(state, pipeline))
    only = {s for s in (from_stage, to_stage, current) if pipeline and pipeline.stage(s)}
    limits = {s: _shown(request, s) for s in only}
    columns = (
        _columns(request, state, pipeline, only=only, pinned=pinned, limits=limits) if only else []
    )
    return render(
        request,
        "deals/_board_move.html",
        {
            "columns": columns,
            "message": message,
            "ok": status == 200,
            "query": board_query(state, pipeline),
            "stage_choices": [(s.stage_id, s.name) for s in pipeline.stages] if pipeline else [],
            "totals": _summary(request, state, pipeline) if pipeline else None,
        },
        status=status,
    )


def _summary(request, state, pipeline) -> dict | None:
    try:
        columns = build_columns(state, request.user, pipeline, cards=False)
    except SearchError:
        return None
    return board_totals(columns, portal().currency)
