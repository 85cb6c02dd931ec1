"""The tasks page (UI-6): due-date tabs, filters, complete in one click, add and edit with
associations. Every write goes through the record and association services."""

import datetime as dt
import zoneinfo
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from comptoir.activities import tasks_page as page
from comptoir.core.associations.services import associate, remove_association
from comptoir.core.i18n import type_label
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import crm_names, get_object_type
from comptoir.core.permissions import can_edit, with_default_owner
from comptoir.core.portal.services import portal
from comptoir.core.properties import index_requests, registry
from comptoir.core.properties.errors import RecordNotFound, ValidationFailed
from comptoir.core.properties.formatting import option_label, owner_names
from comptoir.core.records import reads, validation, writes
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.savedviews import listing
from comptoir.core.savedviews.listing import list_state
from comptoir.core.search.compiler import SearchError, apply_query
from comptoir.core.ui.fields import Field, make_field, submitted_value
from comptoir.core.ui.pager import list_pager
from comptoir.core.ui.phrases import error_text
from comptoir.core.ui.views import index_context, ui_source

FORM_FIELDS = [
    "hs_task_subject",
    "hs_timestamp",
    "hs_task_type",
    "hs_task_priority",
    "hubspot_owner_id",
    "hs_task_status",
    "hs_task_body",
]
ADD_FIELDS = [n for n in FORM_FIELDS if n != "hs_task_status"]
LABELS = page.LABELS
ERROR_MESSAGES = {
    "INVALID_DATETIME": _lazy("Enter a valid date and time."),
    "INVALID_DATE": _lazy("Enter a valid date."),
    "INVALID_OPTION": _lazy("Choose one of the listed values."),
    "TOO_LONG": _lazy("This text is too long."),
}
SEARCH_LIMIT = 5


class TaskField(Field):
    """A property field with the tasks page's own wording (“Due date”, not “Activity date”)."""

    @property
    def label(self):
        return LABELS.get(self.defn.name) or super().label


def _ot():
    return get_object_type("tasks")


def _tz() -> str:
    return portal().report_time_zone


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# -- the page ---------------------------------------------------------------------------------


def _filter_choices(defs) -> dict:
    def options(name):
        return [
            (o["value"], option_label(defs[name], o["value"]))
            for o in defs[name].options
            if not o.get("hidden")
        ]

    owners = sorted(owner_names().items(), key=lambda item: item[1].lower())
    return {
        "owners": owners,
        "statuses": options("hs_task_status"),
        "types": options("hs_task_type"),
    }


def tasks_page(request):
    """The generic index (views, columns, filters, sort, bulk actions, preview) with the
    due-date tabs on top and the task's own cells: complete box, associations, due date."""
    ot = _ot()
    state = list_state(request, ot)
    tz = _tz()
    defs = registry.definitions("tasks")
    context = index_context(request, ot, state)
    names = [c["name"] for c in context["columns"]]
    try:
        base = state.untabbed_queryset(request.user)
        counts = page.tab_counts(base, tz)
        count, capped = counts.get(state.tab, (0, False))
        qs = base.filter(page.tab_condition(state.tab, tz))
        tasks, has_next = listing.page_of(state, qs, request.user, count, capped)
        index_requests.note_queries(ot, state.used_properties(request.user))
    except SearchError as exc:
        state.errors.append(str(exc))
        counts, tasks, has_next = {}, [], False
    page_url = reverse("tasks:list") + state.url()
    context.update(
        {
            "tabs": [
                {
                    "key": key,
                    "label": label,
                    "url": state.tab_url(key),
                    "count": counts.get(key, (None, False))[0],
                    "capped": counts.get(key, (None, False))[1],
                    "current": key == state.tab,
                }
                for key, label in page.TABS.items()
            ],
            "name_label": LABELS["hs_task_subject"],
            "name_sort": "hs_task_subject",
            # What the filter form keeps besides its own fields.
            "kept": [
                (k, v)
                for k, v in state.params().items()
                if k in ("tab", "view", "sort", "per_page", "filters")
            ],
            "rows": page.task_rows(tasks, names, request.user),
            "pager": list_pager(state, has_next),
            "clear_url": state.url(
                owner="", status="", type="", due_from="", due_to="", q="", filters="", page=1
            )
            or "?",
            "page_url": page_url,
            "create_url": state.url(create=1),
            "choices": _filter_choices(defs),
            "counts": counts,
        }
    )
    if request.GET.get("create"):
        context["dialog"] = _add_context(request, page_url)
    elif parse_id(request.GET.get("edit")) is not None:
        context["dialog"] = _edit_context(request, parse_id(request.GET["edit"]), page_url)
    return render(request, "tasks/page.html", context)


def _page_columns(request, page_url: str) -> list[str]:
    """The columns of the page a row was changed from, to draw it again the same way."""
    query = QueryDict(urlsplit(page_url).query)
    return page.TaskListState.from_params(query, request.user, _ot()).columns(request.user)


# -- one-click completion ---------------------------------------------------------------------


@require_POST
def task_complete(request, pk):
    """Checkbox on a row: COMPLETED when checked; unchecked restores the previous status."""
    done = request.POST.get("done") == "1"
    previous = request.POST.get("previous", "")
    defs = registry.definitions("tasks")
    open_statuses = {o["value"] for o in defs["hs_task_status"].options} - {page.COMPLETED}
    status = page.COMPLETED if done else (previous if previous in open_statuses else "NOT_STARTED")
    page_url = _safe_next(request, reverse("tasks:list"))
    try:
        task = reads.get_record(_ot(), pk, user=request.user)
        if not can_edit(request.user, _ot(), task):
            messages.error(request, _("You can see this task but not change it."))
            return HttpResponse(status=403) if request.htmx else redirect(page_url)
        before = read_value(task, defs["hs_task_status"]) or "NOT_STARTED"
        task = writes.update_record(
            _ot(), task, {"hs_task_status": status}, source=ui_source(request)
        )
    except RecordNotFound:
        message = _("This task no longer exists (deleted meanwhile).")
        if not request.htmx:  # a 404 like the task's page: one the user may not see too
            return render(request, "records/gone.html", {"ot": _ot()}, status=404)
        return render(request, "tasks/_gone_row.html", {"message": message, "pk": pk}, status=404)
    subject = read_value(task, defs["hs_task_subject"]) or _("(untitled task)")
    if done:
        message = _("“%(task)s” completed. Uncheck it to undo.") % {"task": subject}
    else:
        message = _("“%(task)s” is open again.") % {"task": subject}
    if not request.htmx:
        messages.success(request, message)
        return redirect(page_url)
    row = page.task_rows([task], _page_columns(request, page_url), request.user)[0]
    row["previous"] = before if done and before != page.COMPLETED else ""
    return render(
        request, "tasks/_complete.html", {"row": row, "message": message, "page_url": page_url}
    )


# -- add and edit -----------------------------------------------------------------------------


def _fields(names, values: dict, errors: dict, typed: dict | None = None) -> list[TaskField]:
    defs = registry.definitions("tasks")
    tz = _tz()
    fields = []
    for name in names:
        base = make_field(defs[name], values.get(name), tz, errors.get(name, ""))
        field = TaskField(
            defn=base.defn,
            value=base.value,
            widget=base.widget,
            choices=base.choices,
            error=base.error,
        )
        if typed is not None and name in typed:
            field.value = typed[name]
        fields.append(field)
    return fields


def _default_due(tz: str) -> str:
    """Tomorrow at 9:00 in the report time zone."""
    tomorrow = page.local_today(tz) + dt.timedelta(days=1)
    local = dt.datetime.combine(tomorrow, dt.time(9), tzinfo=zoneinfo.ZoneInfo(tz))
    return local.astimezone(dt.UTC).isoformat()


def _chosen(pairs, user) -> list[dict]:
    """[(type, id)] → [{type, id, name, kind}] for live records the user may see."""
    by_type: dict[str, list[int]] = {}
    for to_type, to_id in pairs:
        by_type.setdefault(to_type, []).append(to_id)
    names = {}
    for to_type, ids in by_type.items():
        ot = get_object_type(to_type)
        qs = base_queryset(ot, user=user).filter(pk__in=ids)
        for record in qs.only(*ot.summary_fields):
            names[(to_type, record.pk)] = display_name(ot, record)
    return [
        {
            "type": t,
            "id": i,
            "name": names[(t, i)],
            "kind": type_label(t, plural=False),
            "url": reverse(f"{t}:detail", args=[i]),
        }
        for t, i in pairs
        if (t, i) in names
    ]


def _parse_assoc(values, user) -> tuple[list[tuple[str, int]], str]:
    pairs, error = [], ""
    for value in values:
        to_type, _sep, raw_id = str(value).partition(":")
        record_id = parse_id(raw_id)
        if to_type not in crm_names() or record_id is None:
            error = _("A task can be associated with contacts, companies and deals only.")
            continue
        pair = (to_type, record_id)
        if pair not in pairs:
            pairs.append(pair)
    if not error and len(_chosen(pairs, user)) != len(pairs):
        error = _("One of the chosen records no longer exists: remove it and try again.")
    return pairs, error


def _existing_assoc(pk, user) -> list[tuple[str, int]]:
    """The task's links to records the user may see (the others are neither shown nor
    removed by the dialog)."""
    links = page.associated_records([pk], user).get(pk, [])
    return [(link["type"], link["id"]) for link in links]


def _dialog(request, *, task=None, fields, chosen, page_url, failed="", status=200, version=""):
    action = reverse("tasks:edit", args=[task.pk]) if task is not None else reverse("tasks:add")
    return render(
        request,
        "tasks/_task_dialog.html",
        {
            "task": task,
            "fields": fields,
            "chosen": chosen,
            "action": action,
            "page_url": page_url,
            "failed": failed,
            "version": version,
        },
        status=status,
    )


def _add_context(request, page_url) -> dict:
    owner = getattr(request.user, "owner", None)
    values = {
        "hs_timestamp": _default_due(_tz()),
        "hs_task_type": "TODO",
        "hs_task_priority": "NONE",
        "hubspot_owner_id": str(owner.pk) if owner else None,
    }
    pairs, _error = _parse_assoc(request.GET.getlist("assoc"), request.user)
    return {
        "task": None,
        "fields": _fields(ADD_FIELDS, values, {}),
        "chosen": _chosen(pairs, request.user),
        "action": reverse("tasks:add"),
        "page_url": page_url,
    }


def _edit_context(request, pk, page_url) -> dict | None:
    try:
        task = reads.get_record(_ot(), pk, user=request.user)
    except RecordNotFound:
        return {"gone": True, "page_url": page_url}
    defs = registry.definitions("tasks")
    values = {n: read_value(task, defs[n]) for n in FORM_FIELDS}
    return {
        "task": task,
        "fields": _fields(FORM_FIELDS, values, {}),
        "chosen": _chosen(_existing_assoc(pk, request.user), request.user),
        "action": reverse("tasks:edit", args=[pk]),
        "page_url": page_url,
        "version": task.updated_at.isoformat(),
    }


def _error_text(problem) -> str:
    return str(ERROR_MESSAGES.get(problem.code) or error_text(problem))


def _read_form(request, names, *, creating: bool):
    """(properties, typed values, errors) from the submitted form; saves nothing."""
    defs = registry.definitions("tasks")
    tz = _tz()
    typed = {n: request.POST.get(n, "") for n in names}
    props = {n: submitted_value(defs[n], typed[n], tz) for n in names}
    if creating:
        props = {n: v for n, v in props.items() if v != ""}
    errors = {}
    if not str(props.get("hs_task_subject") or "").strip():
        errors["hs_task_subject"] = _("Enter a title for the task.")
    if not props.get("hs_timestamp"):
        errors["hs_timestamp"] = _("Enter a due date.")
    _values, problems = validation.validate(
        _ot(), {n: v for n, v in props.items() if n not in errors}
    )
    for problem in problems:
        errors.setdefault(problem.name, _error_text(problem))
    return props, typed, errors


def _saved(request, message, page_url):
    messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = page_url
        return response
    return redirect(page_url)


def _showing(page_url: str, task) -> str:
    """The tasks page the user came from, on the tab where the new task is."""
    parts = urlsplit(page_url)
    if parts.path != reverse("tasks:list"):
        return page_url  # added from another page (a record): go back there
    params = dict(parse_qsl(parts.query))
    if params.get("tab") == "all":
        return page_url
    status = task.properties.get("hs_task_status")
    params["tab"] = (
        "completed" if status == page.COMPLETED else page.tab_of(task.hs_timestamp, _tz())
    )
    params.pop("page", None)
    if params["tab"] == page.DEFAULT_TAB:
        params.pop("tab")
    return parts.path + ("?" + urlencode(params) if params else "")


def task_add(request):
    page_url = _safe_next(request, reverse("tasks:list"))
    if request.method != "POST":
        return render(request, "tasks/_task_dialog.html", _add_context(request, page_url))
    props, typed, errors = _read_form(request, ADD_FIELDS, creating=True)
    pairs, assoc_error = _parse_assoc(request.POST.getlist("assoc"), request.user)
    if assoc_error:
        errors["associations"] = assoc_error
    if not errors:
        try:
            task = writes.create_record(
                _ot(),
                with_default_owner(request.user, _ot(), props),
                source=ui_source(request),
                associations=[(t, i, None) for t, i in pairs],
                user=request.user,
            )
        except ValidationFailed as exc:
            errors = {p.name: _error_text(p) for p in exc.errors}
        else:
            subject = read_value(task, registry.definitions("tasks")["hs_task_subject"])
            return _saved(
                request,
                _("Task “%(task)s” created.") % {"task": subject},
                _showing(page_url, task),
            )
    fields = _fields(ADD_FIELDS, {}, errors, typed)
    return _dialog(
        request,
        fields=fields,
        chosen=_chosen(pairs, request.user),
        page_url=page_url,
        failed=errors.get("associations", "") or "fields",
        status=422,
    )


def task_edit(request, pk):
    page_url = _safe_next(request, reverse("tasks:list"))
    if request.method != "POST":
        context = _edit_context(request, pk, page_url)
        return render(
            request, "tasks/_task_dialog.html", context, status=404 if context.get("gone") else 200
        )
    try:
        task = reads.get_record(_ot(), pk, user=request.user)
    except RecordNotFound:
        return render(
            request, "tasks/_task_dialog.html", {"gone": True, "page_url": page_url}, status=404
        )
    if not can_edit(request.user, _ot(), task):
        messages.error(request, _("You can see this task but not change it."))
        return HttpResponse(status=403) if request.htmx else redirect(page_url)
    props, typed, errors = _read_form(request, FORM_FIELDS, creating=False)
    pairs, assoc_error = _parse_assoc(request.POST.getlist("assoc"), request.user)
    if assoc_error:
        errors["associations"] = assoc_error
    version = task.updated_at.isoformat()
    stale = request.POST.get("version") not in ("", None, version)
    if errors or stale:
        fields = _fields(FORM_FIELDS, {}, errors, typed)
        failed = "stale" if stale and not errors else (errors.get("associations") or "fields")
        return _dialog(
            request,
            task=task,
            fields=fields,
            chosen=_chosen(pairs, request.user),
            page_url=page_url,
            failed=failed,
            version=version,
            status=409 if failed == "stale" else 422,
        )
    source = ui_source(request)
    before = set(_existing_assoc(pk, request.user))
    try:
        with transaction.atomic():
            task = writes.update_record(_ot(), pk, props, source=source, user=request.user)
            for to_type, to_id in sorted(before - set(pairs)):
                remove_association("tasks", pk, to_type, to_id, source=source)
            for to_type, to_id in pairs:
                if (to_type, to_id) not in before:
                    associate("tasks", pk, to_type, to_id, source=source, user=request.user)
    except ValidationFailed as exc:
        errors = {p.name: _error_text(p) for p in exc.errors}
        fields = _fields(FORM_FIELDS, {}, errors, typed)
        return _dialog(
            request,
            task=task,
            fields=fields,
            chosen=_chosen(pairs, request.user),
            page_url=page_url,
            failed=errors.get("associations", "") or "fields",
            version=version,
            status=422,
        )
    except RecordNotFound:
        return render(
            request, "tasks/_task_dialog.html", {"gone": True, "page_url": page_url}, status=404
        )
    subject = read_value(task, registry.definitions("tasks")["hs_task_subject"])
    return _saved(request, _("Task “%(task)s” saved.") % {"task": subject}, page_url)


# -- as-you-type search for associations -------------------------------------------------------


def association_search(request):
    text = (request.GET.get("assoc_q") or request.GET.get("q") or "").strip()[:100]
    results = []
    if text:
        for to_type in crm_names():
            ot = get_object_type(to_type)
            qs = apply_query(base_queryset(ot, user=request.user), ot, text).only(
                *ot.summary_fields
            )
            for record in qs.order_by("-pk")[:SEARCH_LIMIT]:
                results.append(
                    {
                        "type": to_type,
                        "id": record.pk,
                        "name": display_name(ot, record),
                        "kind": type_label(to_type, plural=False),
                    }
                )
    return render(request, "tasks/_assoc_results.html", {"results": results, "text": text})
