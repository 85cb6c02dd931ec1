"""Teams and roles (SET-5): a user's role and teams, creating, renaming and deleting
teams, custom roles and their scopes; and the rule that someone must always be left who
can manage settings.

Every refusal is a UserError naming the form field it belongs to, worded for the user;
nothing is changed when one is raised."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.permissions import RIGHTS, SCOPES, scoped_objects
from comptoir.core.properties import registry
from comptoir.users.models import Role, Team, TeamMembership, User
from comptoir.users.services import UserError

# How wide each scope is, to keep an edit scope within its view scope.
_WIDTH = {"owned": 0, "team": 1, "all": 2}


def settings_admins(exclude: User | None = None):
    """Active users who can manage settings (someone must always be left)."""
    qs = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(role__can_manage_settings=True)
    )
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


def is_settings_admin(user: User) -> bool:
    return bool(user.is_superuser or (user.role and user.role.can_manage_settings))


def change_user(user: User, *, role: Role, teams: list[Team]) -> None:
    """An admin sets a user's role and teams (the first team is their primary one)."""
    if role is None:
        raise UserError(_("Choose a role."), "role")
    if (
        is_settings_admin(user)
        and not user.is_superuser
        and not role.can_manage_settings
        and not settings_admins(exclude=user).exists()
    ):
        raise UserError(
            _("This is the last user who can manage settings: keep a role with that right."),
            "role",
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(role=role)
        TeamMembership.objects.filter(user=user).exclude(team__in=teams).delete()
        for order, team in enumerate(teams):
            TeamMembership.objects.update_or_create(
                team=team, user=user, defaults={"primary": order == 0}
            )
        audit.record(
            AuditAction.USER_CHANGED, user.email, role=role.name, teams=[t.name for t in teams]
        )
        registry.invalidate()


def _team_name(name: str, team: Team | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError(_("A team needs a name."), "name")
    if len(name) > 150:
        raise UserError(_("Use at most 150 characters."), "name")
    clash = Team.objects.filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise UserError(_("A team named “%(name)s” already exists.") % {"name": name}, "name")
    return name


def save_team(team: Team | None, name: str, members) -> Team:
    """Create (team None) or rename a team and set its members."""
    name = _team_name(name, team)
    with transaction.atomic():
        if team is None:
            team = Team.objects.create(name=name)
        elif team.name != name:
            team.name = name
            team.save(update_fields=["name"])
        wanted = {u.pk for u in members}
        TeamMembership.objects.filter(team=team).exclude(user_id__in=wanted).delete()
        present = set(TeamMembership.objects.filter(team=team).values_list("user_id", flat=True))
        for user_id in sorted(wanted - present):
            has_primary = TeamMembership.objects.filter(user_id=user_id, primary=True).exists()
            TeamMembership.objects.create(team=team, user_id=user_id, primary=not has_primary)
        audit.record(AuditAction.TEAM_SAVED, team.name, members=sorted(wanted))
        registry.invalidate()
    return team


def delete_team(team: Team) -> None:
    with transaction.atomic():
        audit.record(AuditAction.TEAM_DELETED, team.name)
        team.delete()
        registry.invalidate()


def clean_scopes(scopes: dict) -> dict:
    cleaned = {}
    for name in scoped_objects():
        given = scopes.get(name) or {}
        view, edit = given.get("view"), given.get("edit")
        if view not in SCOPES or edit not in SCOPES:
            raise UserError(_("Choose who may see and who may change these records."), name)
        if _WIDTH[edit] > _WIDTH[view]:
            raise UserError(
                _("The edit scope cannot be wider than the view scope."),
                name,
            )
        cleaned[name] = {"view": view, "edit": edit}
    return cleaned


def save_role(role: Role | None, name: str, scopes: dict, rights: dict) -> Role:
    """Create (role None) or change a custom role. Built-in roles do not change."""
    if role is not None and role.builtin:
        raise UserError(_("Built-in roles cannot be changed: create a new role."), "__all__")
    name = (name or "").strip()
    if not name:
        raise UserError(_("A role needs a name."), "name")
    if len(name) > 100:
        raise UserError(_("Use at most 100 characters."), "name")
    clash = Role.objects.filter(name__iexact=name)
    if role is not None:
        clash = clash.exclude(pk=role.pk)
    if clash.exists():
        raise UserError(_("A role named “%(name)s” already exists.") % {"name": name}, "name")
    cleaned = clean_scopes(scopes)
    values = {right: bool(rights.get(right)) for right in RIGHTS}
    with transaction.atomic():
        if role is None:
            role = Role.objects.create(name=name, scopes=cleaned, **values)
        else:
            if (
                role.can_manage_settings
                and not values["can_manage_settings"]
                and not settings_admins().exclude(role=role, is_superuser=False).exists()
            ):
                raise UserError(
                    _("No one else can manage settings: keep this right."),
                    "can_manage_settings",
                )
            role.name, role.scopes = name, cleaned
            for right, value in values.items():
                setattr(role, right, value)
            role.save()
        audit.record(
            AuditAction.ROLE_SAVED, role.name, rights=sorted(r for r, v in values.items() if v)
        )
        registry.invalidate()
    return role


def delete_role(role: Role) -> None:
    if role.builtin:
        raise UserError(_("Built-in roles cannot be deleted."), "__all__")
    in_use = User.objects.filter(role=role).count()
    if in_use:
        raise UserError(
            _("%(count)d user(s) still have this role: give them another role first.")
            % {"count": in_use},
            "__all__",
        )
    with transaction.atomic():
        audit.record(AuditAction.ROLE_DELETED, role.name)
        role.delete()
    registry.invalidate()
