"""Background work of webhooks (API-4): sending what the outbox holds
(comptoir/webhooks/delivery.py)."""

import datetime as dt
import os
import socket
import threading
import time

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from comptoir.webhooks import delivery

# A write's events wake the worker after its commit, at most once a second per process:
# the task runs a second later and takes whatever was committed meanwhile.
WAKE_EVERY = 1.0
_last_wake = {"at": 0.0}
_lock = threading.Lock()


def _worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@task
def deliver_webhooks() -> int:
    """Batches of the waiting events, and the retries whose time came (also every tick of
    the scheduler, comptoir.core.scheduling)."""
    return delivery.deliver_due(_worker_id())


def wake() -> None:
    """After the current transaction commits, have a worker send soon."""

    def enqueue():
        with _lock:
            moment = time.monotonic()
            if moment - _last_wake["at"] < WAKE_EVERY:
                return
            _last_wake["at"] = moment
        deliver_webhooks.using(
            run_after=timezone.now() + dt.timedelta(seconds=WAKE_EVERY)
        ).enqueue()

    transaction.on_commit(enqueue, robust=True)


def resume_interrupted(now=None) -> int:
    """On every scheduler tick (RECOVERIES): batches whose worker died while sending are
    tried again."""
    return delivery.interrupted(now)
