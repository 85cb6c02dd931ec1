"""Write path for users, owners, teams and API tokens."""

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.properties import registry
from comptoir.core.scopes import all_scopes
from comptoir.users.models import ApiToken, Owner, Role, Team, TeamMembership, User
from comptoir.users.roles import SALES_REP, SUPER_ADMIN

TOKEN_PREFIX = "pat-cpt1-"


class UserError(ValueError):
    """Bad input for a user or token operation; the message names the field.

    `field` is the form field the message belongs next to: given, or read from a leading
    "field: " in the message (the command-line wording)."""

    def __init__(self, message, field: str | None = None):
        self.message = str(message)
        super().__init__(self.message)
        if field is None:
            head = self.message.split(":", 1)[0]
            field = head if ":" in self.message and head.isidentifier() else "__all__"
        self.field = field


def create_user(
    email: str,
    password: str,
    *,
    first_name: str = "",
    last_name: str = "",
    is_admin: bool = False,
    team: str | None = None,
    role: str | None = None,
    check_password: bool = True,
) -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise UserError(f"email: {email!r} is not a valid email address.") from None
    if User.objects.filter(email=email).exists():
        raise UserError(f"email: a user with {email} already exists.")
    if not password and check_password:
        raise UserError("password: a password is required.")
    if password and check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise UserError("password: " + " ".join(exc.messages)) from None
    chosen_role = _role_named(role or (SUPER_ADMIN if is_admin else SALES_REP))
    with transaction.atomic():
        user = User(
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            is_staff=is_admin,
            is_superuser=is_admin,
            role=chosen_role,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()  # chosen later through a reset or invitation link
        user.save()
        Owner.objects.create(
            user=user, email=email, first_name=user.first_name, last_name=user.last_name
        )
        if team is not None:  # an empty name is refused, not ignored
            add_to_team(user, team)
        audit.record(AuditAction.USER_CREATED, email, role=chosen_role.name)
        registry.invalidate()
    return user


def _role_named(name: str) -> Role:
    role = Role.objects.filter(name=name.strip()).first()
    if role is None:
        known = ", ".join(Role.objects.values_list("name", flat=True))
        raise UserError(f"role: no role named {name!r} (known: {known}).")
    return role


def add_to_team(user: User, team_name: str, *, primary: bool = True) -> Team:
    name = team_name.strip()
    if not name:
        raise UserError("team: a team needs a name.")
    limit = Team._meta.get_field("name").max_length
    if len(name) > limit:
        raise UserError(f"team: a team name has at most {limit} characters.")
    team, _ = Team.objects.get_or_create(name=name)
    if primary:
        TeamMembership.objects.filter(user=user).update(primary=False)
    TeamMembership.objects.update_or_create(team=team, user=user, defaults={"primary": primary})
    return team


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    user: User, name: str = "", scopes: list[str] | None = None
) -> tuple[ApiToken, str]:
    """A new private-app token; returns the row and the raw token, shown only once."""
    known = all_scopes()
    chosen = list(scopes) if scopes else list(known)
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise UserError(f"scopes: unknown scope(s) {', '.join(unknown)}. Known: {', '.join(known)}")
    if not user.is_active:
        raise UserError(f"user: {user.email} is deactivated.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=(name or "Private app").strip()[:150],
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(raw),
            scopes=sorted(set(chosen)),
        )
        audit.record(
            AuditAction.TOKEN_CREATED,
            f"{token.name} ({token.prefix}…, {user.email})",
            scopes=token.scopes,
        )
    return token, raw


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token for a raw bearer string, or None.

    Kept in the registry cache (every API request asks): revoking a token or deactivating
    its user invalidates the cache, here at once and in other processes within seconds."""
    if not raw:
        return None
    digest = hash_token(raw)
    return registry.cached(f"token:{digest}", lambda: _load_token(digest))


def _load_token(digest: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def revoke_token(token: ApiToken) -> None:
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit.record(
                AuditAction.TOKEN_REVOKED, f"{token.name} ({token.prefix}…, {token.user.email})"
            )
    registry.invalidate()


def deactivate_user(user: User, *, transfer_to: User | None = None, source=None) -> dict:
    """Deactivate a user: they can no longer sign in, their API tokens stop working at once
    and their owner is archived (no new records can be assigned to them).

    With `transfer_to`, their records (contacts, companies, deals) and open tasks go to that
    user first, each through `update_record` so every move has its history entry.
    Returns {object type: records moved}."""
    # Imported here: comptoir.users.deactivation imports this module when loaded.
    from comptoir.users import deactivation

    return deactivation.deactivate(user, transfer_to=transfer_to, source=source)


def owner_for(user: User) -> Owner | None:
    return Owner.objects.filter(user=user).first()
