"""Settings > Audit log (issue 19, point 6): sign-ins, failed sign-ins, user, role, team
and token changes, exports, settings changes and deletions, newest first, filtered by
action or person, 50 a page (older ones by the id they come before)."""

import json

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.core.audit.log import AuditAction
from comptoir.core.audit.models import AuditEvent
from comptoir.core.inputs import parse_id
from comptoir.settings_pages.views import page, settings_admin

KEY = "audit"
PAGE = 50

# The words of the details services write (comptoir/core/audit/log.py's record(**details));
# a key not named here shows as written, and a portal setting by its own name.
DETAIL_LABELS = {
    "archived": _("archived"),
    "change": _("change"),
    "changed": _("changed"),
    "count": _("count"),
    "filters": _("filters"),
    "format": _("format"),
    "ids": _("ids"),
    "label": _("label"),
    "left": _("left"),
    "members": _("members"),
    "object_type": _("object type"),
    "records_to": _("records handed to"),
    "role": _("role"),
    "scopes": _("scopes"),
    "step": _("step"),
}


def summary(details: dict) -> str:
    return ", ".join(
        f"{DETAIL_LABELS.get(k, k)}: "
        f"{v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
        for k, v in sorted(details.items())
    )


@settings_admin
def audit_log(request):
    events = AuditEvent.objects.order_by("-id")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        events = events.filter(action=action)
    else:
        action = ""
    who = request.GET.get("who", "").strip()[:254]
    if who:
        events = events.filter(Q(actor_email__icontains=who) | Q(target__icontains=who))
    before = parse_id(request.GET.get("before", ""))
    if before:
        events = events.filter(id__lt=before)
    rows = list(events[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    labels = dict(AuditAction.choices)
    for row in rows:
        row.label = labels.get(row.action, row.action)
        row.summary = summary(row.details)
    return page(
        request,
        KEY,
        "settings/audit.html",
        {
            "events": rows,
            "actions": AuditAction.choices,
            "action": action,
            "who": who,
            "older": rows[-1].id if more and rows else None,
        },
    )
