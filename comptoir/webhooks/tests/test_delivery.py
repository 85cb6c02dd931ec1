"""Webhooks (API-4): events captured with the write, sent in signed batches to a real HTTP
receiver, retried over a day, logged, and switched off after repeated failures."""

import datetime as dt
import json
import os
import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from hubspot.utils.signature import Signature

from comptoir.core.associations.services import associate, remove_association
from comptoir.core.records.merge import merge_records
from comptoir.core.records.writes import (
    archive_record,
    purge_records,
    restore_record,
    update_record,
)
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)
from comptoir.notifications.kinds import record_url, title
from comptoir.notifications.models import Notification
from comptoir.users.models import Role
from comptoir.webhooks import delivery, services
from comptoir.webhooks.models import BatchState, WebhookAttempt, WebhookBatch, WebhookEvent

pytestmark = pytest.mark.django_db


def subscribe(app, url, *pairs):
    services.set_target(app, url)
    for object_type, action, *prop in pairs:
        services.create_subscription(app, object_type, action, prop[0] if prop else "")
    return services.target_of(app)


def events_sent(receiver) -> list[dict]:
    return [event for request in receiver.requests for event in json.loads(request["body"])]


def test_a_batch_is_signed_as_hubspots_sdk_checks_it(receiver, app):
    target = subscribe(
        app,
        receiver.url,
        ("contacts", "creation"),
        ("contacts", "propertyChange", "firstname"),
    )
    ids = [make_contact(email=f"c{i}@example.com", firstname=f"C{i}").pk for i in range(3)]
    update_record("contacts", ids[0], {"firstname": "Camille", "lastname": "X"}, source=UI)

    assert delivery.deliver_due("tests") == 1
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = request["headers"]
    assert request["path"] == "/hooks/comptoir?source=tests"
    assert headers["Content-Type"] == "application/json"
    # The official SDK's helper: the exact check a HubSpot app runs on what it receives.
    assert Signature.is_valid(
        signature=headers["X-HubSpot-Signature-v3"],
        client_secret=target.client_secret,
        request_body=request["body"],
        http_uri=receiver.url,
        http_method="POST",
        signature_version="v3",
        timestamp=headers["X-HubSpot-Request-Timestamp"],
    )
    assert not Signature.is_valid(
        signature=headers["X-HubSpot-Signature-v3"],
        client_secret="another-secret",
        request_body=request["body"],
        http_uri=receiver.url,
        signature_version="v3",
        timestamp=headers["X-HubSpot-Request-Timestamp"],
    )
    sent = events_sent(receiver)
    assert [(e["subscriptionType"], e["objectId"]) for e in sent] == [
        ("contact.creation", ids[0]),
        ("contact.creation", ids[1]),
        ("contact.creation", ids[2]),
        ("contact.propertyChange", ids[0]),
    ]
    change = sent[3]
    assert change["propertyName"] == "firstname"
    assert change["propertyValue"] == "Camille"
    assert change["changeSource"] == "CRM_UI"
    assert change["appId"] == app.pk
    assert change["portalId"] == 1
    assert change["attemptNumber"] == 0
    assert isinstance(change["occurredAt"], int)
    assert {e["eventId"] for e in sent} == set(WebhookEvent.objects.values_list("pk", flat=True))
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.error, attempt.events) == (204, "", 4)
    assert WebhookBatch.objects.get().state == BatchState.DELIVERED


def test_batches_hold_at_most_100_events(receiver, app):
    subscribe(app, receiver.url, ("companies", "creation"))
    for i in range(130):
        make_company(name=f"Co {i}")
    assert delivery.deliver_due("tests") == 2
    assert [len(json.loads(r["body"])) for r in receiver.requests] == [100, 30]


def test_deletion_restore_merge_and_associations(receiver, app):
    subscribe(
        app,
        receiver.url,
        ("contacts", "deletion"),
        ("contacts", "restore"),
        ("contacts", "merge"),
        ("contacts", "associationChange"),
        ("companies", "associationChange"),
    )
    a, b = make_contact(email="a@example.com"), make_contact(email="b@example.com")
    company = make_company(name="Acme")
    archive_record("contacts", a.pk, source=UI)
    restore_record("contacts", a.pk, source=UI)
    merge_records("contacts", a.pk, b.pk, source=UI)
    associate("contacts", a.pk, "companies", company.pk, source=UI)
    remove_association("contacts", a.pk, "companies", company.pk, source=UI)
    delivery.deliver_due("tests")
    sent = events_sent(receiver)
    kinds = [(e["subscriptionType"], e["objectId"]) for e in sent]
    assert kinds[:3] == [
        ("contact.deletion", a.pk),
        ("contact.restore", a.pk),
        ("contact.merge", a.pk),
    ]
    merge = sent[2]
    assert (merge["primaryObjectId"], merge["mergedObjectIds"], merge["newObjectId"]) == (
        a.pk,
        [b.pk],
        a.pk,
    )
    links = [e for e in sent if e["subscriptionType"].endswith("associationChange")]
    added = [e for e in links if not e["associationRemoved"]]
    removed = [e for e in links if e["associationRemoved"]]
    assert {(e["associationType"], e["fromObjectId"], e["toObjectId"]) for e in added} >= {
        ("CONTACT_TO_COMPANY", a.pk, company.pk),
        ("COMPANY_TO_CONTACT", company.pk, a.pk),
    }
    assert any(e["isPrimaryAssociation"] for e in added)  # the first company is primary
    assert {(e["associationType"], e["fromObjectId"]) for e in removed} >= {
        ("CONTACT_TO_COMPANY", a.pk),
        ("COMPANY_TO_CONTACT", company.pk),
    }


def test_a_write_that_rolls_back_sends_nothing(receiver, app):
    subscribe(app, receiver.url, ("contacts", "creation"))
    with pytest.raises(RuntimeError), transaction.atomic():
        make_contact(email="ghost@example.com")
        raise RuntimeError("the write fails after the record was inserted")
    assert WebhookEvent.objects.count() == 0
    make_contact(email="real@example.com")
    assert WebhookEvent.objects.count() == 1  # in the outbox with its record, before any send


def test_an_inactive_subscription_or_another_property_captures_nothing(receiver, app):
    subscribe(app, receiver.url, ("contacts", "propertyChange", "lastname"))
    sub = services.create_subscription(app, "contacts", "creation")
    services.set_active(sub, False)
    contact = make_contact(email="x@example.com")
    update_record("contacts", contact.pk, {"firstname": "Jo"}, source=UI)
    assert WebhookEvent.objects.count() == 0
    update_record("contacts", contact.pk, {"lastname": "Doe"}, source=UI)
    assert WebhookEvent.objects.count() == 1


class Clock:
    """The delivery schedule's clock, moved by the test (no sleeping)."""

    def __init__(self, monkeypatch):
        self.at = timezone.now()
        monkeypatch.setattr(delivery, "now", lambda: self.at)

    def tick(self, seconds: int):
        self.at += dt.timedelta(seconds=seconds)


def test_a_receiver_down_for_an_hour_loses_nothing(receiver, app, monkeypatch):
    clock = Clock(monkeypatch)
    subscribe(app, receiver.url, ("contacts", "creation"))
    receiver.stop()
    created = []
    # An hour and a half of a worker ticking every 30 s; a contact every 5 minutes; the
    # receiver comes back after an hour.
    for step in range(180):
        if step % 10 == 0:
            created.append(make_contact(email=f"p{step}@example.com").pk)
        if step == 120:
            receiver.start()
        delivery.deliver_due("tests")
        clock.tick(30)
    sent = events_sent(receiver)
    assert sorted(e["objectId"] for e in sent) == sorted(created)  # every one, once
    assert WebhookBatch.objects.exclude(state=BatchState.DELIVERED).count() == 0
    failures = WebhookAttempt.objects.filter(status_code__isnull=True)
    # The first batch was retried with back-off (84 s, 168 s, 336 s...), not every tick;
    # the events written meanwhile waited for it instead of each making a batch of its own.
    assert 5 <= failures.count() <= 8
    assert all("refused the connection" in a.error for a in failures)
    retried = max(e["attemptNumber"] for e in sent)
    assert retried >= 5


def test_retries_stop_after_a_day_and_repeated_failures_switch_the_app_off(
    receiver, app, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.COMPTOIR_WEBHOOK_DISABLE_AFTER = 2
    clock = Clock(monkeypatch)
    target = subscribe(app, receiver.url, ("contacts", "creation"))
    receiver.status = 503
    make_contact(email="one@example.com")
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due("tests")
        clock.tick(int(max(delivery.BACKOFF).total_seconds()) + 1)
    batch = WebhookBatch.objects.get()
    assert batch.state == BatchState.FAILED
    assert batch.log.count() == delivery.MAX_ATTEMPTS == 11
    assert sum(delivery.BACKOFF, dt.timedelta()) > dt.timedelta(hours=23)
    assert batch.log.first().error == "The receiver answered HTTP 503."
    target.refresh_from_db()
    assert (target.failed_batches, target.disabled_at) == (1, None)

    receiver.status = 400  # not retried: fails at once
    make_contact(email="two@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        delivery.deliver_due("tests")
    target.refresh_from_db()
    assert target.disabled_at is not None
    assert "2 batches in a row" in target.disabled_reason
    notice = Notification.objects.get(kind="webhooks_disabled")
    assert notice.recipient_id == app.user_id and notice.object_id == app.pk
    assert title(notice) == "The webhooks of “Sync app” were switched off"
    assert record_url(notice) == f"/settings/webhooks/{app.pk}/"
    assert "2 batches in a row" in notice.body

    make_contact(email="three@example.com")  # nothing captured while switched off
    assert WebhookEvent.objects.count() == 2

    services.switch_on(target)
    assert delivery.replay(batch)
    receiver.status = 200
    assert delivery.deliver_due("tests") == 1
    assert events_sent(receiver)[-1]["objectId"] == WebhookEvent.objects.first().object_id


def test_a_batch_whose_worker_died_is_sent_again(receiver, app, monkeypatch):
    clock = Clock(monkeypatch)
    subscribe(app, receiver.url, ("contacts", "creation"))
    make_contact(email="one@example.com")
    delivery.form_batches()
    batch = WebhookBatch.objects.get()
    assert delivery.claim(batch.pk, "dead-worker", clock.at)  # then the worker is killed
    clock.tick(60)
    assert delivery.deliver_due("tests") == 0  # still claimed
    clock.tick(delivery.STALL.seconds)
    assert delivery.interrupted() == 1
    assert delivery.deliver_due("tests") == 1
    assert len(events_sent(receiver)) == 1


NODE = shutil.which("node")
NODE_CHECK = """
const { Signature } = require("@hubspot/api-client");
const given = JSON.parse(process.env.GIVEN);
process.stdout.write(JSON.stringify(given.map((g) => Signature.isValid(g))));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed (node not found)")
def test_the_node_sdk_accepts_the_signature_too(receiver, app):
    """@hubspot/api-client's Signature.isValid (pinned in package.json), in a real Node."""
    target = subscribe(app, receiver.url, ("deals", "creation"))
    make_company(name="Not sent")  # not subscribed
    make_deal(dealname="Grosse affaire")
    delivery.deliver_due("tests")
    request = receiver.requests[0]
    headers = request["headers"]
    check = {
        "signatureVersion": "v3",
        "method": "POST",
        "url": receiver.url,
        "requestBody": request["body"],
        "timestamp": int(headers["X-HubSpot-Request-Timestamp"]),
        "signature": headers["X-HubSpot-Signature-v3"],
    }
    given = [
        {**check, "clientSecret": target.client_secret},
        {**check, "clientSecret": "not-the-secret"},
    ]
    done = subprocess.run(
        [NODE, "-e", NODE_CHECK],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "NODE_PATH": str(settings.BASE_DIR.parent / "node_modules"),
            "GIVEN": json.dumps(given),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, False]


def test_a_target_that_turns_private_is_refused_at_send_time(receiver, app, settings):
    """A host name whose address changed after it was saved (DNS rebinding), here: the
    setting that allowed loopback taken away. Checked again before every POST."""
    subscribe(app, receiver.url, ("contacts", "creation"))
    settings.COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    make_contact(email="a@example.com")
    delivery.deliver_due("tests")
    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "private, loopback or local" in attempt.error
    assert WebhookBatch.objects.get().state == BatchState.RETRYING


def test_a_redirect_is_not_followed(receiver, app):
    receiver.status = 307
    subscribe(app, receiver.url, ("contacts", "creation"))
    make_contact(email="a@example.com")
    delivery.deliver_due("tests")
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.get().error == "The receiver answered HTTP 307."
    assert WebhookBatch.objects.get().state == BatchState.FAILED  # a 3xx or 4xx is final


def test_activities_use_hubspots_generic_event_names(receiver, app):
    subscribe(
        app, receiver.url, ("tasks", "creation"), ("tasks", "propertyChange", "hs_task_subject")
    )
    task = make_activity("tasks", hs_task_subject="Rappeler")
    update_record("tasks", task.pk, {"hs_task_subject": "Rappeler lundi"}, source=UI)
    delivery.deliver_due("tests")
    sent = events_sent(receiver)
    assert [(e["subscriptionType"], e["objectTypeId"], e["objectId"]) for e in sent] == [
        ("object.creation", "0-27", task.pk),
        ("object.propertyChange", "0-27", task.pk),
    ]
    assert sent[1]["propertyValue"] == "Rappeler lundi"


def test_a_gdpr_erasure_sends_privacy_deletion_and_the_links_it_removed(receiver, app):
    subscribe(
        app,
        receiver.url,
        ("contacts", "privacyDeletion"),
        ("contacts", "deletion"),
        ("companies", "associationChange"),
    )
    company = make_company(name="Acme")
    live = make_contact(email="live@example.com", associations=[("companies", company.pk, None)])
    gone = make_contact(email="gone@example.com")
    archive_record("contacts", gone.pk, source=UI)
    delivery.deliver_due("tests")
    receiver.requests.clear()

    purge_records("contacts", [live.pk], gdpr=True, source=UI)
    purge_records("contacts", [gone.pk], gdpr=True, source=UI)
    purge_records("companies", [make_company(name="Old").pk])  # a purge, not an erasure
    delivery.deliver_due("tests")
    sent = events_sent(receiver)
    erased = [(e["subscriptionType"], e["objectId"], e.get("changeFlag")) for e in sent]
    assert ("contact.privacyDeletion", live.pk, "PRIVACY_DELETED") in erased
    assert ("contact.deletion", live.pk, "DELETED") in erased
    # Archived before: its deletion was sent then; the erasure is still told.
    assert ("contact.privacyDeletion", gone.pk, "PRIVACY_DELETED") in erased
    assert ("contact.deletion", gone.pk, "DELETED") not in erased
    removed = [e for e in sent if e["subscriptionType"] == "company.associationChange"]
    # One event per association type removed (the primary company and the unlabelled one).
    assert {(e["fromObjectId"], e["toObjectId"], e["associationRemoved"]) for e in removed} == {
        (company.pk, live.pk, True)
    }
    assert len({e["associationTypeId"] for e in removed}) == len(removed) == 2


def test_a_merge_tells_the_links_moved_away_from_the_merged_record(receiver, app):
    subscribe(app, receiver.url, ("companies", "associationChange"))
    company = make_company(name="Acme")
    a = make_contact(email="a@example.com")
    b = make_contact(email="b@example.com", associations=[("companies", company.pk, None)])
    merge_records("contacts", a.pk, b.pk, source=UI)
    delivery.deliver_due("tests")
    links = {
        (e["fromObjectId"], e["toObjectId"], e["associationRemoved"])
        for e in events_sent(receiver)
        if e["subscriptionType"] == "company.associationChange"
    }
    assert (company.pk, b.pk, True) in links  # the merged-away contact's link removed
    assert (company.pk, a.pk, False) in links  # and given to the survivor


def test_privacy_deletion_is_a_contacts_event_only(app):
    with pytest.raises(services.WebhookError) as raised:
        services.create_subscription(app, "companies", "privacyDeletion")
    assert raised.value.field == "eventType"
    assert "contacts" in raised.value.message
    assert services.create_subscription(app, "contacts", "privacyDeletion").action == (
        "privacyDeletion"
    )


def test_a_token_owner_who_is_no_admin_is_told_where_they_can_look(
    receiver, app, admin, settings, django_capture_on_commit_callbacks
):
    settings.COMPTOIR_WEBHOOK_DISABLE_AFTER = 1
    subscribe(app, receiver.url, ("contacts", "creation"))
    owner = app.user
    owner.role = Role.objects.get(name="Sales manager")  # the admin who subscribed, demoted
    owner.is_superuser = False
    owner.save()
    other_admin = make_user("boss@example.com", role="Super admin")
    receiver.status = 400
    make_contact(email="one@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        delivery.deliver_due("tests")
    notices = {n.recipient_id: n for n in Notification.objects.filter(kind="webhooks_disabled")}
    assert set(notices) == {owner.pk, other_admin.pk}
    assert record_url(notices[owner.pk]) == "/settings/api-tokens/"
    assert record_url(notices[other_admin.pk]) == f"/settings/webhooks/{app.pk}/"
