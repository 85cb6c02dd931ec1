"""The record page (UI-3, UI-4, ACT-1) of contacts, companies, deals, and a simpler one for
tasks: header, "About" with inline edit and history, every property on demand, association
cards, the composer and the timeline. Server-rendered; htmx swaps the parts that change.

Every write goes through the engine's services with the signed-in user as the source. A
record deleted or merged since the page was loaded gets a clear message, never an error.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from comptoir.core.accounts import owner_model, user_model
from comptoir.core.associations import services as assoc
from comptoir.core.associations import types as atypes
from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.services import property_history
from comptoir.core.inputs import MAX_INT, parse_id, parse_int
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import can_edit, with_default_owner
from comptoir.core.pipelines.queries import stages
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.properties.models import PropertyGroup
from comptoir.core.records import services as records
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.ui import cards as cards_mod
from comptoir.core.ui import composer
from comptoir.core.ui import timeline as tl
from comptoir.core.ui.fields import make_field, submitted_value
from comptoir.core.ui.formatting import (
    format_date,
    format_datetime_short,
    format_value,
    owner_names,
    stage_label,
)
from comptoir.core.ui.phrases import errors_text
from comptoir.core.ui.record import about_names as configured_about
from comptoir.core.ui.record import label, page_type, property_rows
from comptoir.core.ui.richtext import plain_text, safe_html
from comptoir.core.ui.views import errors_by_field, ui_source

# Changing these writes a timeline event: the timeline refreshes after an edit.
EVENT_PROPERTIES = {"dealstage", "hubspot_owner_id", "lifecyclestage"}
# Changing these may associate records automatically (company by email domain).
CARD_PROPERTIES = {"email": "companies-changed", "domain": "contacts-changed"}
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
# Clearer words on the record page than the definition's generic label.
LABEL_OVERRIDES = {("tasks", "hs_timestamp"): _lazy("Due date")}
HISTORY_LIMIT = 200
CARD_ALL_LIMIT = 200
# The inline edit form's hidden field with the value's text when the form opened (the
# underscore keeps it apart from property names, which cannot start with one).
ORIGINAL_FIELD = "_original"


# -- helpers ----------------------------------------------------------------------------------


def _detail_url(ot, pk) -> str:
    return reverse(f"{ot.name}:detail", args=[pk])


def _merged_into(ot, pk):
    return (
        base_queryset(ot, archived=None)
        .filter(pk=pk)
        .values_list("merged_into_id", flat=True)
        .first()
    )


def stale_response(request, ot, pk):
    """The record was deleted or merged after the page was loaded: say so, at the top.
    Any other id (never used, or a record, live or deleted, this user may not see) answers
    the same 404, so that existence does not leak."""
    if not base_queryset(ot, archived=True, user=request.user).filter(pk=pk).exists():
        return render(request, "records/gone.html", {"ot": ot}, status=404)
    merged = _merged_into(ot, pk)
    if merged and not _exists(request, ot, merged):
        merged = None
    context = {
        "ot": ot,
        "merged_url": _detail_url(ot, merged) if merged else "",
        "list_url": reverse(f"{ot.name}:list"),
    }
    if request.htmx:
        response = render(request, "records/_stale.html", context, status=410)
        response["HX-Retarget"] = "#record-alert"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "records/gone.html", context, status=410)


def _record(request, ot, pk):
    """(record, None) or (None, stale response): only records the user may see."""
    try:
        return records.get_record(ot, pk, user=request.user), None
    except RecordNotFound:
        return None, stale_response(request, ot, pk)


def _exists(request, ot, pk) -> bool:
    return base_queryset(ot, user=request.user).filter(pk=pk).exists()


READ_ONLY_MESSAGE = _lazy("You can see this record but not change it.")


def _read_only_response(request, ot, pk):
    """403 for a change to a record the user may see but not edit (SET-5)."""
    if not request.htmx:
        messages.error(request, str(READ_ONLY_MESSAGE))
        return redirect(_detail_url(ot, pk))
    response = HttpResponse(_status(str(READ_ONLY_MESSAGE)), status=403)
    response["HX-Reswap"] = "none"
    return response


def _locked(request, ot, pk):
    """None when the user may change the record, else the response to send."""
    try:
        record = records.get_record(ot, pk, user=request.user)
    except RecordNotFound:
        return stale_response(request, ot, pk)
    if not can_edit(request.user, ot, record):
        return _read_only_response(request, ot, pk)
    return None


def _status(text: str) -> str:
    """Out-of-band content for the page's polite status region."""
    return render_to_string("records/_status.html", {"text": text})


def _user_owner_id(user):
    return owner_model().objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def _editable(defn) -> bool:
    return not defn.read_only_value and not defn.calculated and defn.name != "hs_object_id"


def rows(ot, record, names) -> list[dict]:
    defs = registry.definitions(ot)
    result = property_rows(ot, record, names)
    for row in result:
        defn = defs[row["name"]]
        row["editable"] = _editable(defn)
        if (ot.name, defn.name) in LABEL_OVERRIDES:
            row["label"] = str(LABEL_OVERRIDES[ot.name, defn.name])
        if defn.field_type == "html":
            row["display"] = plain_text(row["display"])
    return result


def about_names(ot) -> list[str]:
    # Shown first in "About" so the name itself can be edited in place.
    names = list(ot.pages.header_name if ot.pages else ())
    names += [n for n in configured_about(ot) if n not in names]
    return names


def _visible_names(ot, where: str) -> list[str]:
    if where == "all":
        return [n for n, d in registry.definitions(ot).items() if not d.hidden]
    return about_names(ot)


def head_context(ot, record, user) -> dict:
    """Name, subtitle, owner and key facts of the header (the primary company only when
    the user may see it: its name must not leak)."""
    defs = registry.definitions(ot)
    settings = portal()
    tz, currency = settings.report_time_zone, settings.currency

    def value(name):
        defn = defs.get(name)
        return (
            format_value(defn, read_value(record, defn), tz=tz, currency=currency) if defn else ""
        )

    owner_id = record.hubspot_owner_id
    head = {
        "name": display_name(ot, record),
        "owner": owner_names().get(str(owner_id), "") if owner_id else "",
        "subtitle": [],
        "facts": [],
        "company": None,
        "links": [],
        "quick_actions": []
        if ot.name == "tasks"
        else [
            {"kind": key, "label": tab_label, "icon": _TAB_ICONS[key]}
            for key, _type, tab_label, *_rest in composer.TABS
        ],
    }
    if ot.name == "contacts":
        job = record.properties.get("jobtitle")
        if job:
            head["subtitle"].append(job)
        company_id = record.properties.get("associatedcompanyid")
        if company_id:
            company = (
                base_queryset("companies", user=user)
                .filter(pk=int(company_id))
                .only("pk", "name", "domain")
                .first()
            )
            if company is not None:
                head["company"] = {
                    "name": display_name("companies", company),
                    "url": _detail_url(get_object_type("companies"), company.pk),
                }
        if record.email:
            head["links"].append(
                {"href": f"mailto:{record.email}", "text": record.email, "label": _("Email")}
            )
        phone = record.properties.get("phone") or record.properties.get("mobilephone")
        if phone:
            head["links"].append({"href": f"tel:{phone}", "text": phone, "label": _("Phone")})
    elif ot.name == "companies":
        if record.domain:
            head["links"].append(
                {
                    "href": f"https://{record.domain}",
                    "text": record.domain,
                    "label": _("Website"),
                    "external": True,
                }
            )
        for name in ("industry", "city"):
            if value(name):
                head["subtitle"].append(value(name))
    elif ot.name == "deals":
        for name in ("amount", "dealstage"):
            if value(name):
                head["subtitle"].append(value(name))
        if record.closedate:
            head["facts"].append(
                _("Close date: %(date)s") % {"date": format_date(record.closedate, tz)}
            )
    elif ot.name == "tasks":
        head["subtitle"] = [v for v in (value("hs_task_status"), value("hs_task_priority")) if v]
        if record.hs_timestamp:
            head["facts"].append(_("Due: %(date)s") % {"date": value("hs_timestamp")})
        head["completed"] = record.properties.get("hs_task_status") == "COMPLETED"
    return head


_TAB_ICONS = {
    "note": "note",
    "email": "email",
    "call": "call",
    "task": "tasks",
    "meeting": "meeting",
}


def stage_context(record) -> dict | None:
    """The deal's pipeline as a progress bar: done, current, to do; lost shown apart."""
    current = stages("deals").get(record.dealstage)
    steps = [s for s in stages("deals").values() if s.pipeline_id == record.pipeline]
    if not steps:
        return None
    lost = current is not None and current.is_closed and not current.is_won
    shown = [s for s in steps if not (s.is_closed and not s.is_won) or s is current]
    index = next((i for i, s in enumerate(shown) if s is current), -1)
    items = []
    for i, s in enumerate(shown):
        state = "done" if i < index else "current" if i == index else "todo"
        items.append({"label": stage_label(s), "state": state, "lost": lost and s is current})
    return {
        "steps": items,
        "current": stage_label(current) if current else record.dealstage or "",
        "position": index + 1,
        "total": len(shown),
        "lost": lost,
    }


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


def _card_context(ot, pk, target, *, user, limit=cards_mod.LIMIT, **extra) -> dict:
    card = cards_mod.card(ot, pk, target, limit=limit, user=user)
    card.update(
        create_fields=extra.pop("create_fields", None) or cards_mod.create_fields(target), **extra
    )
    return card


# -- the page ---------------------------------------------------------------------------------


@require_GET
def record_detail(request, object_type, pk):
    ot = page_type(object_type)
    try:
        record = records.get_record(ot, pk, user=request.user)
    except RecordNotFound:
        merged = _merged_into(ot, pk)
        if merged and _exists(request, ot, merged):
            messages.info(request, _("This record was merged into this one."))
            return redirect(_detail_url(ot, merged))
        return render(request, "records/gone.html", {"ot": ot}, status=404)
    filters = tl.chosen_filters(request.GET.getlist("type"))
    active = request.GET.get("compose")
    active = active if active in composer.KIND else "note"
    context = {
        "ot": ot,
        "record": record,
        "pk": record.pk,
        "name": display_name(ot, record),
        "type_label": cards_mod.type_label(ot, plural=False),
        "head": head_context(ot, record, request.user),
        "about": rows(ot, record, about_names(ot)),
        "where": "about",
        "cards": [
            {**card, "create_fields": cards_mod.create_fields(card["target"].name)}
            for card in cards_mod.cards(ot, record.pk, ot.pages.cards, user=request.user)
        ],
    }
    if ot.name == "tasks":
        context["task_body"] = safe_html(record.properties.get("hs_task_body"))
    else:
        context["composer"] = composer.tabs(active=active, owner_id=_user_owner_id(request.user))
        context["timeline"] = timeline_context(ot, record.pk, filters, user=request.user)
    if ot.name == "deals":
        context["stage"] = stage_context(record)
    return render(request, "records/detail.html", context)


@require_GET
def all_properties(request, object_type, pk):
    """Every property of the record, grouped as in Settings, editable like "About"."""
    ot = page_type(object_type)
    record, stale = _record(request, ot, pk)
    if stale:
        return stale
    defs = registry.definitions(ot)
    names = _visible_names(ot, "all")
    by_group: dict[str, list] = {}
    for row in rows(ot, record, names):
        by_group.setdefault(defs[row["name"]].group_name, []).append(row)
    groups = []
    for group in PropertyGroup.objects.filter(object_type=ot.name, archived=False).order_by(
        "display_order", "name"
    ):
        if group.name in by_group:
            french = request.LANGUAGE_CODE == "fr"
            groups.append(
                {
                    "name": group.name,
                    "label": group.label_fr if french and group.label_fr else group.label,
                    "rows": by_group.pop(group.name),
                }
            )
    if by_group:
        groups.append(
            {
                "name": "other",
                "label": _("Other properties"),
                "rows": [r for group_rows in by_group.values() for r in group_rows],
            }
        )
    return render(
        request,
        "records/properties.html",
        {
            "ot": ot,
            "record": record,
            "pk": record.pk,
            "name": display_name(ot, record),
            "groups": groups,
            "where": "all",
            "count": len(names),
        },
    )


# -- inline edit and history ------------------------------------------------------------------


def _definition(ot, name, *, editable=False):
    defn = registry.definitions(ot).get(name)
    if defn is None or (editable and not _editable(defn)):
        raise Http404
    return defn


def _where(request) -> str:
    return "all" if (request.POST.get("where") or request.GET.get("where")) == "all" else "about"


@require_GET
def property_edit(request, object_type, pk, name):
    ot = page_type(object_type)
    defn = _definition(ot, name, editable=True)
    record, stale = _record(request, ot, pk)
    if stale:
        return stale
    if not can_edit(request.user, ot, record):
        return _read_only_response(request, ot, pk)
    field = make_field(defn, read_value(record, defn), portal().report_time_zone)
    return render(
        request,
        "records/_prop_edit.html",
        {
            "ot": ot,
            "pk": pk,
            "field": field,
            "where": _where(request),
            "label": label(defn),
            # Sent back with the value: the save refuses if someone changed it meanwhile.
            "original": field.value,
        },
    )


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
    value = _history_value(defn, current) or _("empty")
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
    _definition(ot, name)
    record, stale = _record(request, ot, pk)
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
    defn = _definition(ot, name, editable=True)
    where = _where(request)
    record, stale = _record(request, ot, pk)
    if stale:
        return stale
    if not can_edit(request.user, ot, record):
        return _read_only_response(request, ot, pk)
    names = _visible_names(ot, where)
    before = {r["name"]: r for r in rows(ot, record, names)}
    head_before = head_context(ot, record, request.user) if where == "about" else None
    stage_before = stage_context(record) if ot.name == "deals" and where == "about" else None
    raw = request.POST.get(name, "")
    tz = portal().report_time_zone
    conflict = _changed_meanwhile(request, ot, record, defn, raw)
    if conflict is not None:
        message, now_text = conflict
        if not request.htmx:
            text = _("%(label)s: %(message)s") % {"label": label(defn), "message": message}
            messages.error(request, text)
            return _back(ot, pk, where)
        field = make_field(defn, None, tz, message)
        field.value = raw
        # The form now starts from the new value: saving again is a deliberate overwrite.
        context = {"ot": ot, "pk": pk, "field": field, "where": where, "label": label(defn)}
        return render(
            request, "records/_prop_edit.html", {**context, "original": now_text}, status=409
        )
    try:
        record = records.update_record(
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
        context = {"ot": ot, "pk": pk, "field": field, "where": where, "label": label(defn)}
        original = request.POST.get(ORIGINAL_FIELD)
        return render(
            request, "records/_prop_edit.html", {**context, "original": original}, status=422
        )
    if not request.htmx:
        messages.success(request, _("%(label)s saved.") % {"label": label(defn)})
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
                        "records/_stage_bar.html", {"stage": stage, "oob": True}, request
                    )
                )
    html.append(_status(_("%(label)s saved.") % {"label": label(defn)}))
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
        reverse(f"{ot.name}:properties", args=[pk]) if where == "all" else _detail_url(ot, pk)
    )


def _history_value(defn, value) -> str:
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
    defn = _definition(ot, name)
    if not _exists(request, ot, pk):
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
            "value": _history_value(defn, c.value),
            "when": format_datetime_short(c.changed_at, tz),
            "iso": c.changed_at.isoformat(),
            "who": actors.get(c.actor_id, ""),
            "source": SOURCE_LABELS.get(c.source_type, c.source_type),
        }
        for c in changes
    ]
    context = {"ot": ot, "pk": pk, "label": label(defn), "entries": entries, "name": name}
    if request.htmx:
        return render(request, "records/_history.html", context)
    record = records.get_record(ot, pk, user=request.user)
    context["record_name"] = display_name(ot, record)
    return render(request, "records/history.html", context)


# -- association cards ------------------------------------------------------------------------


def _card_target(ot, target: str):
    if target not in ot.pages.cards:
        raise Http404
    return get_object_type(target)


def _card_response(request, ot, pk, target, *, status=200, message="", **extra):
    limit = CARD_ALL_LIMIT if request.GET.get("all") else cards_mod.LIMIT
    card = _card_context(ot, pk, target.name, limit=limit, user=request.user, **extra)
    html = render_to_string("records/_assoc_card.html", {"ot": ot, "pk": pk, "card": card}, request)
    if ot.name == "contacts" and target.name == "companies" and request.method == "POST":
        try:
            record = records.get_record(ot, pk, user=request.user)
        except RecordNotFound:
            return stale_response(request, ot, pk)
        html += render_to_string(
            "records/_record_head.html",
            {"ot": ot, "pk": pk, "head": head_context(ot, record, request.user), "oob": True},
            request,
        )
    if message:
        html += _status(message)
    response = HttpResponse(html, status=status)
    if (
        request.method == "POST"
        and status == 200
        and ot.name in ("companies", "deals")
        and target.name in ("contacts", "companies")
    ):
        response["HX-Trigger"] = "timeline-changed"
    return response


@require_GET
def association_card(request, object_type, pk, target):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    if not _exists(request, ot, pk):
        return stale_response(request, ot, pk)
    return _card_response(request, ot, pk, target_ot)


@require_GET
def association_search(request, object_type, pk, target):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    query = request.GET.get("q", "").strip()[:100]
    results = cards_mod.search(ot, pk, target_ot.name, query, user=request.user) if query else []
    return render(
        request,
        "records/_assoc_results.html",
        {"ot": ot, "pk": pk, "target": target_ot, "query": query, "results": results},
    )


def _target_not_found(request, ot, pk, target_ot, to_id, **extra):
    """The card with a 404 when the other record of an association is missing or one the
    user may not see: the two answers are the same, so that existence does not leak, and
    nothing changes."""
    if _exists(request, target_ot, to_id):
        return None
    return _card_response(
        request, ot, pk, target_ot, status=404, error=_("That record no longer exists."), **extra
    )


@require_POST
def association_add(request, object_type, pk, target):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    locked = _locked(request, ot, pk)
    if locked:
        return locked
    to_id = parse_id(request.POST.get("to_id", ""))
    missing = to_id is not None and _target_not_found(
        request, ot, pk, target_ot, to_id, add_open=True
    )
    if missing:
        return missing
    if to_id is None:
        return _card_response(
            request,
            ot,
            pk,
            target_ot,
            add_open=True,
            error=_("Choose a record in the search results."),
            status=422,
        )
    label_id = parse_int(request.POST.get("label", ""), 0, MAX_INT)
    type_ids = [label_id] if label_id is not None else None
    try:
        assoc.associate(
            ot, pk, target_ot, to_id, type_ids, source=ui_source(request), user=request.user
        )
    except RecordNotFound as exc:
        if getattr(exc, "object_type", None) == ot or not _exists(request, ot, pk):
            return stale_response(request, ot, pk)
        return _card_response(
            request,
            ot,
            pk,
            target_ot,
            add_open=True,
            status=422,
            error=_("That record no longer exists."),
        )
    except ValidationFailed as exc:
        return _card_response(
            request, ot, pk, target_ot, add_open=True, status=422, error=errors_text(exc)
        )
    return _card_response(request, ot, pk, target_ot, focus=True, message=_("Association added."))


@require_POST
def association_create(request, object_type, pk, target):
    """Create a record from the card's small form, associated with this one."""
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    locked = _locked(request, ot, pk)
    if locked:
        return locked
    defs = registry.definitions(target_ot)
    tz = portal().report_time_zone
    names = [n for n in target_ot.pages.card_fields if n in defs]
    props = {n: submitted_value(defs[n], request.POST.get(n, ""), tz) for n in names}
    props = {n: v for n, v in props.items() if v not in ("", None)}
    if target_ot.name == "tasks":
        props.setdefault("hs_task_status", "NOT_STARTED")
        owner = _user_owner_id(request.user)
        if owner:
            props.setdefault("hubspot_owner_id", str(owner))
    try:
        created = records.create_record(
            target_ot,
            with_default_owner(request.user, target_ot, props),
            source=ui_source(request),
            associations=[(ot.name, pk, None)],
            user=request.user,
        )
    except (ValidationFailed, DuplicateValue) as exc:
        errors = errors_by_field(exc) if isinstance(exc, DuplicateValue) or exc.errors else {}
        values = {n: request.POST.get(n, "") for n in names}
        fields = cards_mod.create_fields(target_ot.name, values, errors)
        general = "" if any(f.error for f in fields) else errors_text(exc)
        return _card_response(
            request,
            ot,
            pk,
            target_ot,
            add_open=True,
            create_open=True,
            create_fields=fields,
            error=general,
            status=422,
        )
    return _card_response(
        request,
        ot,
        pk,
        target_ot,
        focus=True,
        message=_("%(name)s created and associated.") % {"name": display_name(target_ot, created)},
    )


@require_POST
def association_remove(request, object_type, pk, target, to_id):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    locked = _locked(request, ot, pk)
    if locked:
        return locked
    missing = _target_not_found(request, ot, pk, target_ot, to_id)
    if missing:
        return missing
    assoc.remove_association(ot, pk, target_ot, to_id, None, source=ui_source(request))
    return _card_response(request, ot, pk, target_ot, focus=True, message=_("Association removed."))


@require_POST
def association_primary(request, object_type, pk, target, to_id):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    primary = atypes.primary_type(ot, target_ot)
    if primary is None:
        raise Http404
    locked = _locked(request, ot, pk)
    if locked:
        return locked
    missing = _target_not_found(request, ot, pk, target_ot, to_id)
    if missing:
        return missing
    try:
        assoc.associate(
            ot,
            pk,
            target_ot,
            to_id,
            [primary.type_id],
            source=ui_source(request),
            user=request.user,
        )
    except RecordNotFound:
        return _card_response(
            request, ot, pk, target_ot, status=422, error=_("That record no longer exists.")
        )
    return _card_response(
        request, ot, pk, target_ot, focus=True, message=_("Primary company changed.")
    )


@require_POST
def association_labels(request, object_type, pk, target, to_id):
    """Set the labels of an existing association to exactly the ones ticked (the
    unlabeled association and the primary flag stay as they are)."""
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    locked = _locked(request, ot, pk)
    if locked:
        return locked
    missing = _target_not_found(request, ot, pk, target_ot, to_id)
    if missing:
        return missing
    choices = {type_id for type_id, _text in cards_mod.label_choices(ot, target_ot)}
    labels = (parse_int(v, 0, MAX_INT) for v in request.POST.getlist("label"))
    wanted = {label for label in labels if label is not None} & choices
    links = assoc.associations_by_target(ot, [pk], target_ot, user=request.user)
    current = set(links.get(pk, {}).get(to_id, []))
    if not current:
        return _card_response(
            request, ot, pk, target_ot, status=422, error=_("That association no longer exists.")
        )
    source = ui_source(request)
    with transaction.atomic():
        if wanted - current:
            assoc.associate(
                ot, pk, target_ot, to_id, sorted(wanted - current), source=source, user=request.user
            )
        if (current & choices) - wanted:
            assoc.remove_association(
                ot, pk, target_ot, to_id, sorted((current & choices) - wanted), source=source
            )
    return _card_response(request, ot, pk, target_ot, focus=True, message=_("Labels saved."))


# -- timeline and composer --------------------------------------------------------------------


@require_GET
def record_timeline(request, object_type, pk):
    ot = page_type(object_type)
    if ot.name == "tasks":
        raise Http404
    if not _exists(request, ot, pk):
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
        response["HX-Replace-Url"] = _detail_url(ot, pk) + (f"?{query}" if query else "")
    return response


@require_POST
def composer_log(request, object_type, pk, kind):
    ot = page_type(object_type)
    if ot.name == "tasks" or kind not in composer.KIND:
        raise Http404
    record, stale = _record(request, ot, pk)
    if stale:
        return stale
    owner_id = _user_owner_id(request.user)
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
            return redirect(_detail_url(ot, pk) + f"?compose={kind}#composer")
        form = composer.form(kind, raw=request.POST, errors=errors)
        return render(request, "records/_composer_form.html", {**context, "form": form}, status=422)
    if not request.htmx:
        messages.success(request, composer.done_message(kind))
        return redirect(_detail_url(ot, pk) + f"?compose={kind}")
    form = composer.form(kind, owner_id=owner_id)
    html = render_to_string(
        "records/_composer_form.html", {**context, "form": form, "focus": True}, request
    )
    response = HttpResponse(html + _status(composer.done_message(kind)))
    response["HX-Trigger"] = "timeline-changed" + (", tasks-changed" if kind == "task" else "")
    return response
