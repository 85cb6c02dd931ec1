"""Inline edit of one property on the record page (UI-4): the edit form, the row as
displayed, and the save through update_record, which refuses a value someone else changed
since the form opened and refreshes the parts of the page the change touches."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from comptoir.core.accounts import user_model
from comptoir.core.history.models import PropertyChange
from comptoir.core.i18n import localised_label
from comptoir.core.permissions import can_edit
from comptoir.core.portal.services import portal
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.records import writes
from comptoir.core.records.values import read_value
from comptoir.core.ui.fields import make_field, submitted_value
from comptoir.core.ui.property_history import SOURCE_LABELS, history_value
from comptoir.core.ui.record import page_type
from comptoir.core.ui.record_access import (
    detail_url,
    read_only_response,
    stale_response,
    status_html,
    visible_record,
)
from comptoir.core.ui.record_page import (
    definition,
    head_context,
    rows,
    stage_context,
    visible_names,
)
from comptoir.core.ui.views import errors_by_field, ui_source

# Changing these writes a timeline event: the timeline refreshes after an edit.
EVENT_PROPERTIES = {"dealstage", "hubspot_owner_id", "lifecyclestage"}
# Changing these may associate records automatically (company by email domain).
CARD_PROPERTIES = {"email": "companies-changed", "domain": "contacts-changed"}


# The inline edit form's hidden field with the value's text when the form opened (the
# underscore keeps it apart from property names, which cannot start with one).
ORIGINAL_FIELD = "_original"


def _where(request) -> str:
    return "all" if (request.POST.get("where") or request.GET.get("where")) == "all" else "about"


@require_GET
def property_edit(request, object_type, pk, name):
    ot = page_type(object_type)
    defn = definition(ot, name, editable=True)
    record, stale = visible_record(request, ot, pk)
    if stale:
        return stale
    if not can_edit(request.user, ot, record):
        return read_only_response(request, ot, pk)
    field = make_field(defn, read_value(record, defn), portal().report_time_zone)
    return _edit_form(request, ot, pk, defn, field, _where(request), original=field.value)


def _edit_form(request, ot, pk, defn, field, where, *, original, status=200):
    """The property's edit form; `original` is sent back with the value: the save refuses
    if someone changed it meanwhile."""
    context = {
        "ot": ot,
        "pk": pk,
        "field": field,
        "where": where,
        "label": localised_label(defn),
        "original": original,
    }
    return render(request, "records/_prop_edit.html", context, status=status)


def _same_text(a: str, b: str) -> bool:
    """Browsers send line breaks as CRLF and drop a textarea's leading one."""
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _changed_meanwhile(request, ot, record, defn, raw: str):
    """The edit form's text when it opened, if the value has changed since (and the user did
    not type what it now is): the message for the field and the value's text now."""
    original = request.POST.get(ORIGINAL_FIELD)
    if original is None:  # a one-click action (a task's status), not an edit form
        return None
    tz = portal().report_time_zone
    current = read_value(record, defn)
    now_text = make_field(defn, current, tz).value
    if _same_text(now_text, original) or _same_text(now_text, raw):
        return None
    change = (
        PropertyChange.objects.filter(
            object_type=ot.type_id, object_id=record.pk, property=defn.name
        )
        .order_by("-changed_at", "-id")
        .first()
    )
    who = source = ""
    if change is not None and change.actor_id:
        user = user_model().objects.filter(pk=change.actor_id).first()
        who = (user.get_full_name() or user.email) if user else ""
    if change is not None:
        source = str(SOURCE_LABELS.get(change.source_type, change.source_type))
    value = history_value(defn, current) or _("empty")
    again = _("Save again to replace it.")
    if who:
        message = _("Changed by %(who)s meanwhile: now %(value)s.") % {"who": who, "value": value}
    elif source:
        message = _("Changed meanwhile through %(source)s: now %(value)s.") % {
            "source": source,
            "value": value,
        }
    else:
        message = _("Changed meanwhile: now %(value)s.") % {"value": value}
    message = f"{message} {again}"
    return message, now_text


def property_value(request, object_type, pk, name):
    """GET: the row as displayed (Cancel). POST: save one value through update_record."""
    ot = page_type(object_type)
    if request.method == "POST":
        return _save_property(request, ot, pk, name)
    if request.method != "GET":
        return HttpResponse(status=405)
    definition(ot, name)
    record, stale = visible_record(request, ot, pk)
    if stale:
        return stale
    return render(
        request,
        "records/_prop_row.html",
        {
            "ot": ot,
            "pk": pk,
            "prop": rows(ot, record, [name])[0],
            "where": _where(request),
            "autofocus": True,
        },
    )


def _save_property(request, ot, pk, name):
    defn = definition(ot, name, editable=True)
    where = _where(request)
    record, stale = visible_record(request, ot, pk)
    if stale:
        return stale
    if not can_edit(request.user, ot, record):
        return read_only_response(request, ot, pk)
    names = visible_names(ot, where)
    before = {r["name"]: r for r in rows(ot, record, names)}
    head_before = head_context(ot, record, request.user) if where == "about" else None
    stage_before = stage_context(record) if ot.name == "deals" and where == "about" else None
    raw = request.POST.get(name, "")
    tz = portal().report_time_zone
    conflict = _changed_meanwhile(request, ot, record, defn, raw)
    if conflict is not None:
        message, now_text = conflict
        if not request.htmx:
            text = _("%(label)s: %(message)s") % {
                "label": localised_label(defn),
                "message": message,
            }
            messages.error(request, text)
            return _back(ot, pk, where)
        field = make_field(defn, None, tz, message)
        field.value = raw
        # The form now starts from the new value: saving again is a deliberate overwrite.
        return _edit_form(request, ot, pk, defn, field, where, original=now_text, status=409)
    try:
        record = writes.update_record(
            ot,
            record.pk,
            {name: submitted_value(defn, raw, tz)},
            source=ui_source(request),
            user=request.user,
        )
    except RecordNotFound:
        return stale_response(request, ot, pk)
    except (ValidationFailed, DuplicateValue) as exc:
        errors = errors_by_field(exc)
        field = make_field(defn, None, tz, errors.get(name) or getattr(exc, "message", str(exc)))
        field.value = raw
        if not request.htmx:
            messages.error(request, field.error)
            return _back(ot, pk, where)
        original = request.POST.get(ORIGINAL_FIELD)
        return _edit_form(request, ot, pk, defn, field, where, original=original, status=422)
    if not request.htmx:
        messages.success(request, _("%(label)s saved.") % {"label": localised_label(defn)})
        return _back(ot, pk, where)
    after = rows(ot, record, names)
    row = (
        next(r for r in after if r["name"] == name)
        if name in before
        else rows(ot, record, [name])[0]
    )
    context = {"ot": ot, "pk": pk, "where": where}
    html = [
        render_to_string(
            "records/_prop_row.html", {**context, "prop": row, "autofocus": True}, request
        )
    ]
    for other in after:
        if other["name"] != name and before.get(other["name"]) != other:
            html.append(
                render_to_string(
                    "records/_prop_row.html", {**context, "prop": other, "oob": True}, request
                )
            )
    if where == "about":
        head = head_context(ot, record, request.user)
        if head != head_before:
            html.append(
                render_to_string(
                    "records/_record_head.html",
                    {**context, "head": head, "oob": True, "record": record},
                    request,
                )
            )
        if ot.name == "deals":
            stage = stage_context(record)
            if stage != stage_before:
                html.append(
                    render_to_string(
                        "records/_stage_bar.html",
                        {**context, "stage": {**stage, "can_edit": True}, "oob": True},
                        request,
                    )
                )
    html.append(status_html(_("%(label)s saved.") % {"label": localised_label(defn)}))
    response = HttpResponse("".join(html))
    triggers = []
    if name in EVENT_PROPERTIES:
        triggers.append("timeline-changed")
    if name in CARD_PROPERTIES:
        triggers.append(CARD_PROPERTIES[name])
    if triggers:
        response["HX-Trigger"] = ", ".join(triggers)
    return response


def _back(ot, pk, where):
    return redirect(
        reverse(f"{ot.name}:properties", args=[pk]) if where == "all" else detail_url(ot, pk)
    )
