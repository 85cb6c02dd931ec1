"""Chart geometry for the dashboard (DASH-5), drawn as SVG by the templates.

No viewBox scaling: x positions and widths are percentages and y positions pixels, so the
bars fill any width while the text keeps its size (legible at 390 px). Every chart has
its numbers in a table next to it for screen readers and for whoever prefers reading."""

import math
from dataclasses import dataclass

from babel import dates as babel_dates
from django.utils.html import escape
from django.utils.safestring import mark_safe

from comptoir.core.i18n import babel_locale

PALETTE = ("#0b6e6e", "#d97706", "#6d28d9", "#2563eb", "#be185d", "#4d7c0f")
OTHER_COLOR = "#8a94a3"
PLOT_HEIGHT = 160  # px of bars
TOP = 8


def stage_bars(forecast) -> list[dict]:
    """Amount per stage as horizontal bars (a funnel read top to bottom)."""
    largest = max((s.amount for s in forecast.stages), default=0) or 1
    return [
        {
            "stage": s,
            "width": round(float(s.amount / largest) * 100, 2) if s.amount else 0,
        }
        for s in forecast.stages
    ]


@dataclass
class Series:
    owner_id: int | None
    name: str
    color: str


def weekly_bars(counts: dict, period, names: dict, *, max_series: int = len(PALETTE)) -> dict:
    """Stacked bars, one per week of the period, one colour per user (the busiest first;
    the others share one grey segment)."""
    weeks = period.weeks()
    by_owner: dict[int, int] = {}
    for (owner, _week), n in counts.items():
        by_owner[owner] = by_owner.get(owner, 0) + n
    ranked = sorted(by_owner, key=lambda o: (-by_owner[o], names.get(str(o), "")))
    shown = ranked[:max_series] if len(ranked) <= max_series else ranked[: max_series - 1]
    series = [Series(o, names.get(str(o), f"#{o}"), PALETTE[i]) for i, o in enumerate(shown)]
    others = [o for o in ranked if o not in shown]
    if others:
        from django.utils.translation import gettext as _

        series.append(Series(None, _("Others"), OTHER_COLOR))

    def count(series_item, week):
        if series_item.owner_id is not None:
            return counts.get((series_item.owner_id, week), 0)
        return sum(counts.get((o, week), 0) for o in others)

    table = [[count(s, w) for s in series] for w in weeks]
    totals = [sum(row) for row in table]
    top = max(totals, default=0)
    scale = _nice_ceiling(top)
    slot = 100 / max(len(weeks), 1)
    bar = slot * 0.7
    locale = babel_locale()
    # Over several years, "10 Jun" alone would not say which June: the weeks name their
    # year, and the axis shows fewer, shorter labels ("Jun 2024") so they fit at 390 px.
    one_year = period.first_day.year == period.last_day.year
    date_format, axis_format = ("d MMM", "d MMM") if one_year else ("d MMM y", "MMM y")
    every = max(1, math.ceil(len(weeks) / (7 if one_year else 5)))  # labels at most
    bars = []
    for index, (week, row) in enumerate(zip(weeks, table, strict=True)):
        y = TOP + PLOT_HEIGHT
        segments = []
        for s, n in zip(series, row, strict=True):
            if not n:
                continue
            height = PLOT_HEIGHT * n / scale
            y -= height
            segments.append(
                {
                    "y": round(y, 2),
                    "height": round(height, 2),
                    "color": s.color,
                    "name": s.name,
                    "count": n,
                }
            )
        label = babel_dates.format_date(week, date_format, locale=locale)
        # Each label sits in the middle of its group of weeks: never cut off at the edge.
        show_label = index % every == every // 2
        bars.append(
            {
                "week": week,
                "label": label,
                "axis_label": babel_dates.format_date(week, axis_format, locale=locale)
                if show_label
                else "",
                "show_label": show_label,
                "x": round(index * slot + (slot - bar) / 2, 3),
                "center": round(index * slot + slot / 2, 3),
                "width": round(bar, 3),
                "segments": segments,
                "total": totals[index],
            }
        )
    gridlines = (
        [
            {"value": v, "y": round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * v / scale, 2)}
            for v in (scale / 2, scale)
        ]
        if top
        else []
    )
    return {
        "series": series,
        "bars": bars,
        "rows": [
            {"week": bar_["label"], "counts": row, "total": bar_["total"]}
            for bar_, row in zip(bars, table, strict=True)
        ],
        "gridlines": gridlines,
        "height": TOP + PLOT_HEIGHT + 22,
        "baseline": TOP + PLOT_HEIGHT,
        "label_y": TOP + PLOT_HEIGHT + 16,
        "empty": top == 0,
    }


def with_svg(chart: dict) -> dict:
    chart["svg"] = weekly_svg(chart, "weekly-title", "weekly-table")
    return chart


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 times 10^k that is at least `value` (an axis's top)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _n(value) -> str:
    """A coordinate for SVG attributes: short, never in exponent form."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def weekly_svg(chart: dict, labelled_by: str, described_by: str) -> str:
    """The weekly bars as one SVG element (built here: a template loop over every segment of
    every week costs more than all the page's queries)."""
    parts = [
        f'<svg class="week-chart" width="100%" height="{chart["height"]}" role="img" '
        f'aria-labelledby="{labelled_by}" aria-describedby="{described_by}">'
    ]
    for g in chart["gridlines"]:
        parts.append(
            f'<line x1="0" x2="100%" y1="{_n(g["y"])}" y2="{_n(g["y"])}" class="grid"/>'
            f'<text x="0" y="{_n(g["y"] - 3)}" class="axis">{int(g["value"])}</text>'
        )
    base = chart["baseline"]
    parts.append(f'<line x1="0" x2="100%" y1="{base}" y2="{base}" class="base"/>')
    for bar in chart["bars"]:
        x, width, label = _n(bar["x"]), _n(bar["width"]), escape(bar["label"])
        for seg in bar["segments"]:
            parts.append(
                f'<rect x="{x}%" y="{_n(seg["y"])}" width="{width}%" height="{_n(seg["height"])}" '
                f'fill="{seg["color"]}"><title>{label} · {escape(seg["name"])}: '
                f"{seg['count']}</title></rect>"
            )
        if bar["show_label"]:
            parts.append(
                f'<text x="{_n(bar["center"])}%" y="{chart["label_y"]}" text-anchor="middle" '
                f'class="axis">{escape(bar["axis_label"])}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
