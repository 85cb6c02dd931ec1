"""A worker killed (kill -9) in the middle of a sequence step (TOOL-5, issue 18 point 2):
the step is neither done twice nor skipped. Real `comptoir worker` processes on a database
of their own (comptoir/core/testing/processes.py) and a real aiosmtpd server.

1. Killed while the step's email is being sent (the server holds DATA): the step was
   committed with its email; the next worker sends that email once, with its Message-ID,
   and the step is not run again.
2. Killed inside the step's transaction (PostgreSQL: the test holds the enrolment's row,
   which the step's last UPDATE must lock): nothing of the step is left; the next run does
   it, once."""

import email
import email.policy
import json
import os
import time

import psycopg
import pytest

from comptoir.core.testing.mailservers import HOST
from comptoir.core.testing.processes import wait_for

pytestmark = pytest.mark.slow

SETUP = """
from comptoir.core.testing.factories import make_contact
from comptoir.core.testing.processes import ADMIN
from comptoir.emailtemplates.services import create_template
from comptoir.mail import services
from comptoir.sequences import services as sequences
from comptoir.sequences.models import SequenceSettings
from comptoir.users.models import User
user = User.objects.get(email=ADMIN)
contact = make_contact(email="anne@client.fr", firstname="Anne")
services.connect_mailbox(user, {{
    "email_address": "rep@example.com", "provider": "", "smtp_host": "{host}",
    "smtp_port": {port}, "smtp_security": "none", "smtp_username": "", "smtp_password": "",
    "imap_host": "{host}", "imap_port": 993, "imap_security": "ssl"}})
SequenceSettings.objects.create(pk=1, working_days=list(range(7)))  # any day, any hour
template = create_template(user, name="Bonjour", subject="Bonjour {{{{ contact.firstname }}}}",
                           body="<p>Une seule fois</p>")
seq = sequences.save_sequence(user, {{"name": "Relance", "window_start": 0, "window_end": 24}})
sequences.save_step(user, seq, {{"kind": "email", "delay_days": 0, "template": template.pk}})
sequences.save_step(user, seq, {{"kind": "email", "delay_days": 3, "template": template.pk}})
(enrollment,), _check = sequences.enroll(user, seq, [contact.pk])
print(enrollment.pk)
"""
STATE = """
import json
from comptoir.mail.models import OutboundEmail
from comptoir.sequences.models import Enrollment, StepExecution
e = Enrollment.objects.get()
print(json.dumps({
    "executions": list(StepExecution.objects.values_list("step__position", flat=True)),
    "emails": list(OutboundEmail.objects.values_list("status", "message_id")),
    "state": e.state,
    "moved_on": e.due_at is not None and e.due_at > e.enrolled_at,
}))
"""
RUN = """
from comptoir.sequences.tasks import run_sequences
run_sequences.enqueue()
"""


def _state(on):
    return json.loads(on.python(STATE).strip().splitlines()[-1])


def test_a_worker_killed_while_the_step_email_is_sent_sends_it_once(site, holding_server):
    handler, port = holding_server
    site.env["COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS"] = "1"
    site.env["COMPTOIR_MAIL_SEND_STALL"] = "2"
    site.python(SETUP.format(host=HOST, port=port))
    first = site.start("worker", log="worker-1.log")
    assert handler.arrived.wait(90), site.log("worker-1.log")
    state = _state(site)
    assert state["executions"] == [0] and state["moved_on"]
    assert [status for status, _id in state["emails"]] == ["sending"]
    first.kill()  # SIGKILL while the server holds DATA: not accepted
    first.wait()
    handler.release.set()
    time.sleep(2.5)  # the claim is now older than COMPTOIR_MAIL_SEND_STALL
    assert handler.accepted == []
    site.start("worker", log="worker-2.log")
    site.python(RUN)  # the sequences job again: nothing more is due
    wait_for(lambda: handler.accepted, "the second worker sent it", tries=600)
    wait_for(lambda: _state(site)["emails"][0][0] == "sent", "marked sent", tries=300)
    time.sleep(1.5)
    assert len(handler.accepted) == 1
    state = _state(site)
    assert state["executions"] == [0] and len(state["emails"]) == 1
    received = email.message_from_bytes(handler.accepted[0], policy=email.policy.default)
    assert received["Message-ID"] == state["emails"][0][1]
    assert received["Subject"] == "Bonjour Anne"


WAITING = """
SELECT count(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE "sequences_enrollment"%%'
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a row lock held by another connection (PostgreSQL); SQLite locks it all",
)
def test_a_worker_killed_inside_the_step_leaves_it_to_the_next_run(site, accepting_server):
    handler, port = accepting_server
    site.env["COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS"] = "1"
    site.env["COMPTOIR_DB_LOCK_TIMEOUT"] = "120"  # held, not refused, until killed
    enrollment_id = int(site.python(SETUP.format(host=HOST, port=port)).split()[-1])
    url = site.env["DATABASE_URL"]
    with psycopg.connect(url) as holder, psycopg.connect(url, autocommit=True) as watcher:
        holder.execute(
            "SELECT id FROM sequences_enrollment WHERE id = %s FOR UPDATE", [enrollment_id]
        )
        first = site.start("worker", log="worker-1.log")
        wait_for(
            lambda: watcher.execute(WAITING).fetchone()[0] == 1,
            "the step waiting on the enrolment's row",
            tries=900,
        )
        first.kill()  # inside the step: its claim and its email are written, not committed
        first.wait()
        holder.rollback()
    state = _state(site)
    assert state["executions"] == [] and state["emails"] == [] and not state["moved_on"]
    assert handler.accepted == []
    site.start("worker", log="worker-2.log")
    site.python(RUN)
    wait_for(lambda: handler.accepted, "the step done by the next run", tries=600)
    wait_for(lambda: _state(site)["emails"][0][0] == "sent", "marked sent", tries=300)
    site.python(RUN)  # once more: the step is not done again
    time.sleep(2)
    assert len(handler.accepted) == 1
    state = _state(site)
    assert state["executions"] == [0] and state["moved_on"] and state["state"] == "active"
