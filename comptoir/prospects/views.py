"""Sales tools > Prospects (TOOL-6): the companies visiting the website, filters, assign an
owner, create the company, the daily digest subscription; the empty state shows how to
install the snippet. A company's page lists every page view kept, grouped in visits."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.core.inputs import parse_id
from comptoir.core.permissions import has_right
from comptoir.core.portal.services import portal
from comptoir.core.properties.errors import DuplicateValue, ValidationFailed
from comptoir.core.properties.formatting import format_datetime_short
from comptoir.core.ui.pager import paginator_pager
from comptoir.core.ui.phrases import errors_text
from comptoir.prospects import conf, services
from comptoir.prospects.models import PageView
from comptoir.users.models import Owner
from comptoir.users.profile import time_zones


def _owners():
    return list(
        Owner.objects.filter(archived=False, user__is_active=True)
        .order_by("first_name", "last_name", "pk")
        .values_list("pk", "first_name", "last_name", "email")
    )


def _owner_names(owners) -> dict:
    return {pk: (f"{first} {last}".strip() or email) for pk, first, last, email in owners}


def snippet_tag(request) -> str:
    script = request.build_absolute_uri(reverse("prospects_public:snippet"))
    return (
        "<script>window.comptoir=window.comptoir||function(){(comptoir.q=comptoir.q||[])"
        ".push(arguments)};</script>\n"
        f'<script async src="{script}"></script>\n'
        "<!-- " + _("once the visitor accepts cookies:") + " comptoir('consent', true); -->"
    )


@require_GET
def index(request):
    period = request.GET.get("period", services.DEFAULT_PERIOD)
    if period not in services.PERIODS:
        period = services.DEFAULT_PERIOD
    kind = request.GET.get("kind", "")
    if kind not in ("new", "returning"):
        kind = ""
    owner_param = request.GET.get("owner", "")
    owner_id = None
    if owner_param == "none":
        owner_id = 0
    elif owner_param == "me":
        mine = Owner.objects.filter(user=request.user).values_list("pk", flat=True).first()
        owner_id = mine or -1
    elif owner_param:
        owner_id = parse_id(owner_param)
        if owner_id is None:
            owner_param = ""
    rows = services.visiting(
        request.user, days=services.PERIODS[period], kind=kind, owner_id=owner_id
    )
    owners = _owners()
    names = _owner_names(owners)
    for row in rows:
        row.owner_name = names.get(row.owner_id, "")
    settings_row = conf.conf()
    sub = services.subscription(request.user)
    context = {
        "rows": rows,
        "period": period,
        "kind": kind,
        "owner": owner_param,
        "owners": [(pk, names[pk]) for pk, *_rest in owners],
        "filtered": bool(kind or owner_param),
        "configured": bool(settings_row.domains),
        "domains": settings_row.domains,
        "has_views": bool(rows) or PageView.objects.exists(),
        "snippet_tag": snippet_tag(request),
        "can_configure": has_right(request.user, "can_manage_settings"),
        "subscription": sub,
        "zones": time_zones(),
        "zone": sub.time_zone if sub else portal().report_time_zone,
        "periods": [
            ("1", _("Today")),
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
        ],
    }
    return render(request, "prospects/index.html", context)


def _zone(user) -> str:
    """The user's time zone here: their digest's, else their profile's, else the portal's
    report time zone."""
    sub = services.subscription(user)
    return sub.time_zone if sub else (user.time_zone or portal().report_time_zone)


@require_GET
def detail(request, prospect_id):
    """One visiting company: its totals and every page view kept, newest first, in visits."""
    prospect = _prospect(prospect_id)
    name, company_id = services.shown_name(request.user, prospect)
    page, visits = services.page_views(request.user, prospect, request.GET.get("page"))
    zone = _zone(request.user)
    for visit in visits:
        visit.start_text = format_datetime_short(visit.start, zone)
        visit.end_text = format_datetime_short(visit.end, zone)
        for view in visit.views:
            view.when = format_datetime_short(view.occurred_at, zone)
    return render(
        request,
        "prospects/detail.html",
        {
            "prospect": prospect,
            "name": name,
            "company_id": company_id,
            "visits": visits,
            "page": page,
            "pager": paginator_pager(request, page),
            "zone": zone,
            "first_seen": format_datetime_short(prospect.first_seen_at, zone),
            "last_seen": format_datetime_short(prospect.last_seen_at, zone),
            "retention_days": conf.conf().retention_days,
        },
    )


def _back(request):
    target = request.POST.get("next", "")
    if not target.startswith(reverse("prospects:index")):
        target = reverse("prospects:index")
    return redirect(target)


def _prospect(pk):
    prospect = services.get_prospect(pk)
    if prospect is None:
        raise Http404
    return prospect


@require_POST
def assign(request, prospect_id):
    prospect = _prospect(prospect_id)
    raw = request.POST.get("owner", "")
    owner_id = None
    if raw:
        owner_id = parse_id(raw)
        if owner_id is None or not Owner.objects.filter(pk=owner_id, archived=False).exists():
            messages.error(request, _("Owner: choose one of the list."))
            return _back(request)
    try:
        services.assign(request.user, prospect, owner_id)
    except services.ProspectError:
        raise Http404 from None
    except (ValidationFailed, DuplicateValue) as exc:
        messages.error(request, errors_text(exc))
        return _back(request)
    messages.success(request, _("Owner saved."))
    return _back(request)


@require_POST
def create_company(request, prospect_id):
    prospect = _prospect(prospect_id)
    name = (request.POST.get("name") or "").strip()[:200]
    try:
        company_id = services.create_company(request.user, prospect, name)
    except (ValidationFailed, DuplicateValue) as exc:
        messages.error(request, errors_text(exc))
        return _back(request)
    messages.success(request, _("Company created."))
    return redirect(reverse("companies:detail", args=[company_id]))


@require_POST
def subscribe(request):
    if request.POST.get("subscribe") == "off":
        services.unsubscribe(request.user)
        messages.success(request, _("You will not get the daily digest any more."))
        return _back(request)
    zone = request.POST.get("time_zone", "")
    if zone not in time_zones():
        messages.error(request, _("Time zone: choose one of the list."))
        return _back(request)
    services.subscribe(request.user, zone)
    messages.success(request, _("You will get the digest of yesterday's visits every day at 8:00."))
    return _back(request)
