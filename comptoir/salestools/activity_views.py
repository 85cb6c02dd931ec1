"""Sales tools > Notifications: the email activity feed (comptoir/salestools/activity.py).
The list refreshes itself every POLL_SECONDS (HTMX); static/js/activity.js shows a browser
notification for new entries when the user allowed them."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from comptoir.core.inputs import parse_id
from comptoir.mail.preferences import tracks
from comptoir.salestools import activity

POLL_SECONDS = 15


@require_GET
def feed(request):
    kind = request.GET.get("kind", "")
    if kind not in activity.KINDS:
        kind = ""
    contact_id = parse_id(request.GET.get("contact", ""))
    entries = activity.feed(request.user, kind=kind, contact_id=contact_id)
    context = {
        "entries": entries,
        "kind": kind,
        "contact_id": contact_id,
        "filtered": bool(kind or contact_id),
        "newest": activity.newest_email(entries),
        "poll": POLL_SECONDS,
    }
    if not entries:  # the empty state says why
        opens, clicks = tracks(request.user)
        context["tracking_off"] = not (opens or clicks)
    if request.GET.get("part") == "feed":
        return render(request, "salestools/_activity_feed.html", context)
    context["contacts"] = activity.contact_choices(request.user)
    return render(request, "salestools/activity.html", context)
