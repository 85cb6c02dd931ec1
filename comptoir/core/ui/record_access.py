"""Which record of a record page the user may see or change, and the answers when not: a
record deleted or merged since the page was loaded gets a clear message, never an error;
one the user may see but not change gets a 403 (SET-5)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.accounts import owner_model
from comptoir.core.permissions import ALL, can_edit, edit_scope, view_scope
from comptoir.core.properties.errors import RecordNotFound
from comptoir.core.records import reads
from comptoir.core.records.values import base_queryset


def detail_url(ot, pk) -> str:
    return reverse(f"{ot.name}:detail", args=[pk])


def merged_into(ot, pk):
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
    merged = merged_into(ot, pk)
    if merged and not exists(request, ot, merged):
        merged = None
    context = {
        "ot": ot,
        "merged_url": detail_url(ot, merged) if merged else "",
        "list_url": reverse(f"{ot.name}:list"),
    }
    if request.htmx:
        response = render(request, "records/_stale.html", context, status=410)
        response["HX-Retarget"] = "#record-alert"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "records/gone.html", context, status=410)


def visible_record(request, ot, pk):
    """(record, None) or (None, stale response): only records the user may see."""
    try:
        return reads.get_record(ot, pk, user=request.user), None
    except RecordNotFound:
        return None, stale_response(request, ot, pk)


def exists(request, ot, pk) -> bool:
    return base_queryset(ot, user=request.user).filter(pk=pk).exists()


def may_edit(request, ot, pk) -> bool:
    """Whether the user may change the record: what the page offers (no "Add", no remove button, no
    edit in place for a record the user may only see). No query when the role changes every
    record of the type."""
    if view_scope(request.user, ot) == ALL and edit_scope(request.user, ot) == ALL:
        return True
    try:
        record = reads.get_record(ot, pk, user=request.user)
    except RecordNotFound:
        return False
    return can_edit(request.user, ot, record)


READ_ONLY_MESSAGE = _lazy("You can see this record but not change it.")


def read_only_response(request, ot, pk):
    """403 for a change to a record the user may see but not edit (SET-5)."""
    if not request.htmx:
        messages.error(request, str(READ_ONLY_MESSAGE))
        return redirect(detail_url(ot, pk))
    # Plain text: the page's request-error banner shows it as it is (app.js).
    response = HttpResponse(str(READ_ONLY_MESSAGE), status=403, content_type="text/plain")
    response["HX-Reswap"] = "none"
    return response


def locked_response(request, ot, pk):
    """None when the user may change the record, else the response to send."""
    try:
        record = reads.get_record(ot, pk, user=request.user)
    except RecordNotFound:
        return stale_response(request, ot, pk)
    if not can_edit(request.user, ot, record):
        return read_only_response(request, ot, pk)
    return None


def status_html(text: str) -> str:
    """Out-of-band content for the page's polite status region."""
    return render_to_string("records/_status.html", {"text": text})


def user_owner_id(user):
    return owner_model().objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
