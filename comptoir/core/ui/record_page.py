"""The record page (UI-3, UI-4) of contacts, companies, deals, and a simpler one for tasks:
header, "About", the deal's stage bar, association cards, the composer and the timeline; and
the page of every property. Inline edit (inline_edit.py), property history
(property_history.py), association cards (association_cards.py) and the timeline
(record_timeline.py) answer the parts htmx swaps."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from comptoir.core.i18n import localised_label, type_label
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import can_edit
from comptoir.core.pipelines.queries import stages
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.errors import RecordNotFound
from comptoir.core.properties.formatting import format_date, format_value, owner_names, stage_label
from comptoir.core.properties.models import PropertyGroup
from comptoir.core.records import reads
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.ui import cards as cards_mod
from comptoir.core.ui import composer, personal_data
from comptoir.core.ui import timeline as tl
from comptoir.core.ui.record import about_names as configured_about
from comptoir.core.ui.record import page_type, property_rows
from comptoir.core.ui.record_access import (
    detail_url,
    exists,
    merged_into,
    user_owner_id,
    visible_record,
)
from comptoir.core.ui.record_timeline import timeline_context
from comptoir.core.ui.richtext import plain_text, safe_html

# Clearer words on the record page than the definition's generic label.
LABEL_OVERRIDES = {("tasks", "hs_timestamp"): _lazy("Due date")}


def is_editable(defn) -> bool:
    return not defn.read_only_value and not defn.calculated and defn.name != "hs_object_id"


def rows(ot, record, names, *, may_edit: bool = True) -> list[dict]:
    """The property rows; none editable in place when the user may not change the record."""
    defs = registry.definitions(ot)
    result = property_rows(ot, record, names)
    for row in result:
        defn = defs[row["name"]]
        row["editable"] = may_edit and is_editable(defn)
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


def visible_names(ot, where: str) -> list[str]:
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
    may_edit = can_edit(user, ot, record)
    head = {
        "can_edit": may_edit,
        "name": display_name(ot, record),
        "owner": owner_names().get(str(owner_id), "") if owner_id else "",
        "subtitle": [],
        "facts": [],
        "company": None,
        "links": [],
        "quick_actions": []
        if ot.name == "tasks" or not may_edit
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
                    "url": detail_url(get_object_type("companies"), company.pk),
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
        items.append(
            {
                "id": s.stage_id,
                "label": stage_label(s),
                "state": state,
                "lost": lost and s is current,
            }
        )
    return {
        "steps": items,
        "current": stage_label(current) if current else record.dealstage or "",
        "position": index + 1,
        "total": len(shown),
        "lost": lost,
    }


@require_GET
def record_detail(request, object_type, pk):
    ot = page_type(object_type)
    try:
        record = reads.get_record(ot, pk, user=request.user)
    except RecordNotFound:
        merged = merged_into(ot, pk)
        if merged and exists(request, ot, merged):
            messages.info(request, _("This record was merged into this one."))
            return redirect(detail_url(ot, merged))
        return render(request, "records/gone.html", {"ot": ot}, status=404)
    head = head_context(ot, record, request.user)
    filters = tl.chosen_filters(request.GET.getlist("type"))
    active = request.GET.get("compose")
    active = active if active in composer.KIND else "note"
    context = {
        "ot": ot,
        "record": record,
        "pk": record.pk,
        "name": display_name(ot, record),
        "type_label": type_label(ot, plural=False),
        "head": head,
        "can_edit": head["can_edit"],
        "about": rows(ot, record, about_names(ot), may_edit=head["can_edit"]),
        "where": "about",
        "personal_data": personal_data.may_export(request.user, ot),
        "cards": [
            {
                **card,
                "can_edit": head["can_edit"],
                "create_fields": cards_mod.create_fields(card["target"].name)
                if head["can_edit"]
                else [],
            }
            for card in cards_mod.cards(ot, record.pk, ot.pages.cards, user=request.user)
        ],
    }
    if ot.name == "tasks":
        context["task_body"] = safe_html(record.properties.get("hs_task_body"))
    else:
        # Logging a note or an activity on a record changes it: only who may change it.
        reply = request.GET.get("reply", "")  # ?reply=<emails engagement>: answer it
        send = head["can_edit"] and composer.send_panel(request.user, ot, record, parse_id(reply))
        context["composer"] = head["can_edit"] and composer.tabs(
            active=active, owner_id=user_owner_id(request.user), send=send or None
        )
        context["timeline"] = timeline_context(ot, record.pk, filters, user=request.user)
    if ot.name == "deals":
        context["stage"] = stage_context(record)
        if context["stage"]:
            context["stage"]["can_edit"] = head["can_edit"]
    return render(request, "records/detail.html", context)


@require_GET
def all_properties(request, object_type, pk):
    """Every property of the record, grouped as in Settings, editable like "About"."""
    ot = page_type(object_type)
    record, stale = visible_record(request, ot, pk)
    if stale:
        return stale
    defs = registry.definitions(ot)
    names = visible_names(ot, "all")
    by_group: dict[str, list] = {}
    for row in rows(ot, record, names, may_edit=can_edit(request.user, ot, record)):
        by_group.setdefault(defs[row["name"]].group_name, []).append(row)
    groups = []
    for group in PropertyGroup.objects.filter(object_type=ot.name, archived=False).order_by(
        "display_order", "name"
    ):
        if group.name in by_group:
            groups.append(
                {
                    "name": group.name,
                    "label": localised_label(group),
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


def definition(ot, name, *, editable=False):
    defn = registry.definitions(ot).get(name)
    if defn is None or (editable and not is_editable(defn)):
        raise Http404
    return defn
