"""Settings > Webhooks (API-4): an administrator sets an app's target URL and
subscriptions, switches them on and off (htmx), reads the delivery log and replays a batch;
anyone else finds no such page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.core.testing.factories import make_contact, make_user
from comptoir.users.services import create_token
from comptoir.webhooks import delivery, services
from comptoir.webhooks.models import BatchState, WebhookBatch, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    return client


def test_an_admin_sets_up_an_app_and_replays_a_batch(admin_client, app, receiver):
    listing = admin_client.get(reverse("settings:webhooks"))
    assert listing.status_code == 200 and "Sync app" in listing.content.decode()
    url = reverse("settings:webhook_app", args=[app.pk])
    saved = admin_client.post(url, {"target_url": receiver.url, "max_concurrent_requests": 10})
    assert saved.status_code == 302
    added = admin_client.post(
        reverse("settings:webhook_subscribe", args=[app.pk]),
        {"object_type": "contacts", "action": "propertyChange", "property_name": "email"},
    )
    assert added.status_code == 302
    sub = WebhookSubscription.objects.get()
    assert (sub.object_type, sub.action, sub.property_name, sub.active) == (
        "contacts",
        "propertyChange",
        "email",
        True,
    )
    toggled = admin_client.post(
        reverse("settings:webhook_toggle", args=[app.pk, sub.pk]),
        {"active": "off"},
        headers={"HX-Request": "true"},
    )
    assert toggled.status_code == 200
    assert 'aria-checked="false"' in toggled.content.decode()
    assert toggled.content.decode().lstrip().startswith("<tr")
    services.set_active(sub, True)
    services.create_subscription(app, "contacts", "creation")

    make_contact(email="a@example.com")
    delivery.deliver_due("tests")
    page = admin_client.get(url).content.decode()
    assert "HTTP 204" in page and services.target_of(app).client_secret in page
    batch = WebhookBatch.objects.get()
    replayed = admin_client.post(
        reverse("settings:webhook_replay", args=[app.pk, batch.pk]), headers={"HX-Request": "true"}
    )
    assert "sent again" in replayed.content.decode()
    batch.refresh_from_db()
    assert batch.state == BatchState.PENDING
    delivery.deliver_due("tests")
    assert len(receiver.requests) == 2  # the same events, sent again
    assert receiver.requests[0]["body"].replace('"attemptNumber":0', "") == receiver.requests[1][
        "body"
    ].replace('"attemptNumber":0', "")


def test_hostile_input_is_refused_naming_the_field(admin_client, app, settings):
    settings.COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    url = reverse("settings:webhook_app", args=[app.pk])
    for target in (
        "http://127.0.0.1:8000/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/latest",
        "ftp://example.com/",
        "javascript:alert(1)",
        "http://user:pw@example.com/",
        "not a url",
    ):
        answer = admin_client.post(url, {"target_url": target, "max_concurrent_requests": 10})
        assert answer.status_code == 422, target
        assert 'id="id_target_url_error"' in answer.content.decode(), target
    answer = admin_client.post(
        reverse("settings:webhook_subscribe", args=[app.pk]),
        {"object_type": "contacts", "action": "propertyChange", "property_name": "<script>"},
    )
    assert answer.status_code == 422
    assert 'id="id_property_name_error"' in answer.content.decode()
    assert "<script>" not in answer.content.decode().split("id_property_name_error")[1][:200]
    assert WebhookSubscription.objects.count() == 0


def test_a_user_without_the_settings_right_finds_no_page(client, app, receiver):
    services.set_target(app, receiver.url)
    sub = services.create_subscription(app, "contacts", "creation")
    rep = make_user("rep@example.com", role="Sales manager")
    _token, _raw = create_token(rep, "Rep's own token")
    client.force_login(rep)
    pages = [
        ("get", reverse("settings:webhooks")),
        ("get", reverse("settings:webhook_app", args=[app.pk])),
        ("get", reverse("settings:webhook_app", args=[_token.pk])),
        ("post", reverse("settings:webhook_toggle", args=[app.pk, sub.pk])),
        ("post", reverse("settings:webhook_unsubscribe", args=[app.pk, sub.pk])),
        ("post", reverse("settings:webhook_switch_on", args=[app.pk])),
        ("post", reverse("settings:webhook_secret", args=[app.pk])),
    ]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 404, url
    assert "/settings/webhooks/" not in client.get(reverse("settings:profile")).content.decode()
    sub.refresh_from_db()
    assert sub.active


def test_the_apps_list_costs_the_same_queries_whatever_the_number_of_apps(
    admin_client, admin, app, receiver, django_assert_max_num_queries
):
    services.set_target(app, receiver.url)
    services.create_subscription(app, "contacts", "creation")
    with CaptureQueriesContext(connection) as one:
        admin_client.get(reverse("settings:webhooks"))
    for i in range(4):
        other = create_token(admin, f"App {i}")[0]
        services.set_target(other, receiver.url)
        services.create_subscription(other, "deals", "creation")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = admin_client.get(reverse("settings:webhooks")).content.decode()
    assert page.count("data-app=") == 5


def test_the_page_costs_the_same_queries_whatever_the_log(
    admin_client, app, receiver, django_assert_max_num_queries
):
    services.set_target(app, receiver.url)
    services.create_subscription(app, "contacts", "creation")
    url = reverse("settings:webhook_app", args=[app.pk])
    make_contact(email="a@example.com")
    delivery.deliver_due("tests")
    with CaptureQueriesContext(connection) as one:
        admin_client.get(url)
    for i in range(5):
        make_contact(email=f"more{i}@example.com")
        delivery.deliver_due("tests")
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(url)
