"""The record page's association cards (UI-3): the card, searching records to associate,
adding, creating from the card's small form, removing, the primary company and labels."""

from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.core.associations import services as assoc
from comptoir.core.associations import types as atypes
from comptoir.core.inputs import MAX_INT, parse_id, parse_int
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import with_default_owner
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.records import reads, writes
from comptoir.core.records.values import display_name, read_value
from comptoir.core.ui import cards as cards_mod
from comptoir.core.ui.defaults import new_record_defaults
from comptoir.core.ui.fields import submitted_value
from comptoir.core.ui.phrases import errors_text
from comptoir.core.ui.record import page_type
from comptoir.core.ui.record_access import (
    exists,
    locked_response,
    may_edit,
    stale_response,
    status_html,
    user_owner_id,
)
from comptoir.core.ui.record_page import head_context
from comptoir.core.ui.views import errors_by_field, ui_source

CARD_ALL_LIMIT = 200


def _card_context(ot, pk, target, *, user, limit=cards_mod.LIMIT, **extra) -> dict:
    card = cards_mod.card(ot, pk, target, limit=limit, user=user)
    card.update(
        create_fields=extra.pop("create_fields", None) or cards_mod.create_fields(target), **extra
    )
    return card


def _card_target(ot, target: str):
    if target not in ot.pages.cards:
        raise Http404
    return get_object_type(target)


def _card_response(request, ot, pk, target, *, status=200, message="", **extra):
    limit = CARD_ALL_LIMIT if request.GET.get("all") else cards_mod.LIMIT
    card = _card_context(ot, pk, target.name, limit=limit, user=request.user, **extra) | {
        "can_edit": may_edit(request, ot, pk)
    }
    html = render_to_string("records/_assoc_card.html", {"ot": ot, "pk": pk, "card": card}, request)
    if ot.name == "contacts" and target.name == "companies" and request.method == "POST":
        try:
            record = reads.get_record(ot, pk, user=request.user)
        except RecordNotFound:
            return stale_response(request, ot, pk)
        html += render_to_string(
            "records/_record_head.html",
            {"ot": ot, "pk": pk, "head": head_context(ot, record, request.user), "oob": True},
            request,
        )
    if message:
        html += status_html(message)
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
    if not exists(request, ot, pk):
        return stale_response(request, ot, pk)
    return _card_response(request, ot, pk, target_ot)


@require_GET
def association_search(request, object_type, pk, target):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    # The results leave out what the record is linked to: on a record the user may not see,
    # they would tell its links. Such a record answers as a missing one.
    if not exists(request, ot, pk):
        return stale_response(request, ot, pk)
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
    if exists(request, target_ot, to_id):
        return None
    return _card_response(
        request, ot, pk, target_ot, status=404, error=_("That record no longer exists."), **extra
    )


def _link_refused(request, ot, pk, target_ot, to_id):
    """The answer when an existing association may not be changed: the record is locked
    for this user, or the other record is missing or hidden; None when it may."""
    return locked_response(request, ot, pk) or _target_not_found(request, ot, pk, target_ot, to_id)


@require_POST
def association_add(request, object_type, pk, target):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    locked = locked_response(request, ot, pk)
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
        if getattr(exc, "object_type", None) == ot or not exists(request, ot, pk):
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


def _primary_company_link(ot, pk, target_ot) -> list:
    """A deal made from a contact's card is associated with the contact's primary company
    too (HubSpot does so): [(companies, id, None)], or [] when there is none to add."""
    companies = get_object_type("companies")
    if target_ot.is_activity or companies.name in (ot.name, target_ot.name):
        return []
    if atypes.primary_type(ot.name, companies.name) is None:
        return []
    if atypes.primary_type(target_ot.name, companies.name) is None:
        return []
    record = reads.get_record(ot, pk)
    defn = registry.definitions(ot).get("associatedcompanyid")
    company = read_value(record, defn) if defn is not None else None
    return [(companies.name, int(company), None)] if company else []


@require_POST
def association_create(request, object_type, pk, target):
    """Create a record from the card's small form, associated with this one."""
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    locked = locked_response(request, ot, pk)
    if locked:
        return locked
    defs = registry.definitions(target_ot)
    tz = portal().report_time_zone
    names = [n for n in target_ot.pages.card_fields if n in defs]
    props = {n: submitted_value(defs[n], request.POST.get(n, ""), tz) for n in names}
    props = {n: v for n, v in props.items() if v not in ("", None)}
    if target_ot.name == "tasks":
        props.setdefault("hs_task_status", "NOT_STARTED")
        owner = user_owner_id(request.user)
        if owner:
            props.setdefault("hubspot_owner_id", str(owner))
    props.update(new_record_defaults(target_ot, request.user, props))
    try:
        created = writes.create_record(
            target_ot,
            with_default_owner(request.user, target_ot, props),
            source=ui_source(request),
            associations=[(ot.name, pk, None), *_primary_company_link(ot, pk, target_ot)],
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
    refused = _link_refused(request, ot, pk, target_ot, to_id)
    if refused:
        return refused
    assoc.remove_association(ot, pk, target_ot, to_id, None, source=ui_source(request))
    return _card_response(request, ot, pk, target_ot, focus=True, message=_("Association removed."))


@require_POST
def association_primary(request, object_type, pk, target, to_id):
    ot = page_type(object_type)
    target_ot = _card_target(ot, target)
    primary = atypes.primary_type(ot, target_ot)
    if primary is None:
        raise Http404
    refused = _link_refused(request, ot, pk, target_ot, to_id)
    if refused:
        return refused
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
    refused = _link_refused(request, ot, pk, target_ot, to_id)
    if refused:
        return refused
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
