"""HubSpot's webhooks API (API-4) through the official SDK's webhooks client, which sends
the key as `?hapikey=` (here: the private-app token)."""

import pytest
from hubspot.webhooks import (
    BatchInputSubscriptionBatchUpdateRequest,
    SettingsChangeRequest,
    SubscriptionBatchUpdateRequest,
    SubscriptionCreateRequest,
    SubscriptionPatchRequest,
    ThrottlingSettings,
)
from hubspot.webhooks.exceptions import ApiException, NotFoundException

from comptoir.core.testing.factories import make_user
from comptoir.core.testing.sdk import hubspot_client
from comptoir.users.models import ApiToken
from comptoir.users.services import create_token
from comptoir.webhooks.models import WebhookEvent, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhooks(sdk_server, token):
    client = hubspot_client(token, sdk_server, api_key=token)
    return client.webhooks


@pytest.fixture
def app_id(token):
    return ApiToken.objects.get().pk


def test_settings_and_subscriptions_through_the_sdk(webhooks, app_id, settings):
    settings.COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    with pytest.raises(NotFoundException):
        webhooks.settings_api.get_all(app_id)
    configured = webhooks.settings_api.configure(
        app_id,
        SettingsChangeRequest(
            target_url="http://127.0.0.1:9/hooks",
            throttling=ThrottlingSettings(max_concurrent_requests=5),
        ),
    )
    assert configured.target_url == "http://127.0.0.1:9/hooks"
    assert webhooks.settings_api.get_all(app_id).throttling.max_concurrent_requests == 5

    created = webhooks.subscriptions_api.create(
        app_id,
        SubscriptionCreateRequest(
            event_type="contact.propertyChange", property_name="email", active=True
        ),
    )
    assert (created.event_type, created.property_name, created.active) == (
        "contact.propertyChange",
        "email",
        True,
    )
    deals = webhooks.subscriptions_api.create(
        app_id, SubscriptionCreateRequest(event_type="deal.creation", active=False)
    )
    tasks = webhooks.subscriptions_api.create(
        app_id,
        SubscriptionCreateRequest(event_type="object.creation", object_type_id="0-27"),
    )
    assert tasks.object_type_id == "0-27"
    listed = webhooks.subscriptions_api.get_all(app_id).results
    assert [s.id for s in listed] == [created.id, deals.id, tasks.id]

    patched = webhooks.subscriptions_api.update(
        created.id, app_id, SubscriptionPatchRequest(active=False)
    )
    assert patched.active is False
    batch = webhooks.subscriptions_api.update_batch(
        app_id,
        BatchInputSubscriptionBatchUpdateRequest(
            inputs=[
                SubscriptionBatchUpdateRequest(id=int(created.id), active=True),
                SubscriptionBatchUpdateRequest(id=int(deals.id), active=True),
            ]
        ),
    )
    assert batch.status == "COMPLETE" and all(s.active for s in batch.results)
    assert webhooks.subscriptions_api.get_by_id(deals.id, app_id).active is True

    webhooks.subscriptions_api.archive(tasks.id, app_id)
    with pytest.raises(NotFoundException):
        webhooks.subscriptions_api.get_by_id(tasks.id, app_id)
    webhooks.settings_api.clear(app_id)
    with pytest.raises(NotFoundException):
        webhooks.settings_api.get_all(app_id)


def test_hostile_input_names_the_field(webhooks, app_id):
    with pytest.raises(ApiException) as refused:
        webhooks.settings_api.configure(
            app_id, SettingsChangeRequest(target_url="http://169.254.169.254/latest/meta-data")
        )
    assert refused.value.status == 400
    assert "targetUrl" in refused.value.body and "private" in refused.value.body
    for url in ("file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/"):
        with pytest.raises(ApiException) as refused:
            webhooks.settings_api.configure(app_id, SettingsChangeRequest(target_url=url))
        assert refused.value.status == 400 and "targetUrl" in refused.value.body
    with pytest.raises(ApiException) as refused:
        webhooks.subscriptions_api.create(
            app_id, SubscriptionCreateRequest(event_type="contact.propertyChange")
        )
    assert refused.value.status == 400 and "propertyName" in refused.value.body
    with pytest.raises(ApiException) as refused:
        webhooks.subscriptions_api.create(
            app_id,
            SubscriptionCreateRequest(event_type="contact.propertyChange", property_name="nope"),
        )
    assert refused.value.status == 400 and "nope" in refused.value.body
    with pytest.raises(ApiException) as refused:
        webhooks.subscriptions_api.create(
            app_id, SubscriptionCreateRequest(event_type="ticket.creation")
        )
    assert refused.value.status == 400 and "eventType" in refused.value.body


def test_an_app_manages_only_its_own_webhooks_and_needs_the_settings_right(
    sdk_server, webhooks, app_id, api_user
):
    other_app, _raw = create_token(api_user, "Another app")
    with pytest.raises(NotFoundException):
        webhooks.subscriptions_api.get_all(other_app.pk)

    rep = make_user("rep@example.com", role="Sales manager")  # API right, no settings right
    _token, raw = create_token(rep, "Rep's script")
    theirs = hubspot_client(raw, sdk_server, api_key=raw).webhooks
    with pytest.raises(ApiException) as refused:
        theirs.subscriptions_api.create(
            _token.pk, SubscriptionCreateRequest(event_type="contact.creation")
        )
    assert refused.value.status == 403
    assert WebhookSubscription.objects.count() == 0

    narrow_token, narrow = create_token(api_user, "Deals only", ["crm.objects.deals.read"])
    scoped = hubspot_client(narrow, sdk_server, api_key=narrow).webhooks
    with pytest.raises(ApiException) as refused:
        scoped.subscriptions_api.create(
            narrow_token.pk, SubscriptionCreateRequest(event_type="contact.creation")
        )
    assert refused.value.status == 403 and "MISSING_SCOPES" in refused.value.body
    scoped.subscriptions_api.create(
        narrow_token.pk, SubscriptionCreateRequest(event_type="deal.creation")
    )

    with pytest.raises(ApiException) as refused:
        hubspot_client(
            "pat-made-up", sdk_server, api_key="pat-made-up"
        ).webhooks.settings_api.get_all(app_id)
    assert refused.value.status == 401
    assert WebhookEvent.objects.count() == 0
