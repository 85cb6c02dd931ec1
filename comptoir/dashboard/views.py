"""The sales dashboard (DASH-1..5) and the lists its figures open that no other page has."""

import json
from collections import defaultdict

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.core.associations.models import Association
from comptoir.core.i18n import babel_locale, is_french, localised_label, type_label
from comptoir.core.inputs import whole_number
from comptoir.core.objects.registry import crm_names, get_object_type
from comptoir.core.pipelines.queries import pipeline_labels
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_value, owner_names, shown
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.search.compiler import SearchError, compile_filter_groups
from comptoir.core.ui.filters import OPERATORS
from comptoir.core.ui.pager import pager, query_page_url
from comptoir.dashboard import charts, figures
from comptoir.dashboard.filters import DashboardFilters, who_choices
from comptoir.dashboard.periods import PERIODS

PER_PAGE = 50
MAX_PAGE = 200


def dashboard(request):
    filters = DashboardFilters.from_request(request)
    user = request.user
    settings = portal()
    forecast = figures.forecast(filters, user)
    productivity = figures.productivity(filters, user)
    names = owner_names()
    weekly = charts.with_svg(charts.weekly_bars(productivity.weekly, filters.period, names))
    context = {
        "filters": filters,
        "periods": list(PERIODS.items()),
        "who": who_choices(),
        "pipelines": sorted(
            pipeline_labels(french=is_french()).items(), key=lambda p: p[0] != "default"
        ),
        "forecast": forecast,
        "stage_bars": charts.stage_bars(forecast),
        "productivity": productivity,
        "kinds": list(figures.ACTIVITY_KINDS.items()),
        "pipeline_figures": figures.pipeline_figures(filters, user, forecast),
        "weekly": weekly,
        "currency": settings.currency,
        "period_text": _period_text(filters),
    }
    return render(request, "dashboard/page.html", context)


def _period_text(filters) -> str:
    from babel import dates as babel_dates

    period = filters.period
    locale = babel_locale()
    first = babel_dates.format_date(period.first_day, "medium", locale=locale)
    if period.first_day == period.last_day:
        return first
    last = babel_dates.format_date(period.last_day, "medium", locale=locale)
    return _("%(first)s – %(last)s") % {"first": first, "last": last}  # noqa: RUF001


# -- the lists behind the figures ----------------------------------------------------------------


def _page_number(request) -> int:
    return min(max(1, whole_number(request.GET.get("page", 1)) or 1), MAX_PAGE)


def _page(qs, number: int, ordering):
    offset = (number - 1) * PER_PAGE
    rows = list(qs.order_by(*ordering)[offset : offset + PER_PAGE + 1])
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def _links(from_type: str, ids, user) -> dict[int, list[dict]]:
    """{activity id: [{name, url, kind}]}: the records each activity is associated with that
    the user may see; one query for the links and one per associated type."""
    pairs = list(
        Association.objects.filter(
            from_type=from_type, from_id__in=list(ids), to_type__in=crm_names()
        )
        .values_list("from_id", "to_type", "to_id")
        .distinct()
    )
    by_type = defaultdict(set)
    for _from, to_type, to_id in pairs:
        by_type[to_type].add(to_id)
    names = {}
    for to_type, to_ids in by_type.items():
        ot = get_object_type(to_type)
        for record in base_queryset(ot, user=user).filter(pk__in=to_ids):
            names[(to_type, record.pk)] = display_name(ot, record)
    result = defaultdict(list)
    order = {t: i for i, t in enumerate(crm_names())}
    for from_id, to_type, to_id in sorted(pairs, key=lambda p: (order[p[1]], p[2])):
        if (to_type, to_id) in names:
            result[from_id].append(
                {
                    "name": names[(to_type, to_id)],
                    "url": reverse(f"{to_type}:detail", args=[to_id]),
                    "kind": type_label(to_type, plural=False),
                }
            )
    return result


def activity_list(request, kind):
    """Calls, emails, meetings or tasks matching the search API's filterGroups of `filters`
    (as the deals and contacts lists take them): the records a productivity figure counts."""
    if kind not in figures.ACTIVITY_KINDS:
        raise Http404
    ot = get_object_type(kind)
    error = ""
    groups = []
    try:
        groups = json.loads(request.GET.get("filters") or "[]")
        condition = compile_filter_groups(ot, groups)
    except (ValueError, SearchError) as exc:
        error = _("The filters could not be applied: %(error)s") % {"error": exc}
        condition = None
    settings = portal()
    defs = registry.definitions(ot)
    rows, has_next = [], False
    number = _page_number(request)
    if condition is not None:
        qs = base_queryset(ot, user=request.user).filter(condition)
        date_prop = get_object_type(kind).date_property
        ordering = ["-hs_timestamp", "-pk"] if date_prop == "hs_timestamp" else ["-pk"]
        records, has_next = _page(qs, number, ordering)
        links = _links(kind, [r.pk for r in records], request.user)
        owners = owner_names()
        for record in records:
            title = read_value(record, defs[get_object_type(kind).title_property])
            when = read_value(record, defs[date_prop])
            rows.append(
                {
                    "pk": record.pk,
                    "title": title or _("(no title)"),
                    "url": reverse("tasks:detail", args=[record.pk]) if kind == "tasks" else "",
                    "date": format_value(defs[date_prop], when, tz=settings.report_time_zone),
                    "owner": owners.get(str(record.hubspot_owner_id), "")
                    if record.hubspot_owner_id
                    else "",
                    "links": links.get(record.pk, []),
                }
            )
    conditions = _describe(ot, groups) if not error else []
    return render(
        request,
        "dashboard/activities.html",
        {
            "kind": kind,
            "title": figures.ACTIVITY_KINDS[kind],
            "date_label": localised_label(defs[get_object_type(kind).date_property]),
            "rows": rows,
            "error": error,
            "conditions": conditions,
            "pager": pager(number, has_next, query_page_url(request)),
        },
    )


def _describe(ot, groups) -> list[str]:
    """The filters in words ("Activity date is at least …"), so the list says what it is."""
    settings = portal()
    words = dict(OPERATORS)
    defs = registry.definitions(ot)
    lines = []
    for group in groups:
        for flt in group.get("filters", []):
            defn = defs.get(flt.get("propertyName"))
            if defn is None:
                continue
            label = localised_label(defn)
            values = flt.get("values") or ([flt["value"]] if "value" in flt else [])
            seen = shown(tz=settings.report_time_zone)
            texts = [defn.kind.filter_text(defn, value, seen) for value in values]
            lines.append(f"{label} {words.get(flt.get('operator'), '')} {', '.join(texts)}".strip())
    return lines


def contacts_called(request):
    """Contacts associated with a call made in the dashboard's period (DASH-4)."""
    filters = DashboardFilters.from_request(request)
    qs = figures.called_contacts(filters, request.user)
    number = _page_number(request)
    records, has_next = _page(qs, number, ["-pk"])
    owners = owner_names()
    rows = [
        {
            "name": display_name("contacts", c),
            "url": reverse("contacts:detail", args=[c.pk]),
            "email": c.email or "",
            "owner": owners.get(str(c.hubspot_owner_id), "") if c.hubspot_owner_id else "",
        }
        for c in records
    ]
    return render(
        request,
        "dashboard/contacts_called.html",
        {
            "filters": filters,
            "rows": rows,
            "period_text": _period_text(filters),
            "back_url": reverse("dashboard:home") + "?" + filters.query(),
            "pager": pager(number, has_next, query_page_url(request)),
        },
    )
