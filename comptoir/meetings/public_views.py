"""The public booking pages (TOOL-7), reached without signing in: /meet/<slug>/ (free
days and times in the visitor's time zone, then the form), the confirmation page of a
booking with its cancel and reschedule pages (reached by the booking's token), and the
widget's script, /meet/<slug>/embed.js, which inserts the page in a resizing iframe.

The visitor's time zone comes from the page's `tz` (set by the script from the browser's,
changeable in a list); without it, the host's. A time the visitor sends is booked only if it
is still one of the link's free times (booking.book checks again under a lock): a forged
or stale time, or one taken meanwhile, answers "choose another", never a 500."""

import datetime as dt
import json
import zoneinfo

from babel.dates import format_date, format_time
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from comptoir.core.inputs import parse_day
from comptoir.meetings import availability, calendars, invitations, tasks
from comptoir.meetings.booking import BookingError, book_link, cancel, reschedule
from comptoir.meetings.forms import time_zones
from comptoir.meetings.models import Booking, MeetingLink

DAYS_SHOWN = 7
SLOT_FORMAT = "%Y%m%dT%H%MZ"
# The booking pages may be framed by any website (the widget); nothing else may.
EMBEDDABLE = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": ["http:", "https:"],
    "form-action": [CSP.SELF],
}


def public(view):
    """A page anyone may open, inside an iframe on another site too.

    Without CSRF check: in the widget's iframe on the company's site, the browser does not
    send Comptoir's CSRF cookie (SameSite), and a forged form could do nothing a visitor
    cannot: book as anyone (anonymous, checked like any booking), or cancel and reschedule
    with the booking's secret token, which the forger does not have."""
    return csrf_exempt(login_not_required(xframe_options_exempt(csp_override(EMBEDDABLE)(view))))


def _link(slug: str) -> MeetingLink:
    link = (
        MeetingLink.objects.filter(slug=slug, active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if link is None:
        raise Http404
    return link


def _booking(token: str) -> Booking:
    booking = (
        Booking.objects.filter(token=token[:64], main=None).select_related("link", "host").first()
        if token
        else None
    )
    if booking is None:
        raise Http404
    return booking


def _zone(raw, link: MeetingLink) -> str:
    raw = str(raw or "")[:64]
    return raw if raw in time_zones() else link.time_zone


def parse_slot(raw) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(raw or "")[:20], SLOT_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _language() -> str:
    return translation.get_language() or "en"


def _offer(link: MeetingLink, zone_name: str, first: dt.date | None, now: dt.datetime):
    """The free times to show: {visitor's day: [UTC starts]} for DAYS_SHOWN days from
    `first`, plus the calendar's busy times and its failure (if any)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    last = (now + dt.timedelta(days=link.horizon_days)).astimezone(zone).date()
    first = min(max(first or today, today), last)
    # Host days around the visitor's week (the zones may differ by up to a day each way).
    host_first = first - dt.timedelta(days=1)
    span_start = dt.datetime.combine(host_first, dt.time(0), tzinfo=dt.UTC)
    span_end = span_start + dt.timedelta(days=DAYS_SHOWN + 3)
    busy, problems = {}, []
    for host in link.hosts():
        busy[host.pk], problem = calendars.busy_times(
            host, span_start, span_end, zoneinfo.ZoneInfo(link.time_zone)
        )
        problems.append(problem)
    found = availability.link_slots(link, host_first, DAYS_SHOWN + 2, now=now, busy=busy)
    days: dict[dt.date, list[dt.datetime]] = {}
    for starts in found.values():
        for start in starts:
            local = start.astimezone(zone).date()
            if first <= local < first + dt.timedelta(days=DAYS_SHOWN):
                days.setdefault(local, []).append(start)
    return first, today, last, dict(sorted(days.items())), busy, any(problems)


def _context(request, link, zone_name, *, now, chosen=None, reschedule_of=None):
    first, today, last, days, busy, _problem = _offer(
        link, zone_name, parse_day(request.GET.get("from") or request.POST.get("from")), now
    )
    language = _language()
    zone = zoneinfo.ZoneInfo(zone_name)
    wanted = parse_day(request.GET.get("day") or request.POST.get("day"))
    if chosen is not None:
        wanted = chosen.astimezone(zone).date()
    selected = wanted if wanted in days else next(iter(days), None)
    shown_days = [
        {
            "value": day.isoformat(),
            "label": format_date(day, "full", locale=language),
            "short": format_date(day, "EEE d MMM", locale=language),
            "count": len(starts),
            "selected": day == selected,
            "slots": [
                {
                    "value": start.strftime(SLOT_FORMAT),
                    "label": format_time(start, "short", tzinfo=zone, locale=language),
                    "chosen": start == chosen,
                }
                for start in starts
            ],
        }
        for day, starts in days.items()
    ]
    previous = first - dt.timedelta(days=DAYS_SHOWN)
    following = first + dt.timedelta(days=DAYS_SHOWN)
    return {
        "link": link,
        "host_name": _host_names(link),
        "zone": zone_name,
        "time_zones": time_zones(),
        "days": shown_days,
        "selected": next((d for d in shown_days if d["selected"]), None),
        "first": first,
        "previous": max(previous, today).isoformat() if first > today else "",
        "following": following.isoformat() if following <= last else "",
        "week_label": format_date(first, "long", locale=language),
        "embed": request.GET.get("embed") == "1" or request.POST.get("embed") == "1",
        "reschedule_of": reschedule_of,
        "busy": busy,
    }


def _names(hosts) -> str:
    return ", ".join(host.get_full_name() or host.email for host in hosts)


def _host_names(link: MeetingLink) -> str:
    return _names(link.hosts())


def _chosen_context(context, link, chosen: dt.datetime | None, zone_name: str):
    """Adds the chosen time when it is one of the times offered on the page; else the
    error saying it is no longer offered."""
    if chosen is None:
        return context
    offered = {s["value"] for d in context["days"] for s in d["slots"]}
    value = chosen.strftime(SLOT_FORMAT)
    if value in offered:
        context["chosen"] = {
            "value": value,
            "label": _when(chosen, zone_name, link),
        }
    else:
        context["slot_error"] = _("This time is no longer offered: choose another one.")
    return context


def _when(start: dt.datetime, zone_name: str, link: MeetingLink) -> str:
    language = _language()
    zone = zoneinfo.ZoneInfo(zone_name)
    return _("%(day)s at %(time)s (%(zone)s), %(minutes)d minutes") % {
        "day": format_date(start.astimezone(zone).date(), "full", locale=language),
        "time": format_time(start, "short", tzinfo=zone, locale=language),
        "zone": zone_name,
        "minutes": link.duration_minutes,
    }


def _query(context, **extra) -> str:
    params = {"tz": context["zone"], **({"embed": "1"} if context["embed"] else {}), **extra}
    return "?" + "&".join(f"{k}={v}" for k, v in params.items() if v)


def _render(request, context, status=200):
    values, errors = context.get("values", {}), context.get("errors", {})
    context["questions"] = [
        {
            "name": f"q{index}",
            "label": str(question.get("label", "")),
            "required": bool(question.get("required")),
            "value": values.get(f"q{index}", ""),
            "error": errors.get(f"q{index}", ""),
        }
        for index, question in enumerate(context["link"].questions or [])
    ]
    return render(request, "meetings/book.html", context, status=status)


@public
@require_http_methods(["GET", "POST"])
def booking_page(request, slug: str):
    link = _link(slug)
    now = timezone.now()
    source = request.POST if request.method == "POST" else request.GET
    zone_name = _zone(source.get("tz"), link)
    chosen = parse_slot(source.get("slot"))
    if request.method == "GET":
        context = _context(request, link, zone_name, now=now, chosen=chosen)
        context = _chosen_context(context, link, chosen, zone_name)
        if source.get("slot") and chosen is None:
            context["slot_error"] = _("This time is no longer offered: choose another one.")
        return _render(request, context)
    return _book(request, link, zone_name, chosen, now)


def _book(request, link, zone_name, chosen, now, *, old: Booking | None = None):
    data = {**request.POST.dict(), "time_zone": zone_name}
    context = _context(request, link, zone_name, now=now, chosen=chosen, reschedule_of=old)
    values = {
        "name": str(request.POST.get("name", ""))[:200],
        "email": str(request.POST.get("email", ""))[:254],
        **{f"q{i}": str(request.POST.get(f"q{i}", ""))[:2000] for i in range(len(link.questions))},
    }
    context["values"] = values
    if chosen is None:
        context["slot_error"] = _("Choose a time from the list.")
        return _render(request, context, status=400)
    try:
        if old is None:
            booking = book_link(link, chosen, data, now=now, busy=context["busy"])
        else:
            booking = reschedule(old, chosen, now=now, busy=context["busy"])
    except BookingError as error:
        if error.field == "start":
            # Just taken, or a time that was never offered: the list again, fresh.
            context = _context(request, link, zone_name, now=now, reschedule_of=old)
            context["values"] = values
            context["slot_error"] = error.message
            return _render(request, context, status=409)
        context = _chosen_context(context, link, chosen, zone_name)
        context["errors"] = {error.field: error.message}
        return _render(request, context, status=400)
    if old is not None:
        tasks.send_invitations.enqueue(old.pk, invitations.CANCEL, _language())
    tasks.send_invitations.enqueue(booking.pk, invitations.REQUEST, _language())
    target = reverse("meet:manage", args=[booking.token]) + _query(context, done="1")
    return redirect(target)


def _manage_context(request, booking: Booking) -> dict:
    zone_name = _zone(request.GET.get("tz") or booking.time_zone, booking.link)
    return {
        "booking": booking,
        "link": booking.link,
        "host_name": _names(booking.hosts()),
        "when": _when(booking.start, zone_name, booking.link),
        "zone": zone_name,
        "embed": request.GET.get("embed") == "1" or request.POST.get("embed") == "1",
        "done": request.GET.get("done") == "1",
        "past": booking.start <= timezone.now(),
    }


@public
def manage(request, token: str):
    booking = _booking(token)
    return render(request, "meetings/manage.html", _manage_context(request, booking))


@public
@require_http_methods(["GET", "POST"])
def cancel_page(request, token: str):
    booking = _booking(token)
    context = _manage_context(request, booking)
    if request.method == "POST" and booking.status == Booking.CONFIRMED and not context["past"]:
        if cancel(booking):
            tasks.send_invitations.enqueue(booking.pk, invitations.CANCEL, _language())
        return redirect(reverse("meet:manage", args=[booking.token]) + _query(context))
    return render(request, "meetings/cancel.html", context)


@public
@require_http_methods(["GET", "POST"])
def reschedule_page(request, token: str):
    booking = _booking(token)
    if booking.status != Booking.CONFIRMED or booking.start <= timezone.now():
        return redirect("meet:manage", booking.token)
    link = booking.link
    source = request.POST if request.method == "POST" else request.GET
    zone_name = _zone(source.get("tz") or booking.time_zone, link)
    chosen = parse_slot(source.get("slot"))
    now = timezone.now()
    if request.method == "POST":
        return _book(request, link, zone_name, chosen, now, old=booking)
    context = _context(request, link, zone_name, now=now, chosen=chosen, reschedule_of=booking)
    context = _chosen_context(context, link, chosen, zone_name)
    return _render(request, context)


@login_not_required
def embed_script(request, slug: str):
    link = _link(slug)
    page = invitations.absolute(reverse("meet:page", args=[link.slug])) + "?embed=1"
    # JSON strings are JavaScript strings (this is a script file, not HTML).
    script = render_to_string(
        "meetings/embed.js", {"page": json.dumps(page), "title": json.dumps(link.title)}
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
