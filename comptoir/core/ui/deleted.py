"""Deleted records (OBJ-5, SET-13): HubSpot's "Restore records" page, one per object type.

The records of the recycle bin the user may see, deleted within the restore window
(`COMPTOIR_RESTORE_DAYS`; older ones are purged by the worker's `purge_archived_records`),
newest deletion first, with who deleted them (the timeline's "archived" event), searchable
and paged. Restoring one or many goes through `restore_record`, which writes the
timeline's "restored" event with its author; the record comes back with its associations
and history, which deleting never removed.

Permissions: the page lists only the deleted records the user could see; a record the user
may see but not change has no checkbox, and restoring it is refused; an id the user may not
see is answered exactly like an id that does not exist.
"""

import datetime as dt
import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from comptoir.core.accounts import user_model
from comptoir.core.history.source import ChangeSource
from comptoir.core.i18n import localised_label
from comptoir.core.inputs import parse_id, whole_number
from comptoir.core.permissions import can_edit, editable
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.properties.formatting import format_datetime_short
from comptoir.core.records import observers, reads, writes
from comptoir.core.records.values import base_queryset, display_name
from comptoir.core.savedviews.listing import MAX_OFFSET, bounded_count
from comptoir.core.search.compiler import apply_query
from comptoir.core.timeline.models import EventType, TimelineEvent
from comptoir.core.ui.pager import pager
from comptoir.core.ui.record import page_type

PER_PAGE = 25
RESTORE_LIMIT = 100  # ids restored by one request: at most a page and a bit


def restore_cutoff(now=None) -> dt.datetime:
    """Records deleted before this moment are past the restore window (purged soon)."""
    return (now or timezone.now()) - dt.timedelta(days=settings.COMPTOIR_RESTORE_DAYS)


def deleted_queryset(ot, user, query: str = ""):
    """The deleted records of `ot` the user may see and still restore (merged ones are
    not deleted records: they live on in the record they were merged into)."""
    qs = base_queryset(ot, archived=True, user=user).filter(
        merged_into_id__isnull=True, archived_at__gte=restore_cutoff()
    )
    return apply_query(qs, ot, query) if query else qs


def deleted_by(ot, ids) -> dict[int, str]:
    """{record id: who deleted it} from the timeline's "archived" events (two queries);
    an automation or an import without a person, or a deletion older than those events,
    gives nothing."""
    latest = {}
    for object_id, actor_id in (
        TimelineEvent.objects.filter(
            object_type=ot.type_id, object_id__in=list(ids), event_type=EventType.ARCHIVED
        )
        .order_by("object_id", "occurred_at", "id")
        .values_list("object_id", "actor_id")
    ):
        latest[object_id] = actor_id  # the last deletion of each record wins
    people = {a for a in latest.values() if a}
    if not people:
        return {}
    names = {
        u.pk: u.get_full_name() or u.email
        for u in user_model()
        .objects.filter(pk__in=people)
        .only("pk", "first_name", "last_name", "email")
    }
    return {pk: names.get(actor, "") for pk, actor in latest.items() if actor}


def _page_url(ot, query: str, page: int) -> str:
    params = {k: v for k, v in (("q", query), ("page", page if page > 1 else "")) if v}
    return reverse(f"{ot.name}:deleted") + ("?" + urlencode(params) if params else "")


def deleted_list(request, object_type):
    ot = page_type(object_type)
    query = request.GET.get("q", "").strip()[:200]
    page = max(1, whole_number(request.GET.get("page", 1)) or 1)
    page = min(page, MAX_OFFSET // PER_PAGE)
    qs = deleted_queryset(ot, request.user, query)
    count, capped = bounded_count(qs)
    offset = (page - 1) * PER_PAGE
    found = list(qs.order_by("-archived_at", "-pk")[offset : offset + PER_PAGE + 1])
    has_next, found = len(found) > PER_PAGE, found[:PER_PAGE]
    mine = set(
        editable(
            base_queryset(ot, archived=True).filter(pk__in=[r.pk for r in found]),
            request.user,
            ot,
        ).values_list("pk", flat=True)
    )
    deleters = deleted_by(ot, [r.pk for r in found])
    tz = portal().report_time_zone
    now = timezone.now()
    rows = [
        {
            "pk": record.pk,
            "name": display_name(ot, record),
            "deleted_at": format_datetime_short(record.archived_at, tz),
            "deleted_iso": record.archived_at.isoformat(),
            "days_left": max(
                0,
                math.ceil((record.archived_at - restore_cutoff(now)).total_seconds() / 86400),
            ),
            "can_restore": record.pk in mine,
            "deleted_by": deleters.get(record.pk, ""),
        }
        for record in found
    ]
    return render(
        request,
        "records/deleted.html",
        {
            "ot": ot,
            "rows": rows,
            "count": count,
            "capped": capped,
            "query": query,
            "page": page,
            "pager": pager(page, has_next, lambda n: _page_url(ot, query, n)),
            "restore_days": settings.COMPTOIR_RESTORE_DAYS,
            "back": request.get_full_path(),
        },
    )


@require_POST
@observers.batched  # the dashboard and the owners hear of every restored record in one go
def deleted_restore(request, object_type):
    ot = page_type(object_type)
    # A row's own "Restore" button names its record; the bulk bar's sends the checked ones.
    one = request.POST.get("one")
    raw = [one] if one else request.POST.getlist("ids")[:RESTORE_LIMIT]
    ids = list(dict.fromkeys(i for i in map(parse_id, raw) if i is not None))
    source = ChangeSource.for_user(request.user)
    restored, missing, refused, failed = [], 0, 0, []
    cutoff = restore_cutoff()
    for pk in ids:
        try:
            record = reads.get_record(ot, pk, archived=True, user=request.user)
            if record.merged_into_id or record.archived_at < cutoff:
                raise RecordNotFound(ot, pk)  # not in the recycle bin any more
            if not can_edit(request.user, ot, record):
                refused += 1
                continue
            writes.restore_record(ot, pk, source=source)
            restored.append(display_name(ot, record))
        except RecordNotFound:
            missing += 1
        except DuplicateValue as exc:
            failed.append(
                _("%(name)s: its %(property)s “%(value)s” is used by another record.")
                % {
                    "name": display_name(ot, record),
                    "property": localised_label(registry.definitions(ot)[exc.name]),
                    "value": exc.value,
                }
            )
        except ValidationFailed as exc:
            failed.append(f"{display_name(ot, record)}: {exc.message}")
    if not ids:
        messages.error(request, _("Select at least one record."))
    if restored:
        messages.success(
            request,
            ngettext(
                "%(n)d record restored: %(names)s.",
                "%(n)d records restored: %(names)s.",
                len(restored),
            )
            % {"n": len(restored), "names": ", ".join(restored[:5])}
            + ("…" if len(restored) > 5 else ""),
        )
    if missing:
        messages.error(
            request,
            ngettext(
                "%(n)d record was not found in the deleted records.",
                "%(n)d records were not found in the deleted records.",
                missing,
            )
            % {"n": missing},
        )
    if refused:
        messages.error(
            request,
            ngettext(
                "%(n)d record was not restored: your role lets you see it but not change it.",
                "%(n)d records were not restored: your role lets you see them but not change them.",
                refused,
            )
            % {"n": refused},
        )
    for text in failed:
        messages.error(request, _("Not restored: %(reason)s") % {"reason": text})
    # An id that never existed and one the user may not see get the same answer.
    back = request.POST.get("next", "")
    if not back.startswith(reverse(f"{ot.name}:deleted")):
        back = reverse(f"{ot.name}:deleted")
    return redirect(back)
