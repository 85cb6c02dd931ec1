"""Sending from a record page, contact suggestions for the address fields, and the user's
own list of scheduled emails (edit, cancel). Everything acts as the signed-in user: the
From is their account's, and another user's email answers 404 as a missing one would."""

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.core.associations.types import default_type
from comptoir.core.permissions import can_edit
from comptoir.core.portal.services import portal
from comptoir.core.properties.formatting import format_datetime_short
from comptoir.core.records.values import base_queryset
from comptoir.core.search.compiler import filtered_queryset
from comptoir.core.search.text import query_tokens
from comptoir.core.ui.record import page_type
from comptoir.core.ui.record_access import (
    detail_url,
    read_only_response,
    status_html,
    visible_record,
)
from comptoir.mail import panel, sending
from comptoir.mail.models import OutboundStatus
from comptoir.mail.sending import ComposeError
from comptoir.users.throttle import client_address

SUGGESTIONS = 8


@require_POST
def send(request, object_type, pk):
    """ "Send" (now) or "Send later" (`later` in the form) from a record's composer."""
    ot = page_type(object_type)
    if ot.is_activity or default_type("emails", ot.name) is None:
        raise Http404
    record, stale = visible_record(request, ot, pk)
    if stale:
        return stale
    if not can_edit(request.user, ot, record):
        return read_only_response(request, ot, pk)
    later = "later" in request.POST
    try:
        draft = panel.draft_from(
            request.POST, record=(ot.name, record.pk), later=later, files=request.FILES
        )
        draft.sender_ip = client_address(request)
        draft.session_key = request.session.session_key or ""
        outbound = sending.compose(request.user, draft)
    except ComposeError as exc:
        if not request.htmx:
            messages.error(request, _("The email was not sent: fix the fields below."))
            return redirect(detail_url(ot, pk) + "?compose=email#composer")
        data = panel.panel(request.user, ot, record, raw=request.POST, errors=exc.errors)
        html = render_to_string(panel.TEMPLATE, {"send": data}, request)
        return HttpResponse(html, status=422)
    if outbound.status == OutboundStatus.SCHEDULED and later:
        done = _("Email scheduled for %(when)s.") % {
            "when": format_datetime_short(outbound.send_at, _zone(request))
        }
    else:
        done = _("Email sending.")
    if not request.htmx:
        messages.success(request, done)
        return redirect(detail_url(ot, pk) + "?compose=email")
    data = panel.panel(request.user, ot, record)
    html = render_to_string(panel.TEMPLATE, {"send": data, "focus": True}, request)
    response = HttpResponse(html + status_html(done))
    response["HX-Trigger"] = "timeline-changed"
    return response


def _zone(request) -> str:
    zone = request.POST.get("time_zone") or request.GET.get("time_zone") or ""
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return portal().report_time_zone
    return zone


@require_GET
def recipients(request):
    """<option>s of the contacts (that the user may see) found by what is typed after the
    last comma of an address field (full text, as the top bar); each keeps what came before."""
    text = ""
    for name in ("to", "cc", "bcc", "q"):
        if name in request.GET:
            text = request.GET[name][:500]
            break
    before, _sep, term = text.rpartition(",")
    term = term.strip()
    if len(term) < 2:
        return HttpResponse("")
    prefix = f"{before.strip()}, " if before.strip() else ""
    if not query_tokens(term):
        return HttpResponse("")
    visible = base_queryset("contacts", user=request.user)
    # The full-text index (every word a prefix of a searchable property): the top bar's.
    found = (
        filtered_queryset("contacts", query=term[:100], base=visible)
        .exclude(email__isnull=True)
        .exclude(email="")
        .order_by("-pk")
        .values_list("firstname", "lastname", "email")[:SUGGESTIONS]
    )
    options = []
    for first, last, address in found:
        name = " ".join(part for part in (first, last) if part)
        label = f"{name} <{address}>" if name else address
        options.append(f'<option value="{escape(prefix + label)}"></option>')
    return HttpResponse("".join(options))


def _rows(request, emails):
    zone = portal().report_time_zone
    return [
        {
            "email": e,
            "when": format_datetime_short(e.send_at, zone),
            "recipients": ", ".join([*e.to, *e.cc]),
            "status": e.get_status_display(),
            "editable": e.status == OutboundStatus.SCHEDULED,
        }
        for e in emails
    ]


@require_GET
def scheduled(request):
    """The user's own emails waiting to go (or that could not): Sales tools."""
    emails = list(sending.scheduled_for(request.user)[:200])
    return render(
        request,
        "mail/scheduled.html",
        {"rows": _rows(request, emails), "zone": portal().report_time_zone},
    )


@require_POST
def cancel(request, pk):
    if sending.own(request.user, pk) is None:
        raise Http404
    if sending.cancel(request.user, pk):
        messages.success(request, _("The email was cancelled: it will not be sent."))
    else:
        messages.error(request, _("This email is no longer scheduled: it cannot be cancelled."))
    return redirect("mail:scheduled")


def _local_input(moment, zone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Change a scheduled email's recipients, subject, body and time (before it goes)."""
    outbound = sending.own(request.user, pk)
    if outbound is None:
        raise Http404
    zone = portal().report_time_zone
    errors = {}
    values = {
        "to": ", ".join(outbound.to),
        "cc": ", ".join(outbound.cc),
        "bcc": ", ".join(outbound.bcc),
        "subject": outbound.subject,
        "body": outbound.html,
        "send_at": _local_input(outbound.send_at, zone),
    }
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            draft = panel.draft_from(request.POST, later=True)
            sending.reschedule(request.user, pk, draft)
        except ComposeError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The scheduled email was changed."))
            return redirect("mail:scheduled")
    status = 422 if errors else 200
    return render(
        request,
        "mail/scheduled_edit.html",
        {
            "outbound": outbound,
            "values": values,
            "errors": errors,
            "general_error": errors.get("__all__", ""),
            "editable": outbound.status == OutboundStatus.SCHEDULED,
            "zone": zone,
            "cancel_url": reverse("mail:cancel", args=[pk]),
            "now": _local_input(timezone.now() + dt.timedelta(minutes=5), zone),
        },
        status=status,
    )
