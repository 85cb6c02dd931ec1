"""HubSpot's webhooks API (API-4): `/webhooks/v3/{appId}/settings` and
`/webhooks/v3/{appId}/subscriptions`, over comptoir/webhooks/services.py.

The app is a private-app token: `appId` is the token's id, and a token manages its own
app's webhooks only (another appId answers 404). HubSpot's SDKs send the developer key as
`?hapikey=`; here that parameter, like the `Authorization: Bearer` header, carries the
private-app token. Managing webhooks needs the settings right (an administrator's token),
and subscribing to an object type needs the token's read scope of it: events carry every
record of the portal, whoever could see it, as HubSpot sends an app all its portal's
events."""

from django.utils import timezone
from ninja import Router
from ninja.security import APIKeyQuery

from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import has_right
from comptoir.core.scopes import object_scope
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.auth import TokenAuth, require_scope
from comptoir.hubspot_api.body import inputs, json_body
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.responses import respond
from comptoir.hubspot_api.serializers import timestamp
from comptoir.webhooks import events, services
from comptoir.webhooks.models import WebhookSubscription


class HapiKeyAuth(APIKeyQuery):
    """`?hapikey=<token>`: what the SDKs' webhooks APIs send."""

    param_name = "hapikey"

    def authenticate(self, request, key):
        return TokenAuth().authenticate(request, key)


router = Router(tags=["Webhooks"], auth=[TokenAuth(), HapiKeyAuth()])


def _app(request, app_id: str):
    token = request.api_token
    if parse_id(app_id) != token.pk:
        raise ApiError(404, f"No app {app_id} for this token.", "OBJECT_NOT_FOUND")
    if not has_right(request.user, "can_manage_settings"):
        raise ApiError(403, "Managing webhooks needs the settings right.", "FORBIDDEN")
    return token


def _refused(exc: services.WebhookError) -> ApiError:
    return ApiError(
        400,
        f"{exc.field}: {exc.message}",
        "VALIDATION_ERROR",
        errors=[{"message": exc.message, "in": exc.field, "code": "INVALID"}],
    )


def settings_body(target) -> dict:
    return {
        "targetUrl": target.target_url,
        "throttling": {"maxConcurrentRequests": target.max_concurrent_requests},
        "createdAt": timestamp(target.created_at),
        "updatedAt": timestamp(target.updated_at),
    }


def subscription_body(sub: WebhookSubscription) -> dict:
    ot = get_object_type(sub.object_type)
    body = {
        "id": str(sub.pk),
        "eventType": events.subscription_type(ot.name, sub.action),
        "active": sub.active,
        "createdAt": timestamp(sub.created_at),
        "updatedAt": timestamp(sub.updated_at),
    }
    if sub.property_name:
        body["propertyName"] = sub.property_name
    if ot.name not in events.LEGACY:
        body["objectTypeId"] = ot.type_id
    return body


def _subscription(app, subscription_id: str) -> WebhookSubscription:
    sub, pk = None, parse_id(subscription_id)
    if pk is not None:
        sub = (
            WebhookSubscription.objects.filter(pk=pk, target__app=app)
            .select_related("target__app")
            .first()
        )
    if sub is None:
        raise ApiError(404, f"No subscription {subscription_id}.", "OBJECT_NOT_FOUND")
    return sub


def _active(data: dict) -> bool:
    value = data.get("active")
    if not isinstance(value, bool):
        raise ApiError(400, "active: must be true or false.", "VALIDATION_ERROR")
    return value


@router.get(
    "/{app_id}/settings",
    summary="Read an app's webhook settings",
    openapi_extra=docs.op(answer="WebhookSettings"),
)
def settings_get(request, app_id: str):
    app = _app(request, app_id)
    target = services.target_of(app)
    if target is None or not target.target_url:
        raise ApiError(404, "This app has no webhook settings.", "OBJECT_NOT_FOUND")
    return respond(settings_body(target))


@router.put(
    "/{app_id}/settings",
    summary="Set an app's target URL",
    openapi_extra=docs.op(body="WebhookSettingsChange", answer="WebhookSettings"),
)
def settings_configure(request, app_id: str):
    app = _app(request, app_id)
    data = json_body(request)
    url = data.get("targetUrl")
    if not isinstance(url, str):
        raise ApiError(400, "targetUrl: a URL is required.", "VALIDATION_ERROR")
    throttling = data.get("throttling") or {}
    if not isinstance(throttling, dict):
        raise ApiError(400, "throttling: must be an object.", "VALIDATION_ERROR")
    concurrent = throttling.get("maxConcurrentRequests")
    if concurrent is not None and (type(concurrent) is not int):
        raise ApiError(
            400, "throttling.maxConcurrentRequests: must be an integer.", "VALIDATION_ERROR"
        )
    try:
        target = services.set_target(app, url, concurrent)
    except services.WebhookError as exc:
        raise _refused(exc) from None
    return respond(settings_body(target))


@router.delete("/{app_id}/settings", summary="Clear an app's webhook settings")
def settings_clear(request, app_id: str):
    services.clear_target(_app(request, app_id))
    return respond(None, status=204)


@router.get(
    "/{app_id}/subscriptions",
    summary="List an app's subscriptions",
    openapi_extra=docs.op(answer="SubscriptionListResponse"),
)
def subscriptions_list(request, app_id: str):
    app = _app(request, app_id)
    subs = WebhookSubscription.objects.filter(target__app=app).order_by("pk")
    return respond({"results": [subscription_body(s) for s in subs]})


@router.post(
    "/{app_id}/subscriptions",
    summary="Subscribe to an event type",
    openapi_extra=docs.op(body="SubscriptionCreate", ok=201, answer="SubscriptionResponse"),
)
def subscriptions_create(request, app_id: str):
    app = _app(request, app_id)
    data = json_body(request)
    event_type, type_id = data.get("eventType"), data.get("objectTypeId")
    if not isinstance(event_type, str) or not isinstance(type_id, str | None):
        raise ApiError(400, "eventType: must be text.", "VALIDATION_ERROR")
    try:
        object_type, action = events.parse(event_type, type_id)
    except events.UnknownEventType:
        raise ApiError(
            400, f"eventType: {event_type!r} is not an event Comptoir sends.", "VALIDATION_ERROR"
        ) from None
    require_scope(request, object_scope(object_type, False))
    name = data.get("propertyName") or ""
    active = data.get("active", True)
    if not isinstance(name, str) or not isinstance(active, bool):
        raise ApiError(400, "propertyName must be text and active true or false.")
    try:
        sub = services.create_subscription(app, object_type, action, name, active=active)
    except services.WebhookError as exc:
        raise _refused(exc) from None
    return respond(subscription_body(sub), status=201)


@router.post(
    "/{app_id}/subscriptions/batch/update",
    summary="Switch several subscriptions on or off",
    openapi_extra=docs.op(body="SubscriptionBatchUpdate", answer="BatchResponseSubscription"),
)
def subscriptions_batch_update(request, app_id: str):
    app = _app(request, app_id)
    started = timezone.now()
    items = inputs(json_body(request))
    changes = []
    for item in items:
        if not isinstance(item, dict):
            raise ApiError(400, "inputs: each input must be an object.")
        changes.append((_subscription(app, str(item.get("id"))), _active(item)))
    results = [subscription_body(services.set_active(sub, on)) for sub, on in changes]
    return respond(
        {
            "status": "COMPLETE",
            "results": results,
            "startedAt": timestamp(started),
            "completedAt": timestamp(timezone.now()),
        }
    )


@router.get(
    "/{app_id}/subscriptions/{subscription_id}",
    summary="Read a subscription",
    openapi_extra=docs.op(answer="SubscriptionResponse"),
)
def subscriptions_get(request, app_id: str, subscription_id: str):
    return respond(subscription_body(_subscription(_app(request, app_id), subscription_id)))


@router.patch(
    "/{app_id}/subscriptions/{subscription_id}",
    summary="Switch a subscription on or off",
    openapi_extra=docs.op(body="SubscriptionPatch", answer="SubscriptionResponse"),
)
def subscriptions_update(request, app_id: str, subscription_id: str):
    sub = _subscription(_app(request, app_id), subscription_id)
    sub = services.set_active(sub, _active(json_body(request)))
    return respond(subscription_body(sub))


@router.delete("/{app_id}/subscriptions/{subscription_id}", summary="Delete a subscription")
def subscriptions_archive(request, app_id: str, subscription_id: str):
    sub = _subscription(_app(request, app_id), subscription_id)
    services.delete_subscription(sub)
    return respond(None, status=204)
