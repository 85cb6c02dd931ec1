"""Background work of the mail app: sending the emails written in the CRM
(comptoir/mail/sending.py has the state machine, comptoir/mail/delivery.py the worker's side)."""

import os
import socket

from django.tasks import task

from comptoir.mail import delivery, oauth
from comptoir.mail.models import Mailbox


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
def sync_mailboxes() -> int:
    """Every few minutes (comptoir.core.scheduling): a sync of each connected mailbox is
    queued (each run claims its mailbox: two workers never sync one at once), and the
    portal's catch-all box is polled when one is set."""
    pks = list(Mailbox.objects.filter(user__is_active=True).values_list("pk", flat=True))
    for pk in pks:
        sync_mailbox.enqueue(pk)
    sync_inbound_box.enqueue()
    return len(pks)


@task
def sync_mailbox(pk: int) -> int:
    """One incremental run of one mailbox (comptoir/mail/sync.py)."""
    # Imported here: sync -> inbound -> sending imports this module.
    from comptoir.mail import sync

    result = sync.sync_mailbox(pk)
    return result.fetched if result else 0


@task
def sync_inbound_box() -> int:
    """One run of the portal's catch-all box, when one is set."""
    # Imported here: sync -> inbound -> sending imports this module.
    from comptoir.mail import sync

    result = sync.sync_inbound_box()
    return result.fetched if result else 0


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
