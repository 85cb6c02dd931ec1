"""The write path behind Settings > Team (SET-5) and Profile (SET-11): invitations,
deactivation with a hand-over of records, teams, roles and the user's own profile.

Every refusal is a UserError naming the form field it belongs to, worded for the user;
nothing is changed when one is raised."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import crm_names
from comptoir.core.permissions import RIGHTS, SCOPES, scoped_objects
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.expressions import PropValue
from comptoir.core.records import writes
from comptoir.core.records.values import base_queryset
from comptoir.users.models import Owner, PendingHandOver, Role, Team, TeamMembership, User
from comptoir.users.services import UserError, create_user

# Imported here: comptoir.users.tasks imports this module when loaded.

LANGUAGES = ("en", "fr")
PHOTO_MAX_BYTES = 2 * 1024 * 1024
# The first bytes of the image formats a browser shows; anything else is refused.
PHOTO_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
PHOTO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
# How wide each scope is, to keep an edit scope within its view scope.
_WIDTH = {"owned": 0, "team": 1, "all": 2}


# -- invitations ------------------------------------------------------------------------------


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """One-time links to choose a first password; a password reset link is not one."""

    key_salt = "comptoir.users.team.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def user_state(user: User) -> str:
    if not user.is_active:
        return "deactivated"
    if not user.has_usable_password() and user.last_login is None:
        return "invited"
    return "active"


def invite_user(
    email: str,
    *,
    first_name: str = "",
    last_name: str = "",
    role: Role | str | None = None,
    team: str | None = None,
    invited_by: User | None = None,
    base_url: str = "",
) -> User:
    """Create a user without a password and email them a link to choose one."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise UserError(_("Enter a valid email address."), "email") from None
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        state = user_state(existing)
        if state == "deactivated":
            message = _("%(email)s already has an account, deactivated: reactivate it instead.")
        elif state == "invited":
            message = _("%(email)s is already invited: resend the invitation from the list.")
        else:
            message = _("%(email)s already has an account.")
        raise UserError(message % {"email": email}, "email")
    role_name = role.name if isinstance(role, Role) else role
    if role_name and not Role.objects.filter(name=role_name).exists():
        raise UserError(_("Choose a role."), "role")

    with transaction.atomic():
        user = create_user(
            email,
            "",
            first_name=first_name,
            last_name=last_name,
            role=role_name,
            team=team or None,
            check_password=False,
        )
        user.language = portal().default_language if portal().default_language in LANGUAGES else ""
        user.save(update_fields=["language"])
    send_invitation(user, invited_by=invited_by, base_url=base_url)
    return user


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("invitation_accept", args=[uid, invitation_tokens.make_token(user)])


def send_invitation(user: User, *, invited_by: User | None = None, base_url: str = "") -> None:
    """Email the invitation link, in the invitee's language (else the portal's)."""
    state = user_state(user)
    if state == "deactivated":
        raise UserError(_("This user is deactivated: reactivate them first."), "__all__")
    if state != "invited":
        raise UserError(_("This user has already chosen a password."), "__all__")
    language = user.language or portal().default_language or settings.LANGUAGE_CODE
    company = portal().company_name
    with translation.override(language if language in LANGUAGES else "en"):
        context = {
            "user": user,
            "inviter": invited_by.get_full_name() or invited_by.email if invited_by else "",
            "company": company,
            "link": base_url.rstrip("/") + invitation_path(user),
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        subject = render_to_string("registration/invite_subject.txt", context).strip()
        body = render_to_string("registration/invite_email.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()


# -- deactivation -----------------------------------------------------------------------------


def _settings_admins(exclude: User | None = None):
    """Active users who can manage settings (someone must always be left)."""
    qs = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(role__can_manage_settings=True)
    )
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


def holdings(user: User) -> dict:
    """{object type: count} of what a user owns and would hand over: records and open
    tasks."""
    owner = Owner.objects.filter(user=user).first()
    if owner is None:
        return {}
    counts = {
        name: base_queryset(name).filter(hubspot_owner_id=owner.pk).count() for name in crm_names()
    }
    counts["tasks"] = _open_tasks(owner).count()
    return counts


def _open_tasks(owner):
    from django.db.models import Q

    status = PropValue("hs_task_status")
    return (
        base_queryset("tasks")
        .filter(hubspot_owner_id=owner.pk)
        .annotate(_status=status)
        .filter(Q(_status__isnull=True) | ~Q(_status="COMPLETED"))
    )


def deactivate(
    user: User, *, transfer_to: User | None = None, source=None, later: bool = False
) -> dict:
    """Deactivate a user, handing their records and open tasks to `transfer_to`.

    With `later`, the hand-over runs in the worker (comptoir.users.tasks): each record moves
    through update_record (a few ms each), too long for a request when someone owns
    thousands. The user is deactivated at once either way. Returns what moved now."""
    if transfer_to is not None:
        if transfer_to.pk == user.pk:
            raise UserError(_("Choose someone else to take over."), "transfer_to")
        if not transfer_to.is_active:
            raise UserError(_("This user is deactivated: choose an active user."), "transfer_to")
    if not user.is_active:
        raise UserError(_("This user is already deactivated."), "__all__")
    if _is_settings_admin(user) and not _settings_admins(exclude=user).exists():
        raise UserError(
            _("This is the last user who can manage settings: give that right to someone else."),
            "__all__",
        )
    source = source or ChangeSource()
    moved: dict[str, int] = {}
    with transaction.atomic():
        if transfer_to is not None and not later:
            moved = hand_over(user, transfer_to, source=source)
        User.objects.filter(pk=user.pk).update(is_active=False)
        Owner.objects.filter(user=user).update(archived=True, updated_at=timezone.now())
        registry.invalidate()
        if transfer_to is not None and later:
            # Imported here: comptoir.users.tasks imports this module when loaded.
            from comptoir.users.tasks import hand_over_records

            # Enqueued in the same transaction: no deactivation without its hand-over, and
            # pending until it is complete (a killed worker's is queued again).
            PendingHandOver.objects.update_or_create(
                user=user,
                defaults={
                    "heir": transfer_to,
                    "actor_id": source.actor_id,
                    "updated_at": timezone.now(),
                },
            )
            hand_over_records.enqueue(user.pk, transfer_to.pk, source.actor_id)
    return moved


def hand_over(user: User, heir: User, *, source, beat=None) -> dict:
    """Give `user`'s records and open tasks to `heir`, each through update_record (history
    entry per record). Returns {object type: records moved}. `beat` is called every 100
    records (the worker's heartbeat)."""
    owner = Owner.objects.filter(user=user).first()
    if owner is None:
        return {}
    new_owner = str(Owner.objects.get(user=heir).pk)
    batches = [
        (name, base_queryset(name).filter(hubspot_owner_id=owner.pk)) for name in crm_names()
    ]
    batches.append(("tasks", _open_tasks(owner)))
    moved: dict[str, int] = {}
    for name, qs in batches:
        count = 0
        for record in qs.order_by("pk").iterator(chunk_size=500):
            writes.update_record(name, record, {"hubspot_owner_id": new_owner}, source=source)
            count += 1
            if beat is not None and count % 100 == 0:
                beat()
        moved[name] = count
    return moved


def reactivate(user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        Owner.objects.filter(user=user).update(archived=False, updated_at=timezone.now())
        registry.invalidate()


def _is_settings_admin(user: User) -> bool:
    return bool(user.is_superuser or (user.role and user.role.can_manage_settings))


def change_user(user: User, *, role: Role, teams: list[Team]) -> None:
    """An admin sets a user's role and teams (the first team is their primary one)."""
    if role is None:
        raise UserError(_("Choose a role."), "role")
    if (
        _is_settings_admin(user)
        and not user.is_superuser
        and not role.can_manage_settings
        and not _settings_admins(exclude=user).exists()
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
        registry.invalidate()


# -- teams ------------------------------------------------------------------------------------


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
        registry.invalidate()
    return team


def delete_team(team: Team) -> None:
    with transaction.atomic():
        team.delete()
        registry.invalidate()


# -- roles ------------------------------------------------------------------------------------


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
                and not _settings_admins().exclude(role=role, is_superuser=False).exists()
            ):
                raise UserError(
                    _("No one else can manage settings: keep this right."),
                    "can_manage_settings",
                )
            role.name, role.scopes = name, cleaned
            for right, value in values.items():
                setattr(role, right, value)
            role.save()
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
    role.delete()
    registry.invalidate()


# -- profile ----------------------------------------------------------------------------------


def update_profile(user: User, **fields) -> User:
    allowed = {"first_name", "last_name", "job_title", "phone", "language", "email_signature"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown profile field(s): {', '.join(sorted(unknown))}")
    if fields.get("language") not in (None, "", *LANGUAGES):
        raise UserError(_("Choose English or French."), "language")
    # A signature keeps its line breaks and indentation; the other fields are trimmed.
    values = {
        k: (v or "") if k == "email_signature" else (v or "").strip() for k, v in fields.items()
    }
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**values)
        names = {k: values[k] for k in ("first_name", "last_name") if k in values}
        if names:
            Owner.objects.filter(user=user).update(**names, updated_at=timezone.now())
            registry.invalidate()
    user.refresh_from_db()
    return user


def photo_kind(head: bytes) -> str | None:
    for signature, kind in PHOTO_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def set_photo(user: User, upload) -> User:
    """Store a profile photo (PNG, JPEG, GIF or WebP, at most 2 MB) in MEDIA_ROOT."""
    if upload.size > PHOTO_MAX_BYTES:
        raise UserError(_("The photo must be 2 MB or smaller."), "photo")
    head = upload.read(16)
    kind = photo_kind(head)
    if kind is None:
        raise UserError(_("Upload a PNG, JPEG, GIF or WebP image."), "photo")
    data = head + upload.read()
    old = user.photo.name if user.photo else ""
    user.photo.save(f"{user.pk}-{secrets.token_hex(6)}.{kind}", ContentFile(data), save=False)
    User.objects.filter(pk=user.pk).update(photo=user.photo.name)
    if old:
        user.photo.storage.delete(old)
    return user


def remove_photo(user: User) -> None:
    if user.photo:
        user.photo.storage.delete(user.photo.name)
    User.objects.filter(pk=user.pk).update(photo="")
    user.photo = ""


def photo_type(name: str) -> str:
    return PHOTO_TYPES.get(Path(name).suffix.lstrip("."), "application/octet-stream")
