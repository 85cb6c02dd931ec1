"""Settings > Indexes (issue 16): every property index with its state and size; an
administrator asks for one now or drops an on-demand one. Built-in indexes come with the
migrations; on-demand ones are built by the worker (core/properties/index_requests.py)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.i18n import localised_label, type_label
from comptoir.core.objects.registry import UnknownObjectType, get_object_type
from comptoir.core.properties import index_listing, index_requests, registry
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.properties.indexes import ON_DEMAND_PREFIX
from comptoir.core.properties.models import IndexReason, IndexStatus
from comptoir.core.savedviews.models import SavedView
from comptoir.settings_pages.views import page, settings_admin
from comptoir.users.models import User

KEY = "indexes"


def _requested_by(rows) -> None:
    """Who asked for each row, in words: users and saved views read in two queries."""
    requests = [r.request for r in rows if r.request is not None]
    users = {
        u.pk: u.get_full_name() or u.email
        for u in User.objects.filter(pk__in={q.actor_id for q in requests if q.actor_id})
    }
    views = dict(
        SavedView.objects.filter(
            pk__in={q.saved_view_id for q in requests if q.saved_view_id}
        ).values_list("pk", "name")
    )
    for row in rows:
        q = row.request
        if row.builtin:
            row.requested_by = _("Built in")
        elif q is None or not q.reason:
            row.requested_by = "—"
        elif q.reason == IndexReason.SAVED_VIEW:
            name = views.get(q.saved_view_id)
            row.requested_by = (
                _("Saved view “%(name)s”") % {"name": name} if name else _("Saved view")
            )
        else:
            row.requested_by = str(q.get_reason_display())
        row.actor = users.get(q.actor_id, "") if q is not None else ""


@settings_admin
def indexes(request):
    rows = index_listing.index_rows()
    _requested_by(rows)
    builtin = [r for r in rows if r.builtin]
    sizes = [r.size for r in builtin]
    return page(
        request,
        KEY,
        "settings/indexes.html",
        {
            "on_demand": [r for r in rows if not r.builtin],
            "builtin": builtin,
            # Their total on disk, for the folded table's summary; None when a size is unknown.
            "builtin_size": None if None in sizes else sum(sizes),
            "caps": index_listing.caps(),
            "cap": settings.COMPTOIR_MAX_PROPERTY_INDEXES,
            "statuses": IndexStatus,
        },
    )


def _target(data):
    """(object type, property definition) named by a form, or 404: no page for names that
    do not exist (whatever was sent in their place)."""
    try:
        ot = get_object_type(str(data.get("object_type", ""))[:64])
    except UnknownObjectType:
        raise Http404 from None
    defn = registry.definitions(ot).get(str(data.get("property", ""))[:100])
    if defn is None or not ot.pages:
        raise Http404
    return ot, defn


@settings_admin
@require_POST
def build(request):
    ot, defn = _target(request.POST)
    label = localised_label(defn)
    try:
        row = index_requests.request_index(
            ot, defn.name, IndexReason.ADMIN, actor_id=request.user.pk
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("settings:indexes")
    if row is None:
        messages.info(request, _("“%(label)s” is already indexed.") % {"label": label})
    elif row.status == IndexStatus.REFUSED:
        messages.error(
            request,
            _("The index of “%(label)s” was refused: %(error)s")
            % {"label": label, "error": row.error},
        )
    else:
        messages.success(
            request,
            _("The index of “%(label)s” will be built in the background.") % {"label": label},
        )
    return redirect("settings:indexes")


@settings_admin
def drop(request):
    ot, defn = _target(request.POST if request.method == "POST" else request.GET)
    if not defn.index_name.startswith(ON_DEMAND_PREFIX):
        raise Http404  # built-in indexes belong to the migrations
    label = localised_label(defn)
    if request.method == "POST":
        try:
            index_requests.drop_index(ot, defn.name, actor_id=request.user.pk)
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The index of “%(label)s” was dropped.") % {"label": label})
        return redirect("settings:indexes")
    return page(
        request,
        KEY,
        "settings/index_drop.html",
        {"ot": ot, "defn": defn, "label": label, "type_label": type_label(ot)},
    )
