"""Tracking settings (SET-9): each user's switches (opens, clicks) and the portal's
excluded networks. Read when an email is written (sending.compose) and by the pixel's one
query (tracking_views); written from Settings > Email."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.mail.models import TrackingPreference, TrackingSettings
from comptoir.mail.tracking import validate_networks

MAX_NETWORKS_TEXT = 10_000


def tracks(user) -> tuple[bool, bool]:
    """(track opens, track clicks) for the emails this user writes; both on by default."""
    pref = TrackingPreference.objects.filter(user=user).first()
    if pref is None:
        return True, True
    return pref.track_opens, pref.track_clicks


def set_tracking(user, *, opens: bool, clicks: bool) -> None:
    TrackingPreference.objects.update_or_create(
        user=user, defaults={"track_opens": bool(opens), "track_clicks": bool(clicks)}
    )


def excluded_networks() -> str:
    row = TrackingSettings.objects.filter(pk=TrackingSettings.SINGLETON).first()
    return row.excluded_networks if row else ""


def clean_networks(text: str) -> str:
    """The CIDR list as stored (one per line, trimmed); ValidationError naming the lines
    that are not networks."""
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_NETWORKS_TEXT:
        raise ValidationError(_("The list is too long."))
    if "\x00" in text:
        raise ValidationError(_("This text holds characters that cannot be stored."))
    bad = validate_networks(text)
    if bad:
        raise ValidationError(
            _("Not an IP address or network (CIDR, e.g. 192.0.2.0/24): %(lines)s")
            % {"lines": ", ".join(bad[:5])}
        )
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def set_excluded_networks(text: str) -> None:
    """Store the portal's excluded networks (text from clean_networks)."""
    TrackingSettings.objects.update_or_create(
        pk=TrackingSettings.SINGLETON, defaults={"excluded_networks": text}
    )
    audit.record(AuditAction.SETTINGS_CHANGED, "tracking", networks=len(text.splitlines()))
