"""Who sees and changes which email template (TOOL-3, SET-5).

A private template is its owner's alone; a shared one everyone sees. Anyone may use a
template they see. Changing (editing, archiving) a template: its owner always; someone
else's shared template per the user's role, as for emails logged on records (the
"activities" edit scope of core/permissions.py): all of them with the scope "all", a
teammate's with "team", none with "owned". A template the user cannot see answers exactly
as a missing one (404).
"""

from django.db.models import Q
from django.http import Http404

from comptoir.core.permissions import ALL, TEAM, edit_scope, owner_id, team_owner_ids
from comptoir.emailtemplates.models import EmailTemplate

# Templates are emails: the edit scope of email activities decides.
SCOPE_TYPE = "emails"


def visible_templates(user, *, archived: bool | None = False):
    qs = EmailTemplate.objects.filter(Q(owner=user) | Q(shared=True))
    if archived is not None:
        qs = qs.filter(archived=archived)
    return qs


def get_visible(user, template_id, *, archived: bool | None = None) -> EmailTemplate:
    """The template, or Http404 when it does not exist or `user` may not see it."""
    template = (
        visible_templates(user, archived=archived)
        .select_related("folder", "owner")
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise Http404("No such template")
    return template


def can_edit(user, template: EmailTemplate) -> bool:
    if template.owner_id == user.pk:
        return True
    if not template.shared:
        return False
    scope = edit_scope(user, SCOPE_TYPE)
    if scope == ALL:
        return True
    if scope == TEAM:
        theirs = owner_id(template.owner)
        return theirs is not None and theirs in team_owner_ids(user)
    return False
