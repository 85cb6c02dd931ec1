"""Inviting a user (SET-5): an account without a password and an email with a one-time
link to choose one, in the invitee's language.

Every refusal is a UserError naming the form field it belongs to, worded for the user;
nothing is changed when one is raised."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.i18n import LANGUAGES
from comptoir.core.portal.services import portal
from comptoir.users.models import Role, User
from comptoir.users.services import UserError, create_user


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """One-time links to choose a first password; a password reset link is not one."""

    # The module it was first written in: links already sent stay valid.
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
        audit.record(AuditAction.USER_INVITED, user.email)
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
