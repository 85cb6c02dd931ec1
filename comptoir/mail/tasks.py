"""Background work of the mail app: sending the emails written in the CRM
(comptoir/mail/sending.py has the state machine, comptoir/mail/delivery.py the worker's side)."""

import os
import socket

from django.tasks import task

from comptoir.mail import delivery, oauth


def _worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@task
def send_email(pk: int) -> str:
    """Send one email now (queued once its row is committed, or by a recovery)."""
    return delivery.deliver(pk, _worker_id())


@task
def send_due_emails() -> int:
    """Every minute (comptoir.core.scheduling): the scheduled emails whose time came, and
    those whose back-off is over."""
    return delivery.send_due(_worker_id())


@task
def refresh_mail_tokens() -> int:
    """Every 10 minutes: OAuth2 mailboxes' access tokens that end soon, renewed."""
    return oauth.refresh_expiring()


def resume_interrupted(now=None) -> list[int]:
    """On every scheduler tick (RECOVERIES): emails whose worker died while sending are
    marked sent (the server had accepted them) or queued again (delivery.interrupted)."""
    resumed = delivery.interrupted(now)
    for pk in resumed:
        send_email.enqueue(pk)
    return resumed
