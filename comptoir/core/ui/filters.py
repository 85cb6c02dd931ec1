"""The list pages' filters (UI-1): the "Advanced filters" dialog (AND rows inside OR groups,
the search API's operators), the chips of the active conditions above the table and the
quick filters of the type (`Pages.quick_filters`).

Each property kind says which operators it offers, which value input it shows (an options
picker with the option labels, an owner picker with "me", a day typed in the reader's
format or a rolling period, a number) and how to read and show a value
(`comptoir/core/properties/kinds/`). Filters are stored as the search request's values,
relative ones (periods, "me", days of date-times) as such: `core/savedviews/relative.py`
turns them into what they mean when the list is shown.
"""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.i18n import babel_locale, is_english, localised_label
from comptoir.core.inputs import parse_int
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.kinds.base import (
    LIST_VALUE,
    NO_VALUE,
    OPERATOR_LABELS,
    FilterContext,
)
from comptoir.core.properties.kinds.dates import DAY_FORMATS
from comptoir.core.savedviews.listing import list_state
from comptoir.core.savedviews.relative import resolve
from comptoir.core.search.compiler import (
    MAX_FILTERS,
    MAX_FILTERS_PER_GROUP,
    MAX_GROUPS,
    SearchError,
    compile_filter_groups,
)
from comptoir.core.ui.fields import choices_for
from comptoir.core.ui.record import page_type

# Every operator and its words (the dashboard's lists describe their filters with them).
OPERATORS = list(OPERATOR_LABELS.items())


def filter_context() -> FilterContext:
    return FilterContext(locale=babel_locale(), tz=portal().report_time_zone, choices=choices_for)


class FilterProblem(ValueError):
    """A condition the page cannot keep; the message names the property."""


def _problem_text(defn, exc: PropertyError) -> str:
    return _("%(property)s: %(problem)s") % {
        "property": localised_label(defn),
        "problem": exc.message,
    }


def read_condition(defn, operator: str, values: list[str], high: str, days: str, ctx) -> dict:
    """One condition as the form sends it (the picked or typed values) → a stored filter."""
    kind = defn.kind
    codes = [op for op, _text in kind.filter_operators(defn)]
    if operator not in codes:
        raise FilterProblem(
            _("%(property)s: choose a condition from the list.")
            % {"property": localised_label(defn)}
        )
    flt = {"propertyName": defn.name, "operator": operator}
    if operator in NO_VALUE:
        return flt
    values = [v.strip() for v in values if v and v.strip()]
    try:
        if operator == "ROLLING":
            flt["value"] = kind.parse_rolling(defn, values[0] if values else "", days)
            return flt
        if operator in LIST_VALUE:
            if kind.filter_input not in ("options",):  # typed: "a, b, c"
                values = [p.strip() for v in values for p in v.split(",") if p.strip()]
            if not values:
                raise FilterProblem(
                    _("%(property)s: pick at least one value.")
                    % {"property": localised_label(defn)}
                )
            flt["values"] = list(dict.fromkeys(kind.parse_filter(defn, v, ctx) for v in values))
            return flt
        if not values:
            raise FilterProblem(
                _("%(property)s: give a value.") % {"property": localised_label(defn)}
            )
        flt["value"] = kind.parse_filter(defn, values[0], ctx)
        if operator == "BETWEEN":
            if not high.strip():
                raise FilterProblem(
                    _("%(property)s: give the upper value.") % {"property": localised_label(defn)}
                )
            flt["highValue"] = kind.parse_filter(defn, high, ctx)
    except PropertyError as exc:
        raise FilterProblem(_problem_text(defn, exc)) from None
    return flt


def groups_from_form(post, ot, ctx) -> tuple[list, list[str]]:
    """g{i}_p{j} / g{i}_o{j} / g{i}_v{j} (several for "is any of"), _h (BETWEEN's upper
    value), _n (a period's days) → (filterGroups, problems). A row whose value cannot be
    read is kept as typed, with its problem, so that the dialog shows it again."""
    defs = registry.definitions(ot)
    groups, problems = [], []
    for i in range(MAX_GROUPS):
        filters = []
        for j in range(MAX_FILTERS_PER_GROUP):
            name = post.get(f"g{i}_p{j}")
            operator = post.get(f"g{i}_o{j}") or ""
            if not name:
                continue
            defn = defs.get(name)
            if defn is None:
                problems.append(_("Unknown property: %(name)s") % {"name": name[:80]})
                continue
            codes = [op for op, _text in defn.kind.filter_operators(defn)]
            if operator not in codes:
                operator = codes[0]
            try:
                flt = read_condition(
                    defn,
                    operator,
                    post.getlist(f"g{i}_v{j}"),
                    post.get(f"g{i}_h{j}", ""),
                    post.get(f"g{i}_n{j}", ""),
                    ctx,
                )
            except FilterProblem as exc:
                problems.append(str(exc))
                flt = {
                    "propertyName": name,
                    "operator": operator,
                    "typed": post.getlist(f"g{i}_v{j}"),
                    "typed_high": post.get(f"g{i}_h{j}", ""),
                    "typed_days": post.get(f"g{i}_n{j}", ""),
                }
            filters.append(flt)
        if filters:
            groups.append({"filters": filters})
    return groups, problems


def _row(ot, flt, ctx) -> dict:
    """One row of the dialog: the property, its kind's operators and value input."""
    defs = registry.definitions(ot)
    defn = defs.get(flt.get("propertyName", ""))
    row = {
        "property": flt.get("propertyName", ""),
        "operator": flt.get("operator", "EQ"),
        "operators": [],
        "input": "text",
        "choices": [],
        "selected": [],
        "value": "",
        "high": "",
        "days": "",
        "placeholder": "",
        "day_order": "",
    }
    if defn is None:
        return row
    kind = defn.kind
    row["operators"] = kind.filter_operators(defn)
    codes = [op for op, _text in row["operators"]]
    if row["operator"] not in codes:
        row["operator"] = codes[0]
    op = row["operator"]
    typed = flt.get("typed")
    if op in NO_VALUE:
        row["input"] = "none"
    elif op == "ROLLING":
        row["input"] = "rolling"
        row["choices"] = kind.rolling_choices()
        value = typed[0] if typed else str(flt.get("value", ""))
        choice, _sep, days = value.partition(":")
        row["selected"] = [value if value in dict(row["choices"]) else choice]
        row["days"] = flt.get("typed_days", days if choice in ("before", "after") else "")
    elif kind.filter_input == "options":
        row["input"] = "checkboxes" if op in LIST_VALUE else "options"
        row["choices"] = kind.filter_choices(defn, ctx)
        if typed is not None:
            row["selected"] = typed
        elif op in LIST_VALUE:
            row["selected"] = [str(v) for v in flt.get("values") or ()]
        else:
            row["selected"] = [kind.filter_input_value(defn, flt.get("value", ""), ctx)]
    else:
        row["input"] = kind.filter_input
        if kind.filter_input == "date":
            formats = DAY_FORMATS["fr" if ctx.french else "en"]
            row["placeholder"], row["day_order"] = formats[3], formats[0]

        def shown(value):
            return "" if value in (None, "") else kind.filter_input_value(defn, value, ctx)

        if typed is not None:
            row["value"] = ", ".join(typed)
            row["high"] = flt.get("typed_high", "")
        elif op in LIST_VALUE:
            row["value"] = ", ".join(shown(v) for v in flt.get("values") or ())
        else:
            row["value"] = shown(flt.get("value"))
            row["high"] = shown(flt.get("highValue"))
    return row


def _clear_row(groups, focus: str) -> None:
    """A new property: its row starts again from its first condition, with no value."""
    i, sep, j = focus.removeprefix("g").partition("_p")
    if not sep or parse_int(i, 0, MAX_GROUPS) is None or parse_int(j, 0, 99) is None:
        return
    i, j = int(i), int(j)
    if i < len(groups) and j < len(groups[i]["filters"]):
        name = groups[i]["filters"][j].get("propertyName", "")
        groups[i]["filters"][j] = {"propertyName": name}


def _rows(ot, groups, ctx, focus: str = "") -> list:
    shown = []
    for i, group in enumerate(groups or [{"filters": []}]):
        rows = []
        for j, flt in enumerate(group["filters"] or [{"propertyName": ""}]):
            row = _row(ot, flt, ctx)
            # After a property or condition changed, focus goes back to that select.
            row["focus"] = {f"g{i}_p{j}": "p", f"g{i}_o{j}": "o"}.get(focus, "")
            rows.append(row)
        shown.append(rows)
    return shown


def _problem(exc, groups) -> str:
    """Why the filters were refused: the search engine's words (English, as the API's), or
    in other languages the likely cause, since the dialog checks every value first."""
    if is_english():
        return str(exc)
    if sum(len(g["filters"]) for g in groups) > MAX_FILTERS:
        return str(_("Too many conditions: at most %(n)d in all.") % {"n": MAX_FILTERS})
    return str(_("A condition has no value, or a value that does not suit its property."))


# Pages that open the dialog besides the table, and the query parameters of their own
# to carry back (the deals board keeps its pipeline).
RETURN_PAGES = {"board": ("deals:board", ("pipeline",))}


def _return_url(request, ot, state, groups) -> str:
    page, keep = RETURN_PAGES.get(request.GET.get("back", ""), (f"{ot.name}:list", ()))
    extra = {k: request.GET[k] for k in keep if request.GET.get(k)}
    filters = json.dumps(groups, separators=(",", ":")) if groups else ""
    return reverse(page) + state.url(filters=filters, page=1, **extra)


def _go(request, target):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _check(ot, groups, user) -> str:
    try:
        compile_filter_groups(ot, resolve(ot, groups, user))
    except SearchError as exc:
        return _problem(exc, groups)
    return ""


def filters_dialog(request, object_type):
    ot = page_type(object_type)
    state = list_state(request, ot)
    ctx = filter_context()
    groups = state.filter_groups
    problems = []
    focus = ""
    if request.method == "POST":
        groups, problems = groups_from_form(request.POST, ot, ctx)
        add = request.POST.get("add", "")
        if add:  # a row, a group or a refresh: nothing is applied yet, nothing is wrong yet
            problems = []
        if add == "group" and len(groups) < MAX_GROUPS:
            groups.append({"filters": []})
        elif add.startswith("row:") and parse_int(add[4:], 0) is not None:
            index = min(parse_int(add[4:], 0), MAX_GROUPS - 1)
            while len(groups) <= index:
                groups.append({"filters": []})
            groups[index]["filters"].append({"propertyName": ""})
        elif add == "refresh":  # a property or condition changed: its inputs follow
            focus = (request.htmx.trigger_name if request.htmx else "") or ""
            _clear_row(groups, focus)
        elif not problems:
            problems = [p for p in [_check(ot, groups, request.user)] if p]
            if not problems:
                return _go(request, _return_url(request, ot, state, groups))
    defs = registry.definitions(ot)
    properties = sorted(
        ((n, localised_label(d)) for n, d in defs.items() if not d.hidden),
        key=lambda item: item[1].lower(),
    )
    return render(
        request,
        "records/_filters_dialog.html",
        {
            "ot": ot,
            "state": state,
            "groups": _rows(ot, groups, ctx, focus),
            "properties": properties,
            "errors": problems,
            "focus": focus,
            "query": request.META.get("QUERY_STRING", ""),
        },
        status=422 if problems else 200,
    )


# -- chips and quick filters ------------------------------------------------------------------


def _without(groups, gi, fi) -> list:
    """The filter groups without one condition (and without the group it leaves empty)."""
    kept = []
    for i, group in enumerate(groups):
        filters = [f for j, f in enumerate(group["filters"]) if (i, j) != (gi, fi)]
        if filters:
            kept.append({**group, "filters": filters})
    return kept


def _filters_param(groups) -> str:
    return json.dumps(groups, separators=(",", ":")) if groups else ""


def condition_text(ot, flt, ctx) -> str:
    defn = registry.definitions(ot).get(flt.get("propertyName", ""))
    if defn is None:
        return str(flt.get("propertyName", ""))
    return f"{localised_label(defn)} {defn.kind.describe_filter(defn, flt, ctx)}"


def option_problems(state, ctx) -> list[str]:
    """Conditions of a link naming an option that does not exist (a label where a value
    belongs is read as its value): what the page says above the table."""
    defs = registry.definitions(state.ot)
    problems = []
    for group in state.filter_groups:
        for flt in group.get("filters") or ():
            defn = defs.get(flt.get("propertyName", "")) if isinstance(flt, dict) else None
            if defn is None or defn.kind.filter_input != "options":
                continue
            values = flt.get("values") if flt.get("operator") in LIST_VALUE else [flt.get("value")]
            for value in values or ():
                if value is None or isinstance(value, bool):
                    continue
                try:
                    canonical = defn.kind.parse_filter(defn, str(value), ctx)
                except PropertyError as exc:
                    problems.append(_problem_text(defn, exc))
                    continue
                if canonical != str(value):
                    _replace(flt, value, canonical)
    return problems


def _replace(flt, old, new) -> None:
    if flt.get("value") == old:
        flt["value"] = new
    if isinstance(flt.get("values"), list):
        flt["values"] = [new if v == old else v for v in flt["values"]]


def chips(state, ctx) -> list[list[dict]]:
    """The page's added conditions, group by group, each with the link that removes it."""
    shown = []
    for gi, group in enumerate(state.filter_groups):
        row = []
        for fi, flt in enumerate(group.get("filters") or ()):
            if not isinstance(flt, dict):
                continue
            remaining = _without(state.filter_groups, gi, fi)
            row.append(
                {
                    "text": condition_text(state.ot, flt, ctx),
                    "remove_url": state.url(filters=_filters_param(remaining), page=1) or "?",
                }
            )
        if row:
            shown.append(row)
    return shown


QUICK_OPERATORS = {"options": "IN", "date": "ROLLING"}


def quick_filters(state, ctx) -> list[dict]:
    """The type's quick filters (owner, create date, last activity, lifecycle stage...) with
    what each holds now: a condition of the page's on that property, in every group."""
    ot = state.ot
    defs = registry.definitions(ot)
    names = ot.pages.quick_filters if ot.pages else ()
    groups = state.filter_groups
    shown = []
    for name in names:
        defn = defs.get(name)
        if defn is None or defn.kind.filter_input not in QUICK_OPERATORS:
            continue
        kind = defn.kind
        current = None
        if len(groups) == 1:
            current = next((f for f in groups[0]["filters"] if f.get("propertyName") == name), None)
        if kind.filter_input == "date":
            choices = [c for c in kind.rolling_choices() if c[0] not in ("before", "after")]
        else:
            choices = kind.filter_choices(defn, ctx)
        selected = []
        if current is not None:
            if current.get("operator") == "ROLLING":
                selected = [str(current.get("value"))]
            elif current.get("operator") in ("IN", "EQ"):
                selected = [str(v) for v in current.get("values") or [current.get("value")]]
        shown.append(
            {
                "name": name,
                "label": localised_label(defn),
                "multiple": kind.filter_input == "options",
                "choices": choices,
                "selected": selected,
                "summary": kind.describe_filter(defn, current, ctx) if current else "",
                "id": f"quick-{name}",
            }
        )
    return shown


@require_POST
def quick_filter(request, object_type):
    """A quick filter applied (or cleared): it replaces the page's conditions on its
    property and keeps the others."""
    ot = page_type(object_type)
    state = list_state(request, ot)
    ctx = filter_context()
    defs = registry.definitions(ot)
    name = request.POST.get("property", "")
    defn = defs.get(name)
    if defn is None or name not in (ot.pages.quick_filters if ot.pages else ()):
        return _go(request, reverse(f"{ot.name}:list") + state.url())
    groups = [
        {**g, "filters": [f for f in g["filters"] if f.get("propertyName") != name]}
        for g in state.filter_groups
    ]
    values = [v for v in request.POST.getlist("values") if v]
    if values and request.POST.get("clear") is None:
        operator = QUICK_OPERATORS.get(defn.kind.filter_input, "IN")
        try:
            flt = read_condition(defn, operator, values, "", "", ctx)
        except FilterProblem as exc:
            messages.error(request, str(exc))
            return _go(request, reverse(f"{ot.name}:list") + state.url())
        groups = [{**g, "filters": [*g["filters"], flt]} for g in groups] or [{"filters": [flt]}]
    groups = [g for g in groups if g["filters"]]
    target = reverse(f"{ot.name}:list") + state.url(filters=_filters_param(groups), page=1)
    return _go(request, target)
