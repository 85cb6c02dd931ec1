"""Writing the audit log (comptoir/core/audit/models.py): `record(action, target, ...)`.

Who acted and from where is read from the request being served (AuditContextMiddleware,
or the API's token authentication, set it for the request's duration); a job of the worker
acts as the system. Services call record() in their transaction: an event is kept exactly
when the change it tells of is."""

import contextvars
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.audit.models import AuditEvent


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")
    USER_CREATED = "user_created", _("User created")
    USER_INVITED = "user_invited", _("User invited")
    USER_CHANGED = "user_changed", _("User's role or teams changed")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    ROLE_SAVED = "role_saved", _("Role saved")
    ROLE_DELETED = "role_deleted", _("Role deleted")
    TEAM_SAVED = "team_saved", _("Team saved")
    TEAM_DELETED = "team_deleted", _("Team deleted")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    EXPORT = "export", _("Export")
    SETTINGS_CHANGED = "settings_changed", _("Settings changed")
    RECORDS_DELETED = "records_deleted", _("Records deleted for good")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor sign-in turned on")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor sign-in turned off")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset by an administrator")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    PROPERTY_CREATED = "property_created", _("Property created")
    PROPERTY_CHANGED = "property_changed", _("Property changed")
    PROPERTY_ARCHIVED = "property_archived", _("Property archived")
    PROPERTY_RESTORED = "property_restored", _("Property restored")
    PIPELINE_CHANGED = "pipeline_changed", _("Pipeline or stage changed")
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Personal data exported (GDPR)")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    email: str
    ip: str = ""


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def acting(user, ip: str = "") -> contextvars.Token:
    """Who acts in this request (reset with the returned token at its end)."""
    actor = Actor(user.pk, user.email, ip) if user is not None else Actor(None, "", ip)
    return _actor.set(actor)


def done_acting(token: contextvars.Token) -> None:
    _actor.reset(token)


def current_ip() -> str:
    actor = _actor.get()
    return actor.ip if actor else ""


def record(action: str, target: str = "", *, user=None, ip: str | None = None, **details):
    """Append one event. `user`: who acted when it is not the request's user (a sign-in)."""
    actor = _actor.get()
    if user is not None:
        user_id, email = user.pk, user.email
    elif actor is not None:
        user_id, email = actor.user_id, actor.email
    else:
        user_id, email = None, ""
    return AuditEvent.objects.create(
        at=timezone.now(),
        action=action,
        actor_id=user_id,
        actor_email=email,
        ip=ip if ip is not None else (actor.ip if actor else ""),
        target=str(target)[:300],
        details=details,
    )
