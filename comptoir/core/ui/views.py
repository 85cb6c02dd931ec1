"""Index pages shared by every object type (UI-1): the table, saved views, columns, bulk
actions, the create dialog and the preview panel (UI-2). Writes go through services."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from comptoir.core.history.source import ChangeSource
from comptoir.core.i18n import localised_label
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import (
    NotAllowed,
    has_right,
    require_edit,
    with_default_owner,
)
from comptoir.core.portal.services import portal
from comptoir.core.properties import index_requests, registry
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.records import observers, reads, writes
from comptoir.core.records.values import display_name
from comptoir.core.savedviews import listing
from comptoir.core.savedviews import services as views_service
from comptoir.core.savedviews.listing import (
    BUILTIN_VIEWS,
    ListState,
    list_state,
    name_column,
    visible_views,
)
from comptoir.core.savedviews.table import column_headers, detail_url, table_rows
from comptoir.core.search.compiler import SearchError
from comptoir.core.ui.defaults import new_record_defaults
from comptoir.core.ui.fields import make_field, submitted_value
from comptoir.core.ui.filters import chips, filter_context, option_problems, quick_filters
from comptoir.core.ui.pager import list_pager
from comptoir.core.ui.phrases import error_text, errors_text, phrase, view_label
from comptoir.core.ui.record import about_properties, page_type

BULK_LIMIT = 1000
# Bulk actions that set fixed values, by object type: the same update as an edit, by name.
BULK_PRESETS = {"tasks": {"complete": {"hs_task_status": "COMPLETED"}}}


def ui_source(request) -> ChangeSource:
    return ChangeSource.for_user(request.user)


def index_context(request, ot, state: ListState) -> dict:
    """What every index page shows around its table: views, columns, bulk-action choices."""
    defs = registry.definitions(ot)
    return {
        "ot": ot,
        "state": state,
        "columns": column_headers(state, state.columns(request.user)),
        "builtin_views": [
            {"key": v.key, "label": view_label(v, ot), "url": state.view_url(v.key) or "?"}
            for v in BUILTIN_VIEWS.values()
        ],
        "saved_views": [
            {"view": v, "url": state.view_url(v.pk)} for v in visible_views(request.user, ot)
        ],
        "filterable": sorted(
            ((n, localised_label(d)) for n, d in defs.items() if not d.hidden),
            key=lambda item: item[1].lower(),
        ),
        "owners": make_field(defs["hubspot_owner_id"], None, "UTC").choices
        if "hubspot_owner_id" in defs
        else [],
    }


def list_context(request, ot, state: ListState) -> dict:
    ctx = filter_context()
    state.errors.extend(option_problems(state, ctx))
    context = index_context(request, ot, state)
    context["chips"] = chips(state, ctx)
    context["quick_filters"] = quick_filters(state, ctx)
    names = [c["name"] for c in context["columns"]]
    try:
        qs = state.queryset(request.user)
        count, capped = state.bounded_count(request.user, qs)
        rows, has_next = listing.page_of(state, qs, request.user, count, capped)
        index_requests.note_queries(ot, state.used_properties(request.user))
    except SearchError as exc:
        state.errors.append(str(exc))
        count, capped, rows, has_next = 0, False, [], False
    context.update(
        {
            "count": count,
            "capped": capped,
            "name_label": _("Name"),
            "name_sort": name_column(ot),
            "rows": table_rows(ot, rows, names, request.user, cells=True),
            "pager": list_pager(state, has_next),
        }
    )
    return context


def record_list(request, object_type):
    ot = get_object_type(object_type)
    state = list_state(request, ot)
    context = list_context(request, ot, state)
    if request.GET.get("create"):
        context["create_form"] = create_fields(ot, {}, {})
    partial = request.htmx and request.htmx.target == "records-table"
    template = "records/_table.html" if partial else "records/list.html"
    return render(request, template, context)


# -- create -----------------------------------------------------------------------------------


def create_fields(ot, values: dict, errors: dict) -> list:
    defs = registry.definitions(ot)
    tz = portal().report_time_zone
    return [
        make_field(defs[n], values.get(n), tz, errors.get(n, ""))
        for n in (ot.pages.create_fields if ot.pages else ())
        if n in defs
    ]


def form_properties(ot, post, names) -> dict:
    defs = registry.definitions(ot)
    tz = portal().report_time_zone
    return {
        n: submitted_value(defs[n], post.get(n), tz)
        for n in names
        if n in defs and post.get(n) not in (None,)
    }


def errors_by_field(exc) -> dict:
    if isinstance(exc, DuplicateValue):
        if exc.existing_id is None:  # a record the user may not see: no id
            return {exc.name: _("Already used by another record.")}
        return {exc.name: _("Already used by another record (#%(id)s).") % {"id": exc.existing_id}}
    return {e.name: error_text(e) for e in exc.errors}


def record_create(request, object_type):
    ot = get_object_type(object_type)
    if request.method != "POST":
        # The form starts with the user as owner, the first pipeline and its first stage.
        initial = new_record_defaults(ot, request.user)
        return render(
            request,
            "records/_create_dialog.html",
            {"ot": ot, "fields": create_fields(ot, initial, {})},
        )
    submitted = form_properties(ot, request.POST, ot.pages.create_fields)
    props = {k: v for k, v in submitted.items() if v != ""}
    # A field the form did not send takes its default; one sent empty stays empty.
    props.update(new_record_defaults(ot, request.user, submitted))
    try:
        props = with_default_owner(request.user, ot, props)
        record = writes.create_record(ot, props, source=ui_source(request), user=request.user)
    except (ValidationFailed, DuplicateValue) as exc:
        fields = create_fields(ot, {}, errors_by_field(exc))
        for field in fields:
            field.value = request.POST.get(field.name, "")
        response = render(
            request,
            "records/_create_dialog.html",
            {"ot": ot, "fields": fields, "failed": True},
            status=422,
        )
        return response
    messages.success(request, phrase("created", ot, name=display_name(ot, record)))
    url = detail_url(ot, record.pk)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# -- preview ----------------------------------------------------------------------------------


def record_preview(request, object_type, pk):
    ot = get_object_type(object_type)
    try:
        record = reads.get_record(ot, pk, user=request.user)
    except RecordNotFound:
        return render(request, "records/_gone.html", {"ot": ot}, status=404)

    return render(
        request,
        "records/_preview.html",
        {
            "ot": ot,
            "record": record,
            "name": display_name(ot, record),
            "properties": about_properties(ot, record),
            "url": detail_url(ot, pk),
        },
    )


# -- saved views and columns -----------------------------------------------------------------


def _back(request, ot, **params):
    state = list_state(request, ot)
    return redirect(reverse(f"{ot.name}:list") + state.url(**params))


@require_POST
def view_save(request, object_type):
    ot = get_object_type(object_type)
    state = list_state(request, ot)
    # The page ANDs several sets of filters; a saved view holds one set: combine them.
    combined = state.saved_filter_groups(request.user)
    try:
        view = views_service.save_view(
            request.user,
            ot,
            request.POST.get("name"),
            filter_groups=combined,
            query=state.query,
            sort=state.sort,
            columns=state.columns(request.user),
            shared=request.POST.get("shared") == "on",
        )
    except (ValidationFailed, SearchError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return _back(request, ot)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(reverse(f"{ot.name}:list") + state.view_url(view.pk))


def _own_view(request, ot, view_id):
    view = get_object_or_404(visible_views(request.user, ot), pk=view_id)
    return view


@require_POST
def view_change(request, object_type, view_id):
    ot = get_object_type(object_type)
    view = _own_view(request, ot, view_id)
    state = list_state(request, ot)
    action = request.POST.get("action")
    try:
        if action == "rename":
            views_service.rename_view(request.user, view, request.POST.get("name"))
            messages.success(request, _("View renamed."))
        elif action == "share":
            views_service.share_view(request.user, view, request.POST.get("shared") == "on")
            messages.success(request, _("Sharing updated."))
        elif action == "delete":
            views_service.delete_view(request.user, view)
            messages.success(request, _("View deleted."))
            return redirect(reverse(f"{ot.name}:list") + state.view_url("all"))
        else:
            raise Http404
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return redirect(reverse(f"{ot.name}:list") + state.view_url(view.pk))


def edit_columns(request, object_type):
    ot = get_object_type(object_type)
    state = list_state(request, ot)
    defs = registry.definitions(ot)
    if request.method == "POST":
        try:
            views_service.set_columns(
                request.user, ot, state.view_key, state.saved_view, request.POST.getlist("columns")
            )
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        return redirect(reverse(f"{ot.name}:list") + state.url())
    current = state.columns(request.user)
    labels = {
        n: state.column_labels.get(n) or localised_label(d)
        for n, d in defs.items()
        if n != name_column(ot) and not d.hidden
    }
    # The chosen columns first, in their order (the order the table shows and the form
    # sends back), then the others by name.
    chosen = [(n, labels[n]) for n in current if n in labels]
    others = sorted(
        ((n, text) for n, text in labels.items() if n not in current),
        key=lambda item: item[1].lower(),
    )
    return render(
        request,
        "records/_columns_dialog.html",
        {"ot": ot, "state": state, "chosen": chosen, "others": others},
    )


# -- bulk actions -----------------------------------------------------------------------------


@require_POST
@observers.batched  # new owners are told once, in one go, after the loop
def bulk_action(request, object_type):
    ot = page_type(object_type)
    ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None][:BULK_LIMIT]
    action = request.POST.get("action")
    source = ui_source(request)
    if not ids:
        messages.error(request, _("Select at least one record."))
        return _back(request, ot)
    if action == "delete" and not has_right(request.user, "can_bulk_delete"):
        messages.error(request, _("Your role does not allow deleting records in bulk."))
        return _back(request, ot)
    done, failed = 0, []
    for pk in ids:
        try:
            record = reads.get_record(ot, pk, user=request.user)
            require_edit(request.user, ot, record)
            if action == "delete":
                writes.archive_record(ot, pk, source=source)
            elif action in BULK_PRESETS.get(ot.name, {}):
                writes.update_record(
                    ot, pk, BULK_PRESETS[ot.name][action], source=source, user=request.user
                )
            elif action == "assign_owner":
                writes.update_record(
                    ot,
                    pk,
                    {"hubspot_owner_id": request.POST.get("owner")},
                    source=source,
                    user=request.user,
                )
            elif action == "edit_property":
                name = request.POST.get("property", "")
                defs = registry.definitions(ot)
                if name not in defs:
                    raise ValidationFailed([])
                value = submitted_value(
                    defs[name], request.POST.get("value", ""), portal().report_time_zone
                )
                writes.update_record(ot, pk, {name: value}, source=source, user=request.user)
            else:
                raise Http404
            done += 1
        except NotAllowed:
            failed.append(_("you can see these records but not change them"))
        except (ValidationFailed, DuplicateValue, RecordNotFound) as exc:
            failed.append(errors_text(exc) or _("not allowed"))
    if done:
        messages.success(
            request,
            ngettext("%(n)d record updated.", "%(n)d records updated.", done) % {"n": done}
            if action != "delete"
            else ngettext(
                "%(n)d record deleted. It stays restorable for 90 days.",
                "%(n)d records deleted. They stay restorable for 90 days.",
                done,
            )
            % {"n": done},
        )
    if failed:
        messages.error(
            request,
            ngettext(
                "%(n)d record was not changed: %(reason)s",
                "%(n)d records were not changed: %(reason)s",
                len(failed),
            )
            % {"n": len(failed), "reason": failed[0]},
        )
    return _back(request, ot)
