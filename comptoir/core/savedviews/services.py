"""Saving, renaming, sharing and deleting views; choosing columns (UI-1)."""

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import index_requests, registry
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.savedviews.models import SavedView, ViewPreference
from comptoir.core.savedviews.relative import resolve
from comptoir.core.search.compiler import compile_filter_groups

MAX_NAME = 120


def _fail(field, message):
    raise ValidationFailed([PropertyError(field, "INVALID", message)], message)


def _clean_name(user, ot, name, exclude=None) -> str:
    name = (name or "").strip()
    if not name:
        _fail("name", _("Give the view a name."))
    if len(name) > MAX_NAME:
        _fail("name", _("A view name has at most %(n)d characters.") % {"n": MAX_NAME})
    taken = SavedView.objects.filter(owner=user, object_type=ot.name, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        _fail("name", _("You already have a view named “%(name)s”.") % {"name": name})
    return name


def _clean_columns(ot, columns) -> list[str]:
    defs = registry.definitions(ot)
    unknown = [c for c in columns if c not in defs]
    if unknown:
        _fail("columns", _("Unknown column(s): %(names)s") % {"names": ", ".join(unknown)})
    return list(dict.fromkeys(columns))


def save_view(
    user, ot, name, *, filter_groups, query="", sort="", columns=(), shared=False
) -> SavedView:
    # Refuses what the list could not run; relative values stay relative in the view.
    compile_filter_groups(ot, resolve(ot, filter_groups, user))
    with transaction.atomic():
        view = SavedView.objects.create(
            object_type=ot.name,
            owner=user,
            name=_clean_name(user, ot, name),
            filter_groups=filter_groups,
            query=query,
            sort=sort,
            columns=_clean_columns(ot, columns),
            shared=shared,
        )
        # Its filters and sort ask for the indexes they lack (built by the worker after
        # the commit; the view works meanwhile, unindexed).
        index_requests.request_for_view(view)
    return view


def _own(user, view: SavedView) -> None:
    if view.owner_id != user.pk:
        _fail("view", _("Only the owner of a view can change it."))


def rename_view(user, view: SavedView, name: str) -> SavedView:
    _own(user, view)
    view.name = _clean_name(user, view_ot(view), name, exclude=view)
    view.save(update_fields=["name", "updated_at"])
    return view


def share_view(user, view: SavedView, shared: bool) -> SavedView:
    _own(user, view)
    view.shared = shared
    view.save(update_fields=["shared", "updated_at"])
    return view


def delete_view(user, view: SavedView) -> None:
    _own(user, view)
    view.delete()


def set_columns(user, ot, view_key: str, view: SavedView | None, columns) -> None:
    columns = _clean_columns(ot, columns)
    if not columns:
        _fail("columns", _("Choose at least one column."))
    with transaction.atomic():
        if view is not None and view.owner_id == user.pk:
            view.columns = columns
            view.save(update_fields=["columns", "updated_at"])
        else:
            key = str(view.pk) if view is not None else view_key
            ViewPreference.objects.update_or_create(
                user=user, object_type=ot.name, view_key=key, defaults={"columns": columns}
            )


def view_ot(view: SavedView):
    return get_object_type(view.object_type)
