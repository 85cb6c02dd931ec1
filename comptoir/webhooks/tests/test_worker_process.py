"""Webhooks end to end through real processes (API-4): `comptoir serve` takes a change made
through the API, a `comptoir worker` sends it to a real receiver, signed; then the worker
is killed with SIGKILL while the receiver is down, and a new worker delivers what the
outbox kept."""

import json
import signal

import pytest
from hubspot.utils.signature import Signature

from comptoir.core.testing.processes import (
    _site_template,  # noqa: F401 (the session fixture `site` copies)
    site,  # noqa: F401
    wait_for,
)
from comptoir.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.slow


def test_a_real_worker_delivers_and_a_killed_one_loses_nothing(site):  # noqa: F811
    site.env["COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS"] = "true"  # the receiver is on loopback
    receiver = Receiver()
    try:
        site.serve()
        app_id = json.loads(
            site.python(
                "from comptoir.users.models import ApiToken\nprint(ApiToken.objects.get().pk)"
            )
            .strip()
            .splitlines()[-1]
        )
        status, _h, body = site.request(
            "PUT", f"/webhooks/v3/{app_id}/settings", {"targetUrl": receiver.url}
        )
        assert status == 200, body
        status, _h, body = site.request(
            "POST", f"/webhooks/v3/{app_id}/subscriptions", {"eventType": "contact.creation"}
        )
        assert status == 201, body
        worker = site.start("worker", "--interval", "0.2", log="worker.log")

        status, _h, body = site.request(
            "POST", "/crm/v3/objects/contacts", {"properties": {"email": "un@example.com"}}
        )
        assert status == 201, body
        first = json.loads(body)["id"]
        wait_for(lambda: receiver.requests, "the first batch")
        secret = (
            site.python(
                "from comptoir.webhooks.models import WebhookTarget\n"
                "print(WebhookTarget.objects.get().client_secret)"
            )
            .strip()
            .splitlines()[-1]
        )
        request = receiver.requests[0]
        assert Signature.is_valid(
            signature=request["headers"]["X-HubSpot-Signature-v3"],
            client_secret=secret,
            request_body=request["body"],
            http_uri=receiver.url,
            signature_version="v3",
            timestamp=request["headers"]["X-HubSpot-Request-Timestamp"],
        )
        assert [e["objectId"] for e in json.loads(request["body"])] == [int(first)]

        receiver.stop()  # the receiver goes down, the worker with it
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        status, _h, body = site.request(
            "POST", "/crm/v3/objects/contacts", {"properties": {"email": "deux@example.com"}}
        )
        second = json.loads(body)["id"]
        receiver.start()  # back on the same port
        site.start("worker", "--interval", "0.2", log="worker2.log")  # its first tick sends
        wait_for(lambda: len(receiver.requests) >= 2, "the event written while no one sent")
        sent = [e["objectId"] for r in receiver.requests for e in json.loads(r["body"])]
        assert sent == [int(first), int(second)]
    finally:
        receiver.stop()
