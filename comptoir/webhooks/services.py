"""Managing webhooks (API-4): an app's target URL and subscriptions, switched on and off.

Used by Settings > Webhooks and by HubSpot's webhooks API (/webhooks/v3/{appId}/...). The
app is a private-app token (`ApiToken`): its id is HubSpot's appId. Every change moves the
metadata cache's version, so every process's outbox sees it at its next request; every
change is in the audit log."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.objects.registry import UnknownObjectType, get_object_type
from comptoir.core.properties import registry
from comptoir.webhooks import events, signing, targets
from comptoir.webhooks.models import WebhookSubscription, WebhookTarget

MAX_SUBSCRIPTIONS = 1000  # HubSpot's limit per app


class WebhookError(ValueError):
    """A refused change; `field` names the form field (or the API's property)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _audit(app, what: str, **details) -> None:
    audit.record(AuditAction.SETTINGS_CHANGED, "webhooks", app=app.pk, change=what, **details)


def target_of(app, *, create: bool = False) -> WebhookTarget | None:
    """The app's webhook settings (made, with a new client secret, when `create`)."""
    target = WebhookTarget.objects.filter(app=app).first()
    if target is None and create:
        target, _created = WebhookTarget.objects.get_or_create(
            app=app, defaults={"client_secret": signing.new_secret()}
        )
    return target


def clean_url(url: str) -> str:
    try:
        return targets.check(url).url
    except targets.TargetRefused as exc:
        raise WebhookError("targetUrl", str(exc)) from None


def set_target(app, url: str, max_concurrent_requests: int | None = None) -> WebhookTarget:
    url = clean_url(url)
    if max_concurrent_requests is not None and not 5 <= max_concurrent_requests <= 20:
        raise WebhookError(
            "maxConcurrentRequests", _("Concurrent requests must be between 5 and 20.")
        )
    with transaction.atomic():
        target = target_of(app, create=True)
        target.target_url = url
        if max_concurrent_requests is not None:
            target.max_concurrent_requests = max_concurrent_requests
        target.updated_at = timezone.now()
        target.save(update_fields=["target_url", "max_concurrent_requests", "updated_at"])
        registry.invalidate()
        _audit(app, "target", url=url)
    return target


def clear_target(app) -> None:
    """HubSpot's DELETE of the settings: no target URL, so nothing is captured any more."""
    with transaction.atomic():
        WebhookTarget.objects.filter(app=app).update(target_url="", updated_at=timezone.now())
        registry.invalidate()
        _audit(app, "target cleared")


def _check_subscription(object_type: str, action: str, property_name: str) -> tuple:
    try:
        ot = get_object_type(object_type)
    except UnknownObjectType:
        raise WebhookError("objectType", _("Unknown object type.")) from None
    if ot not in events.subscribable_types():
        raise WebhookError("objectType", _("Unknown object type."))
    if action not in events.ACTIONS:
        raise WebhookError("eventType", _("Unknown event type."))
    if not events.applies(ot, action):
        raise WebhookError("eventType", _("Only records of people (contacts) have this event."))
    property_name = (property_name or "").strip()
    if action == events.PROPERTY_CHANGE:
        if not property_name:
            raise WebhookError("propertyName", _("Choose the property whose changes to send."))
        if property_name not in registry.definitions(ot):
            raise WebhookError(
                "propertyName",
                _("%(object)s have no property “%(name)s”.")
                % {"object": ot.name, "name": property_name},
            )
    elif property_name:
        raise WebhookError(
            "propertyName", _("Only property changes are subscribed to with a property.")
        )
    return ot, action, property_name


def create_subscription(app, object_type, action, property_name="", *, active=True):
    ot, action, property_name = _check_subscription(object_type, action, property_name)
    with transaction.atomic():
        target = target_of(app, create=True)
        if target.subscriptions.count() >= MAX_SUBSCRIPTIONS:
            raise WebhookError("eventType", _("An app has at most 1,000 subscriptions."))
        now = timezone.now()
        try:
            with transaction.atomic():
                sub = WebhookSubscription.objects.create(
                    target=target,
                    object_type=ot.name,
                    action=action,
                    property_name=property_name,
                    active=active,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise WebhookError("eventType", _("This subscription exists already.")) from None
        registry.invalidate()
        _audit(app, "subscribed", event=events.subscription_type(ot.name, action))
    return sub


def set_active(sub: WebhookSubscription, active: bool) -> WebhookSubscription:
    with transaction.atomic():
        sub.active = active
        sub.updated_at = timezone.now()
        sub.save(update_fields=["active", "updated_at"])
        registry.invalidate()
        _audit(sub.target.app, "active" if active else "paused", subscription=sub.pk)
    return sub


def delete_subscription(sub: WebhookSubscription) -> None:
    with transaction.atomic():
        app = sub.target.app
        sub.delete()
        registry.invalidate()
        _audit(app, "unsubscribed", subscription=sub.pk)


def switch_on(target: WebhookTarget) -> None:
    """Deliver again after delivery was switched off; the failed batches can be replayed."""
    with transaction.atomic():
        WebhookTarget.objects.filter(pk=target.pk).update(
            disabled_at=None, disabled_reason="", failed_batches=0, updated_at=timezone.now()
        )
        registry.invalidate()
        _audit(target.app, "switched on")


def new_secret(target: WebhookTarget) -> str:
    with transaction.atomic():
        target.client_secret = signing.new_secret()
        target.save(update_fields=["client_secret"])
        _audit(target.app, "new secret")
    return target.client_secret
