"""The pages' side of library folders (core/folders.py): create from the library's form,
delete by id; each answers with a message and goes back to the library's list."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.core.permissions import NotAllowed


def create(request, create_folder, error_class, list_name: str):
    """POST folder_name: `create_folder(user, name)`; its errors shown as messages."""
    try:
        folder = create_folder(request.user, request.POST.get("folder_name", ""))
    except error_class as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(list_name)
    messages.success(request, _("Folder “%(name)s” created.") % {"name": folder.name})
    return redirect(reverse(list_name) + f"?folder={folder.pk}")


def delete(request, model, folder_id, delete_folder, list_name: str, deleted_message: str):
    """`delete_folder(user, folder)` of the folder `folder_id` (404 if none)."""
    folder = get_object_or_404(model, pk=folder_id)
    try:
        delete_folder(request.user, folder)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect(reverse(list_name) + f"?folder={folder.pk}")
    messages.success(request, deleted_message % {"name": folder.name})
    return redirect(list_name)
