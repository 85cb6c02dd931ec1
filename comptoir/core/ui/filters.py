"""The "Advanced filters" dialog: AND rows inside OR groups, the search API's operators."""

import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.core.i18n import is_english, localised_label
from comptoir.core.inputs import parse_int
from comptoir.core.properties import registry
from comptoir.core.savedviews.listing import list_state
from comptoir.core.search.compiler import MAX_FILTERS, SearchError, compile_filter_groups
from comptoir.core.ui.record import page_type

OPERATORS = [
    ("EQ", _("is")),
    ("NEQ", _("is not")),
    ("CONTAINS_TOKEN", _("contains")),
    ("NOT_CONTAINS_TOKEN", _("does not contain")),
    ("IN", _("is any of")),
    ("NOT_IN", _("is none of")),
    ("GT", _("is greater than")),
    ("GTE", _("is at least")),
    ("LT", _("is less than")),
    ("LTE", _("is at most")),
    ("BETWEEN", _("is between")),
    ("HAS_PROPERTY", _("is known")),
    ("NOT_HAS_PROPERTY", _("is unknown")),
]
NO_VALUE = {"HAS_PROPERTY", "NOT_HAS_PROPERTY"}
LIST_VALUE = {"IN", "NOT_IN"}


def groups_from_form(post) -> list:
    """g{i}_p{j} / g{i}_o{j} / g{i}_v{j} (and _h for BETWEEN) → filterGroups."""
    groups = []
    for i in range(5):
        filters = []
        for j in range(6):
            name = post.get(f"g{i}_p{j}")
            operator = post.get(f"g{i}_o{j}")
            if not name or not operator:
                continue
            flt = {"propertyName": name, "operator": operator}
            value = post.get(f"g{i}_v{j}", "")
            if operator in LIST_VALUE:
                flt["values"] = [v.strip() for v in value.split(",") if v.strip()]
            elif operator not in NO_VALUE:
                flt["value"] = value
            if operator == "BETWEEN":
                flt["highValue"] = post.get(f"g{i}_h{j}", "")
            filters.append(flt)
        if filters:
            groups.append({"filters": filters})
    return groups


def _rows(groups) -> list:
    shown = []
    for group in groups or [{"filters": []}]:
        filters = group["filters"] or [{"propertyName": "", "operator": "EQ", "value": ""}]
        shown.append(
            [
                {
                    "property": f.get("propertyName", ""),
                    "operator": f.get("operator", "EQ"),
                    "value": ", ".join(f["values"]) if "values" in f else f.get("value", ""),
                    "high": f.get("highValue", ""),
                }
                for f in filters
            ]
        )
    return shown


def _problem(exc, groups) -> str:
    """Why the filters were refused: the search engine's words (English, as the API's), or
    in other languages the likely cause, since the dialog only lets a value be wrong."""
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


def filters_dialog(request, object_type):
    ot = page_type(object_type)
    state = list_state(request, ot)
    groups = state.filter_groups
    error = ""
    if request.method == "POST":
        groups = groups_from_form(request.POST)
        add = request.POST.get("add", "")
        if add == "group" and len(groups) < 5:
            groups.append({"filters": []})
        elif add.startswith("row:") and parse_int(add[4:], 0) is not None:
            index = min(parse_int(add[4:], 0), 4)
            while len(groups) <= index:
                groups.append({"filters": []})
            groups[index]["filters"].append({"propertyName": "", "operator": "EQ", "value": ""})
        else:
            try:
                compile_filter_groups(ot, groups)
            except SearchError as exc:
                error = _problem(exc, groups)
            else:
                target = _return_url(request, ot, state, groups)
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
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
            "groups": _rows(groups),
            "properties": properties,
            "operators": OPERATORS,
            "error": error,
            "query": request.META.get("QUERY_STRING", ""),
        },
        status=422 if error else 200,
    )
