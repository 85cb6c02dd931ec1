"""Folders of a portal library (email templates, documents): everyone sees the same
folders, what is in them depends on who looks. The model's fields, the form text check and
the creation and deletion rules live here once; each library subclasses the model."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.inputs import storable
from comptoir.core.permissions import NotAllowed, has_right

MAX_FOLDER = 100


class LibraryFolder(models.Model):
    name = models.CharField(max_length=MAX_FOLDER, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


def form_text(errors: dict, name: str, raw, limit: int, *, required_message: str = "") -> str:
    """A form's text field, stripped; a message added to errors[name] when it is missing
    (with a `required_message`), too long or not storable."""
    value = (raw or "").strip()
    if required_message and not value:
        errors.setdefault(name, []).append(required_message)
    elif len(value) > limit:
        errors.setdefault(name, []).append(
            _("At most %(n)d characters (this one has %(m)d).") % {"n": limit, "m": len(value)}
        )
    elif not storable(value):
        errors.setdefault(name, []).append(_("Contains a character that cannot be stored."))
    return value


def create_folder(model, user, name, error_class):
    """A new folder of `model` named `name`; `error_class(errors)` for a missing, too long
    or taken name (errors by form field: "folder_name")."""
    errors: dict[str, list[str]] = {}
    name = form_text(
        errors, "folder_name", name, MAX_FOLDER, required_message=_("Give the folder a name.")
    )
    if not errors and model.objects.filter(name__iexact=name).exists():
        errors["folder_name"] = [_("A folder named “%(name)s” already exists.") % {"name": name}]
    if errors:
        raise error_class(errors)
    return model.objects.create(name=name, created_by=user)


def delete_folder(user, folder, contents) -> None:
    """Its creator or an administrator; what was in it (`contents`, the items' model with a
    `folder` key) stays, outside any folder."""
    if folder.created_by_id != user.pk and not has_right(user, "can_manage_settings"):
        raise NotAllowed(_("Only the folder's creator or an administrator can delete it."))
    with transaction.atomic():
        contents.objects.filter(folder=folder).update(folder=None)
        folder.delete()
