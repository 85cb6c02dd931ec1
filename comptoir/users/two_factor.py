"""Two-factor sign-in (issue 19, point 6): a user adds an authenticator app (TOTP), is
asked for its code after the password, and keeps ten one-use recovery codes for a lost
phone. An administrator can require it of everyone and reset a user's device.

Each change is written to the audit log in the transaction that makes it."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.portal.services import portal
from comptoir.users import totp
from comptoir.users.models import TwoFactorDevice

RECOVERY_CODES = 10
ISSUER = "Comptoir"


def _hash(code: str) -> str:
    return hashlib.sha256("".join(code.split()).lower().encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to confuse when read aloud
    return [
        "".join(secrets.choice(alphabet) for _ in range(5))
        + "-"
        + "".join(secrets.choice(alphabet) for _ in range(5))
        for _ in range(RECOVERY_CODES)
    ]


def device_of(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def is_enabled(user) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def is_required() -> bool:
    return portal().require_two_factor


def start_setup(user) -> TwoFactorDevice:
    """A fresh secret to show as a QR code; the device counts only once confirmed. Setting
    up again while enabled is refused: turn it off first (that needs a code)."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise ValueError("two-factor sign-in is already on")
        if device is None:
            device = TwoFactorDevice(user=user)
        device.secret = totp.new_secret()
        device.last_step = 0
        device.recovery_codes = []
        device.save()
        return device


def provisioning_uri(device: TwoFactorDevice) -> str:
    return totp.provisioning_uri(device.secret, device.user.email, ISSUER)


def confirm_setup(user, code: str) -> list[str] | None:
    """Turn it on when `code` is right; the recovery codes to show once, else None."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            return None
        step = totp.matching_step(device.secret, code)
        if step is None:
            return None
        codes = _new_recovery_codes()
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.recovery_codes = [_hash(c) for c in codes]
        device.save()
        audit.record(AuditAction.TWO_FACTOR_ENABLED, user.email, user=user)
        return codes


def verify(user, code: str) -> str | None:
    """At sign-in: "code" or "recovery" when `code` is accepted (a recovery code is used up,
    a TOTP code cannot be used twice), None otherwise."""
    with transaction.atomic():
        device = (
            TwoFactorDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if device is None:
            return None
        step = totp.matching_step(device.secret, code)
        if step is not None:
            if step <= device.last_step:
                return None
            device.last_step = step
            device.save(update_fields=["last_step"])
            return "code"
        hashed = _hash(code)
        if hashed in device.recovery_codes:
            device.recovery_codes = [h for h in device.recovery_codes if h != hashed]
            device.save(update_fields=["recovery_codes"])
            audit.record(
                AuditAction.RECOVERY_CODE_USED,
                user.email,
                user=user,
                left=len(device.recovery_codes),
            )
            return "recovery"
        return None


def disable(user, code: str) -> bool:
    """The user turns it off, proving they still hold the app (or a recovery code)."""
    if verify(user, code) is None:
        return False
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        audit.record(AuditAction.TWO_FACTOR_DISABLED, user.email, user=user)
    return True


def reset(user) -> bool:
    """An administrator removes a user's device (a lost phone): they set it up again at
    their next sign-in when the portal requires it."""
    with transaction.atomic():
        deleted, _ = TwoFactorDevice.objects.filter(user=user).delete()
        if deleted:
            audit.record(AuditAction.TWO_FACTOR_RESET, user.email)
    return bool(deleted)


def recovery_codes_left(user) -> int:
    device = device_of(user)
    return len(device.recovery_codes) if device and device.confirmed_at else 0
