"""Writing email templates and folders (TOOL-3): every change goes through here, checked
first (each refused value named), then saved in one transaction."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core import folders
from comptoir.core.inputs import parse_id, storable
from comptoir.core.permissions import NotAllowed
from comptoir.core.ui.richtext import clean_html
from comptoir.emailtemplates.access import can_edit
from comptoir.emailtemplates.models import EmailTemplate, TemplateFolder
from comptoir.emailtemplates.tokens import problems

MAX_NAME = 200
MAX_SUBJECT = 500
MAX_BODY = 200_000  # characters of HTML: a long email is a few thousand


class TemplateError(ValueError):
    """Refused input: {field: [messages]}; nothing was saved."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


_text = folders.form_text


def _clean(name, subject, body, folder_id) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    values = {
        "name": _text(
            errors, "name", name, MAX_NAME, required_message=_("Give the template a name.")
        ),
        "subject": _text(errors, "subject", subject, MAX_SUBJECT),
    }
    raw_body = body or ""
    if len(raw_body) > MAX_BODY:
        errors.setdefault("body", []).append(
            _("The body has at most %(n)d characters (this one has %(m)d).")
            % {"n": MAX_BODY, "m": len(raw_body)}
        )
        values["body"] = ""
    else:
        values["body"] = clean_html(raw_body) if storable(raw_body) else ""
        if not storable(raw_body):
            errors.setdefault("body", []).append(_("Contains a character that cannot be stored."))
    for field_name in ("subject", "body"):
        if field_name not in errors:
            found = problems(values[field_name])
            if found:
                errors[field_name] = found
    folder = None
    if folder_id not in (None, ""):
        pk = parse_id(str(folder_id))  # a form's text: not a number is no folder
        folder = TemplateFolder.objects.filter(pk=pk).first() if pk is not None else None
        if folder is None:
            errors["folder"] = [_("This folder does not exist any more.")]
    values["folder"] = folder
    return values, errors


def create_template(user, *, name, subject="", body="", folder_id=None, shared=False):
    values, errors = _clean(name, subject, body, folder_id)
    if errors:
        raise TemplateError(errors)
    now = timezone.now()
    return EmailTemplate.objects.create(
        owner=user,
        shared=bool(shared),
        created_at=now,
        updated_at=now,
        updated_by_id=user.pk,
        **values,
    )


def update_template(user, template, *, name, subject="", body="", folder_id=None, shared=None):
    """`shared`: None keeps it; only the owner may make a template private or shared."""
    _require_edit(user, template)
    values, errors = _clean(name, subject, body, folder_id)
    if shared is not None and bool(shared) != template.shared and template.owner_id != user.pk:
        errors["shared"] = [_("Only the owner of a template can share it or make it private.")]
    if errors:
        raise TemplateError(errors)
    with transaction.atomic():
        locked = EmailTemplate.objects.select_for_update().get(pk=template.pk)
        for key, value in values.items():
            setattr(locked, key, value)
        if shared is not None:
            locked.shared = bool(shared)
        locked.updated_at = timezone.now()
        locked.updated_by_id = user.pk
        locked.save(update_fields=[*values, "shared", "updated_at", "updated_by_id"])
    return locked


def duplicate_template(user, template):
    """A private copy for `user` of a template they see, named “… (copy)”."""
    name = _("%(name)s (copy)") % {"name": template.name}
    now = timezone.now()
    return EmailTemplate.objects.create(
        owner=user,
        name=name[:MAX_NAME],
        subject=template.subject,
        body=template.body,
        folder=template.folder,
        shared=False,
        created_at=now,
        updated_at=now,
        updated_by_id=user.pk,
    )


def set_archived(user, template, archived: bool):
    _require_edit(user, template)
    now = timezone.now()
    EmailTemplate.objects.filter(pk=template.pk).update(
        archived=archived,
        archived_at=now if archived else None,
        updated_at=now,
        updated_by_id=user.pk,
    )
    template.refresh_from_db()
    return template


def _require_edit(user, template) -> None:
    if not can_edit(user, template):
        raise NotAllowed(_("You can use this shared template but not change it."))


def create_folder(user, name) -> TemplateFolder:
    return folders.create_folder(TemplateFolder, user, name, TemplateError)


def delete_folder(user, folder) -> None:
    """Its creator or an administrator; its templates stay, outside any folder."""
    folders.delete_folder(user, folder, EmailTemplate)
