"""A worker killed (kill -9) while sending an email (issue 17, point 2). Before the server
accepted it: the next worker sends it once, with the same Message-ID, and the email ends
SENT. After the server accepted it and before it was marked sent: the next worker marks it
SENT and sends nothing again. Real `comptoir worker` processes on a database of their own
(comptoir/core/testing/processes.py) and a real aiosmtpd server (whose DATA handler holds
the first message until the test has killed the worker, in the first case)."""

import asyncio
import email
import email.policy
import json
import os
import threading
import time

import psycopg
import pytest
from aiosmtpd.controller import Controller

from comptoir.core.testing.mailservers import HOST, free_port
from comptoir.core.testing.processes import wait_for

pytestmark = pytest.mark.slow

SETUP = """
from comptoir.core.testing.factories import make_contact
from comptoir.core.testing.processes import ADMIN
from comptoir.mail import services, sending
from comptoir.users.models import User
user = User.objects.get(email=ADMIN)
make_contact(email="anne@client.fr", firstname="Anne")
services.connect_mailbox(user, {{
    "email_address": "rep@example.com", "provider": "", "smtp_host": "{host}",
    "smtp_port": {port}, "smtp_security": "none", "smtp_username": "", "smtp_password": "",
    "imap_host": "{host}", "imap_port": 993, "imap_security": "ssl"}})
outbound = sending.compose(user, sending.Draft(
    to="anne@client.fr", subject="Une seule fois", html="<p>Bonjour</p>"))
print(outbound.pk, outbound.engagement_id)
"""
ACCEPTED = """
from comptoir.mail.models import OutboundEmail
print(OutboundEmail.objects.get().accepted_at is not None)
"""
STATE = """
import json
import os
from comptoir.core.records.values import base_queryset
from comptoir.mail.models import OutboundEmail
o = OutboundEmail.objects.get()
e = base_queryset("emails").get(pk=o.engagement_id)
print(json.dumps([o.status, o.message_id, o.attempts, e.properties["hs_email_status"]]))
"""


class HoldFirst:
    """Accepts every message but the first, which it holds until `release` (the client is
    gone by then: the message was never accepted)."""

    def __init__(self):
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.accepted: list[bytes] = []
        self.held = False

    async def handle_DATA(self, server, session, envelope):
        if not self.held:
            self.held = True
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            transport = server.transport
            if transport is None or transport.is_closing():
                return "451 4.4.2 Client gone"
        self.accepted.append(envelope.content)
        return "250 2.0.0 Message accepted for delivery"


@pytest.fixture
def holding_server():
    handler = HoldFirst()
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    yield handler, controller.port
    handler.release.set()
    controller.stop()


def test_a_worker_killed_mid_send_leaves_the_email_to_the_next_one_sent_once(site, holding_server):
    handler, port = holding_server
    site.env["COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS"] = "1"
    site.env["COMPTOIR_MAIL_SEND_STALL"] = "2"
    site.python(SETUP.format(host=HOST, port=port))

    def state():
        return json.loads(site.python(STATE).strip().splitlines()[-1])

    first = site.start("worker", log="worker-1.log")
    assert handler.arrived.wait(60), site.log("worker-1.log")
    status, message_id, attempts, engagement = state()
    assert (status, attempts, engagement) == ("sending", 1, "SENDING")
    first.kill()  # SIGKILL while the server holds DATA: not accepted
    first.wait()
    handler.release.set()
    time.sleep(2.5)  # the claim is now older than COMPTOIR_MAIL_SEND_STALL
    assert handler.accepted == []
    site.start("worker", log="worker-2.log")
    wait_for(lambda: handler.accepted, "the second worker sent it", tries=600)
    wait_for(lambda: state()[0] == "sent", "marked sent", tries=300)
    time.sleep(1)  # nothing more arrives
    assert len(handler.accepted) == 1
    received = email.message_from_bytes(handler.accepted[0], policy=email.policy.default)
    assert received["Message-ID"] == message_id
    assert state() == ["sent", message_id, 2, "SENT"]


class AcceptAll:
    def __init__(self):
        self.accepted: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append(envelope.content)
        return "250 2.0.0 Message accepted for delivery"


@pytest.fixture
def accepting_server():
    handler = AcceptAll()
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a row lock held by another connection (PostgreSQL); SQLite locks it all",
)
def test_a_worker_killed_after_the_server_accepted_does_not_send_again(site, accepting_server):
    """The worker is held after writing the server's acceptance and before `sent` (the
    test holds the engagement's row, which marking it SENT must lock), then killed."""
    handler, port = accepting_server
    site.env["COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS"] = "1"
    site.env["COMPTOIR_MAIL_SEND_STALL"] = "2"
    site.env["COMPTOIR_DB_LOCK_TIMEOUT"] = "120"  # held, not refused, until killed
    _pk, engagement_id = site.python(SETUP.format(host=HOST, port=port)).split()[-2:]

    def state():
        return json.loads(site.python(STATE).strip().splitlines()[-1])

    with psycopg.connect(site.env["DATABASE_URL"]) as holder:
        holder.execute(
            "SELECT id FROM activities_activity WHERE id = %s FOR UPDATE", [int(engagement_id)]
        )
        first = site.start("worker", log="worker-1.log")
        wait_for(lambda: handler.accepted, "the server accepted it", tries=600)
        accepted = wait_for(
            lambda: site.python(ACCEPTED).strip().splitlines()[-1] == "True",
            "the acceptance recorded",
        )
        assert accepted and state()[0] == "sending"
        first.kill()
        first.wait()
        holder.rollback()
    time.sleep(2.5)  # the claim is now older than COMPTOIR_MAIL_SEND_STALL
    site.start("worker", log="worker-2.log")
    wait_for(lambda: state()[0] == "sent", "marked sent by the next worker", tries=600)
    time.sleep(1)
    assert len(handler.accepted) == 1
    status, message_id, attempts, engagement = state()
    assert (status, attempts, engagement) == ("sent", 1, "SENT")
    received = email.message_from_bytes(handler.accepted[0], policy=email.policy.default)
    assert received["Message-ID"] == message_id
