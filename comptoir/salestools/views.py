"""Sales tools pages (/sales-tools/): the call queues and the calling screen (TOOL-8)."""

import re

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.core.associations.services import primary_company_id
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.properties.formatting import format_datetime_short
from comptoir.core.records.values import base_queryset, display_name
from comptoir.core.savedviews.listing import ListState
from comptoir.core.ui import composer
from comptoir.core.ui.record import property_rows
from comptoir.core.ui.views import ui_source
from comptoir.salestools import call_queue
from comptoir.salestools.models import CallQueue, CallQueueEntry
from comptoir.users.services import owner_for

CONTACT_DETAILS = [
    "jobtitle",
    "email",
    "hubspot_owner_id",
    "lifecyclestage",
    "hs_lead_status",
    "notes_last_contacted",
    "city",
]
PHONES = ("phone", "mobilephone")


def _queue(request, queue_id) -> CallQueue:
    """A user's own queue; anyone else's answers 404."""
    return get_object_or_404(CallQueue, pk=queue_id, user=request.user)


def _queue_url(queue, **params) -> str:
    url = reverse("salestools:call_queue", args=[queue.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@require_GET
def index(request):
    tz = portal().report_time_zone
    queues = [
        {
            "queue": q,
            "progress": call_queue.progress(q),
            "created": format_datetime_short(q.created_at, tz),
        }
        for q in CallQueue.objects.filter(user=request.user)[:50]
    ]
    return render(request, "salestools/index.html", {"queues": queues})


@require_POST
def queue_create(request):
    """From the contacts list: the selected rows (`ids`), or everyone in the view (the list's
    query string rides along on the form's action)."""
    name = request.POST.get("name", "").strip()
    try:
        if request.POST.get("scope") == "view":
            state = ListState.from_request(request, get_object_type("contacts"))
            queue = call_queue.create_queue_from_list(request.user, state, name=name)
        else:
            ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
            queue = call_queue.create_queue(request.user, ids, name=name)
    except call_queue.QueueError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("contacts:list") + _list_query(request))
    return redirect(_queue_url(queue))


def _list_query(request) -> str:
    query = request.GET.urlencode()
    return f"?{query}" if query else ""


def _phones(contact) -> list[dict]:
    phones = []
    for name in PHONES:
        number = (contact.properties.get(name) or "").strip()
        dial = re.sub(r"[^\d+]", "", number)
        if dial:
            mobile = name == "mobilephone"
            phones.append({"number": number, "href": f"tel:{dial}", "mobile": mobile})
    return phones


def _company(request, contact):
    company_id = primary_company_id("contacts", contact.pk)
    if company_id is None:
        return None
    company = base_queryset("companies", user=request.user).filter(pk=company_id).first()
    if company is None:
        return None
    return {
        "name": display_name("companies", company),
        "url": reverse("companies:detail", args=[company.pk]),
    }


@require_GET
def queue_page(request, queue_id):
    queue = _queue(request, queue_id)
    after = parse_id(request.GET.get("after", ""))
    if after is not None:
        return _between_calls(request, queue, after)
    entry, contact = call_queue.current(queue, request.user)
    return _calling_screen(request, queue, entry, contact)


def _calling_screen(request, queue, entry, contact, *, raw=None, errors=None, status=200):
    context = {"queue": queue, "progress": call_queue.progress(queue), "entry": entry}
    if contact is not None:
        context["upcoming"] = call_queue.upcoming(queue, request.user, entry)
        owner = owner_for(request.user)
        context.update(
            contact=contact,
            contact_name=display_name("contacts", contact),
            contact_url=reverse("contacts:detail", args=[contact.pk]),
            details=[
                row
                for row in property_rows("contacts", contact, CONTACT_DETAILS)
                if row["display"] not in ("", "—")
            ],
            phones=_phones(contact),
            company=_company(request, contact),
            form=composer.form(
                "call", owner_id=owner.pk if owner else None, raw=raw, errors=errors
            ),
        )
    return render(request, "salestools/call_queue.html", context, status=status)


def _between_calls(request, queue, entry_id):
    """After a call: who was done, who is next; the next one opens by itself when the queue
    advances automatically."""
    done = queue.entries.filter(pk=entry_id).exclude(state=CallQueueEntry.PENDING).first()
    _next, contact = call_queue.current(queue, request.user)
    if done is None or (queue.auto_advance and queue.delay_seconds == 0 and contact):
        return redirect(_queue_url(queue))
    done_contact = base_queryset("contacts", user=request.user).filter(pk=done.contact_id).first()
    context = {
        "queue": queue,
        "progress": call_queue.progress(queue),
        "done": done,
        "done_name": display_name("contacts", done_contact) if done_contact else "",
        "next_name": display_name("contacts", contact) if contact else "",
        "next_url": _queue_url(queue),
    }
    return render(request, "salestools/between_calls.html", context)


@require_POST
def log_call(request, queue_id):
    queue = _queue(request, queue_id)
    entry, contact = call_queue.current(queue, request.user)
    if entry is None or str(entry.pk) != request.POST.get("entry"):
        messages.error(request, _("This contact was already done: here is the next one."))
        return redirect(_queue_url(queue))
    owner = owner_for(request.user)
    _call, errors = call_queue.log_call(
        entry,
        contact,
        request.POST,
        source=ui_source(request),
        owner_id=owner and owner.pk,
        user=request.user,
    )
    if errors:
        return _calling_screen(
            request, queue, entry, contact, raw=request.POST, errors=errors, status=422
        )
    return redirect(_queue_url(queue, after=entry.pk))


@require_POST
def skip(request, queue_id):
    queue = _queue(request, queue_id)
    entry = queue.entries.filter(pk=request.POST.get("entry") or 0).first()
    if entry is not None:
        call_queue.skip(entry)
    return redirect(_queue_url(queue))


@require_POST
def move(request, queue_id):
    """Move a contact of "Up next" up, down, or to right after the current one."""
    queue = _queue(request, queue_id)
    entry_id = parse_id(request.POST.get("entry", ""))
    try:
        moved = entry_id is not None and call_queue.move(queue, entry_id, request.POST.get("to"))
    except call_queue.QueueError as exc:
        messages.error(request, str(exc))
        moved = True
    if not moved:
        messages.error(request, _("This contact was already done in this queue."))
    return redirect(_queue_url(queue))


@require_POST
def change_settings(request, queue_id):
    queue = _queue(request, queue_id)
    try:
        call_queue.change_settings(
            queue,
            auto_advance=request.POST.get("auto_advance") == "on",
            delay=request.POST.get("delay_seconds", ""),
        )
        messages.success(request, _("Queue settings saved."))
    except call_queue.QueueError as exc:
        messages.error(request, str(exc))
    return redirect(_queue_url(queue))


@require_POST
def delete(request, queue_id):
    queue = _queue(request, queue_id)
    name = queue.name
    queue.delete()
    messages.success(
        request, _("Call queue “%(name)s” deleted. The calls logged stay.") % {"name": name}
    )
    return redirect("salestools:index")
