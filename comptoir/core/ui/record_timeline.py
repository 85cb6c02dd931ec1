"""The record page's timeline (ACT-1) and composer: the timeline's pages and filters, and
logging a note, email, call, task or meeting from the composer."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.core.permissions import can_edit
from comptoir.core.records.values import display_name
from comptoir.core.ui import composer
from comptoir.core.ui import timeline as tl
from comptoir.core.ui.record import page_type
from comptoir.core.ui.record_access import (
    detail_url,
    exists,
    read_only_response,
    stale_response,
    status_html,
    user_owner_id,
    visible_record,
)
from comptoir.core.ui.views import ui_source


def timeline_context(ot, pk, filters, cursor=None, last_month: str = "", *, focus=False, user=None):
    items, next_cursor = tl.page(ot, pk, filters, cursor, user=user)
    entries = tl.entries(ot, items, last_month, user)
    chosen = tl.chosen_filters(filters)
    return {
        "entries": entries,
        "next": next_cursor.encode() if next_cursor else "",
        "last_month": entries[-1]["month_key"] if entries else last_month,
        "filters": [
            {"value": f, "label": tl.filter_label(f), "checked": f in chosen}
            for f in tl.filter_values()
        ],
        "types_query": urlencode([("type", f) for f in chosen]),
        "filtered": bool(chosen),
        "focus_first": focus,
    }


@require_GET
def record_timeline(request, object_type, pk):
    ot = page_type(object_type)
    if ot.name == "tasks":
        raise Http404
    if not exists(request, ot, pk):
        return stale_response(request, ot, pk)
    filters = request.GET.getlist("type")
    cursor = tl.Cursor.decode(request.GET.get("cursor"))
    context = {
        "ot": ot,
        "pk": pk,
        "timeline": timeline_context(
            ot,
            pk,
            filters,
            cursor,
            request.GET.get("last", "")[:10],
            focus=cursor is not None,
            user=request.user,
        ),
    }
    template = "records/_timeline_items.html" if cursor else "records/_timeline.html"
    response = render(request, template, context)
    if request.htmx and request.htmx.trigger == "timeline-filter":
        query = context["timeline"]["types_query"]
        response["HX-Replace-Url"] = detail_url(ot, pk) + (f"?{query}" if query else "")
    return response


@require_POST
def composer_log(request, object_type, pk, kind):
    ot = page_type(object_type)
    if ot.name == "tasks" or kind not in composer.KIND:
        raise Http404
    record, stale = visible_record(request, ot, pk)
    if stale:
        return stale
    if not can_edit(request.user, ot, record):
        return read_only_response(request, ot, pk)
    owner_id = user_owner_id(request.user)
    _activity, errors = composer.log(
        kind,
        ot,
        record,
        display_name(ot, record),
        request.POST,
        ui_source(request),
        owner_id,
        user=request.user,
    )
    context = {"ot": ot, "pk": pk}
    if errors:
        if not request.htmx:
            messages.error(request, _("Nothing was saved: fix the fields below."))
            return redirect(detail_url(ot, pk) + f"?compose={kind}#composer")
        form = composer.form(kind, raw=request.POST, errors=errors)
        return render(request, "records/_composer_form.html", {**context, "form": form}, status=422)
    if not request.htmx:
        messages.success(request, composer.done_message(kind))
        return redirect(detail_url(ot, pk) + f"?compose={kind}")
    form = composer.form(kind, owner_id=owner_id)
    html = render_to_string(
        "records/_composer_form.html", {**context, "form": form, "focus": True}, request
    )
    response = HttpResponse(html + status_html(composer.done_message(kind)))
    response["HX-Trigger"] = "timeline-changed" + (", tasks-changed" if kind == "task" else "")
    return response
