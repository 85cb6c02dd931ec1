"""The deals board (UI-5): one column per stage of a pipeline, over the table's filters.

Per column: count, total amount and weighted amount come from one GROUP BY query; the
cards from one LIMIT query per stage that holds deals, so the page costs the same number
of queries with 20 deals or 200 000.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import format_percent
from django.db import connection
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone

from comptoir.core.i18n import babel_locale, localised_label
from comptoir.core.pipelines.models import Pipeline, PipelineStage
from comptoir.core.portal.services import portal
from comptoir.core.properties.expressions import NotIndexed
from comptoir.core.properties.formatting import format_amount, format_date, owner_names
from comptoir.core.properties.registry import cached
from comptoir.core.savedviews.listing import ListState
from comptoir.core.search.compiler import MAX_FILTERS_PER_GROUP, order_by, scan_worthwhile

CARD_LIMIT = 20  # cards a column shows at first, and loads each time it is scrolled down
MAX_CARDS = 500  # cards a column may keep when re-rendered after a move
CARD_FIELDS = (
    "pk",
    "dealname",
    "amount",
    "closedate",
    "hubspot_owner_id",
    "dealstage",
    "pipeline",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class Stage:
    stage_id: str
    label: str
    label_fr: str
    probability: Decimal
    is_closed: bool

    @property
    def name(self) -> str:
        return localised_label(self)


@dataclass(frozen=True)
class PipelineInfo:
    pipeline_id: str
    label: str
    label_fr: str
    stages: tuple[Stage, ...]

    @property
    def name(self) -> str:
        return localised_label(self)

    def stage(self, stage_id) -> Stage | None:
        return next((s for s in self.stages if s.stage_id == stage_id), None)


def pipelines() -> list[PipelineInfo]:
    """Active deal pipelines with their active stages, in display order (cached)."""

    def load():
        rows = list(
            Pipeline.objects.filter(object_type="deals", archived=False).order_by(
                "display_order", "id"
            )
        )
        stages: dict[int, list[Stage]] = {p.pk: [] for p in rows}
        for s in PipelineStage.objects.filter(pipeline__in=rows, archived=False).order_by(
            "display_order", "id"
        ):
            stages[s.pipeline_id].append(
                Stage(s.stage_id, s.label, s.label_fr, s.probability, s.is_closed)
            )
        return [PipelineInfo(p.pipeline_id, p.label, p.label_fr, tuple(stages[p.pk])) for p in rows]

    return cached("board_pipelines:deals", load)


def pipeline_for(pipeline_id: str | None) -> PipelineInfo | None:
    known = pipelines()
    return next((p for p in known if p.pipeline_id == pipeline_id), known[0] if known else None)


@dataclass
class Card:
    pk: int
    name: str
    url: str
    amount: str
    close_date: str
    overdue: bool
    owner: str
    stage_id: str
    moved: bool = False


@dataclass
class Column:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal(0)
    cards: list = field(default_factory=list)
    offset: int = 0  # cards before these ones in the column (the next page's start)
    fetched: int = 0  # cards read in the column's order (a just-moved one pinned aside)
    more_url: str = ""
    next_url: str = ""
    total_text: str = ""
    weighted_text: str = ""
    probability_text: str = ""

    @property
    def more(self) -> int:
        return max(0, self.count - self.offset - self.fetched)

    @property
    def weighted(self) -> Decimal:
        return self.total * self.stage.probability


def deals_queryset(state: ListState, user, pipeline: PipelineInfo, *, scan: bool = False):
    """The table's filters (view, advanced filters, search), restricted to the pipeline.
    `scan`: read in sort order, checking the filters row by row (see NotIndexed)."""
    qs = state.queryset(user, scan=scan)
    if scan:
        return qs.alias(_pipeline=NotIndexed(F("pipeline"))).filter(_pipeline=pipeline.pipeline_id)
    return qs.filter(pipeline=pipeline.pipeline_id)


_ID = "918273645"  # stands for a card's deal id in the record URL reversed once per board


# The columns of the covering index `dash_deal_close_idx` (dashboard/migrations/0005): a
# board filtered on these alone is counted from that index, each filter checked in it.
# SQLite, without value statistics, otherwise read every deal the close date's or the
# owner's own index found (owner and close date: 12-45 ms against 2 at 20,000 deals).
COUNTED_FROM_INDEX = frozenset({"dealstage", "closedate", "hubspot_owner_id", "amount", "pipeline"})


def totals_queryset(state: ListState, user, pipeline: PipelineInfo, qs):
    """The deals whose counts and amounts per stage the board shows: `qs`, the board's
    deals (deals_queryset), or the same with filters checked in the covering index."""
    if connection.vendor != "sqlite" or state.query:
        return qs
    if state.saved_view is not None and state.saved_view.query:
        return qs
    used = {name for name, operator in state.used_properties(user) if operator != "SORT"}
    if not used or not used <= COUNTED_FROM_INDEX:
        return qs
    return state.queryset(user, scan=True).filter(pipeline=pipeline.pipeline_id)


def _record_url() -> str:
    """A deal's record URL with `_ID` for its id, reversed once for a whole board."""
    return reverse("deals:detail", args=[int(_ID)])


def _card(deal, stage: Stage | None, now, tz, currency, owners, record_url: str) -> Card:
    close = deal.closedate
    owner = owners.get(str(deal.hubspot_owner_id), "") if deal.hubspot_owner_id else ""
    return Card(
        pk=deal.pk,
        name=deal.dealname or f"#{deal.pk}",
        url=record_url.replace(_ID, str(deal.pk)),
        amount=format_amount(deal.amount, currency) if deal.amount is not None else "",
        close_date=format_date(close, tz) if close else "",
        overdue=bool(close and close < now and stage is not None and not stage.is_closed),
        owner=owner,
        stage_id=deal.dealstage,
    )


def table_url(state: ListState, pipeline: PipelineInfo, stage: Stage) -> str:
    """The deals table filtered like the board, on one stage of the pipeline."""
    extra = [
        {"propertyName": "pipeline", "operator": "EQ", "value": pipeline.pipeline_id},
        {"propertyName": "dealstage", "operator": "EQ", "value": stage.stage_id},
    ]
    groups = [
        {"filters": [*g["filters"], *extra][:MAX_FILTERS_PER_GROUP]} for g in state.filter_groups
    ] or [{"filters": extra}]
    return reverse("deals:list") + state.url(
        filters=json.dumps(groups, separators=(",", ":")), page=1
    )


def cards_url(state: ListState, pipeline: PipelineInfo, stage: Stage, after: int) -> str:
    """The next cards of one column, under the board's filters, from the `after`-th on."""
    params = state.params(page=1, per_page=25)
    params.update(pipeline=pipeline.pipeline_id, stage=stage.stage_id, after=after)
    return reverse("deals:board_cards") + "?" + urlencode(params)


def build_columns(
    state: ListState,
    user,
    pipeline: PipelineInfo,
    only=None,
    pinned: int | None = None,
    cards: bool = True,
    offset: int = 0,
    limits: dict | None = None,
) -> list[Column]:
    """Columns of the board (or of the stages in `only`), with their first cards.

    `pinned`: a deal to show first in its column even beyond the card limit (just moved).
    `cards=False`: counts and totals only. `offset`: skip that many cards of each column
    (the next page of a column scrolled down). `limits`: {stage id: cards} for columns
    showing more than CARD_LIMIT cards (up to MAX_CARDS).
    """
    settings = portal()
    tz, currency = settings.report_time_zone, settings.currency
    wanted = [s for s in pipeline.stages if only is None or s.stage_id in only]
    columns = {s.stage_id: Column(stage=s, offset=offset) for s in wanted}
    if not columns:
        return []
    qs = deals_queryset(state, user, pipeline)
    counted = totals_queryset(state, user, pipeline, qs)
    if only is not None:
        qs = qs.filter(dealstage__in=list(columns))
        counted = counted.filter(dealstage__in=list(columns))
    totals = counted.order_by().values("dealstage").annotate(n=Count("*"), total=Sum("amount"))
    for row in totals:
        column = columns.get(row["dealstage"])
        if column is not None:
            column.count = row["n"]
            column.total = row["total"] or Decimal(0)
    busy = [sid for sid, c in columns.items() if c.count] if cards else []
    deals = []
    if busy:
        # One LIMIT query per stage: each reads its first cards off an index (top-N), where a
        # window function over the whole pipeline would sort every deal of it.
        ordering = order_by(state.ot, [state.sort])
        for stage_id in busy:
            # A crowded stage reads its first cards walking the sort index (SQLite).
            if scan_worthwhile(columns[stage_id].count, True):
                stage_qs = (
                    deals_queryset(state, user, pipeline, scan=True)
                    .alias(_stage=NotIndexed(F("dealstage")))
                    .filter(_stage=stage_id)
                )
            else:
                stage_qs = qs.filter(dealstage=stage_id)
            limit = min(MAX_CARDS, max(CARD_LIMIT, (limits or {}).get(stage_id, 0)))
            page = list(stage_qs.only(*CARD_FIELDS).order_by(*ordering)[offset : offset + limit])
            columns[stage_id].fetched = len(page)
            deals.extend(page)
    if cards and pinned is not None and not any(d.pk == pinned for d in deals):
        extra = qs.filter(pk=pinned).only(*CARD_FIELDS).first()
        if extra is not None and extra.dealstage in columns:
            deals.insert(0, extra)
    now = timezone.now()
    owners = owner_names()
    record_url = _record_url()
    for deal in deals:
        column = columns.get(deal.dealstage)
        if column is None:
            continue
        card = _card(deal, column.stage, now, tz, currency, owners, record_url)
        card.moved = deal.pk == pinned
        if card.moved:
            column.cards.insert(0, card)
        else:
            column.cards.append(card)
    for column in columns.values():
        column.probability_text = format_percent(column.stage.probability, locale=babel_locale())
        column.total_text = format_amount(column.total, currency)
        column.weighted_text = format_amount(column.weighted.quantize(Decimal("0.01")), currency)
        if column.more:
            column.more_url = table_url(state, pipeline, column.stage)
            column.next_url = cards_url(
                state, pipeline, column.stage, column.offset + column.fetched
            )
    return list(columns.values())


def board_totals(columns: list[Column], currency: str) -> dict:
    count = sum(c.count for c in columns)
    total = sum((c.total for c in columns), Decimal(0))
    weighted = sum((c.weighted for c in columns), Decimal(0))
    return {
        "count": count,
        "total": format_amount(total, currency),
        "weighted": format_amount(weighted.quantize(Decimal("0.01")), currency),
    }
