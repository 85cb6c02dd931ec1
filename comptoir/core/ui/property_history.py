"""A property's history on the record page (UI-4): every value it had, when, by whom
and through which source."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from comptoir.core.accounts import user_model
from comptoir.core.history.models import SourceType
from comptoir.core.history.services import property_history
from comptoir.core.history.source import automation_author
from comptoir.core.i18n import localised_label
from comptoir.core.portal.services import portal
from comptoir.core.properties.formatting import format_datetime_short, format_value
from comptoir.core.records import reads
from comptoir.core.records.values import display_name
from comptoir.core.ui.record import page_type
from comptoir.core.ui.record_access import exists, stale_response
from comptoir.core.ui.record_page import definition
from comptoir.core.ui.richtext import plain_text

SOURCE_LABELS = {
    SourceType.CRM_UI: _lazy("Comptoir app"),
    SourceType.API: _lazy("API"),
    SourceType.IMPORT: _lazy("Import"),
    SourceType.AUTOMATION: _lazy("Automation"),
    SourceType.MERGE: _lazy("Merge"),
    SourceType.CALCULATED: _lazy("Calculated"),
    SourceType.MIGRATION: _lazy("Migration"),
    SourceType.SALES: _lazy("Sales tools"),
    SourceType.INTEGRATION: _lazy("Integration"),
}


HISTORY_LIMIT = 200


def history_value(defn, value) -> str:
    if value is None:
        return ""
    try:
        text = format_value(defn, value, tz=portal().report_time_zone, currency=portal().currency)
    except (ValueError, ArithmeticError):
        text = str(value)
    return plain_text(text) if defn.field_type == "html" else text


@require_GET
def property_history_view(request, object_type, pk, name):
    ot = page_type(object_type)
    defn = definition(ot, name)
    if not exists(request, ot, pk):
        return stale_response(request, ot, pk)
    changes = property_history(ot.type_id, [pk], [name]).get(pk, {}).get(name, [])
    changes = changes[:HISTORY_LIMIT]
    actor_ids = {c.actor_id for c in changes if c.actor_id}
    actors = (
        {u.pk: u.get_full_name() or u.email for u in user_model().objects.filter(pk__in=actor_ids)}
        if actor_ids
        else {}
    )
    tz = portal().report_time_zone
    entries = [
        {
            "value": history_value(defn, c.value),
            "when": format_datetime_short(c.changed_at, tz),
            "iso": c.changed_at.isoformat(),
            "who": automation_author(c.source_id)
            if c.source_type == SourceType.AUTOMATION
            else actors.get(c.actor_id, ""),
            "source": SOURCE_LABELS.get(c.source_type, c.source_type),
        }
        for c in changes
    ]
    context = {"ot": ot, "pk": pk, "label": localised_label(defn), "entries": entries, "name": name}
    if request.htmx:
        return render(request, "records/_history.html", context)
    record = reads.get_record(ot, pk, user=request.user)
    context["record_name"] = display_name(ot, record)
    return render(request, "records/history.html", context)
