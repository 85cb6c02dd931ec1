"""What a received message says about an email sent from the CRM: it was answered, or it
bounced. These two functions are the one place where a reply or a bounce is recorded
(the mailbox sync and the inbound addresses call them); the activity feed and the
notifications observe them."""

import logging

from django.db import transaction

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import update_record
from comptoir.mail.models import OutboundEmail, OutboundStatus

log = logging.getLogger(__name__)

# Called after the commit: f(outbound, message) for a reply (message: InboundMessage),
# f(outbound, reason) for a bounce. The notifications app tells the sender of a bounce.
REPLY_OBSERVERS: list = []
BOUNCE_OBSERVERS: list = []


def mark_replied(outbound: OutboundEmail, message) -> None:
    """`message` (an InboundMessage, logged already) answers `outbound`."""
    log.info("Email %s answered by inbound message %s.", outbound.pk, message.pk)
    for observer in REPLY_OBSERVERS:
        transaction.on_commit(lambda o=observer: o(outbound, message), robust=True)


def mark_bounced(outbound: OutboundEmail, reason: str) -> bool:
    """A delivery report said `outbound` was not delivered: the email and its engagement
    are BOUNCED (hs_email_status), the reason kept, the sender told. False when it was
    marked already (a report found twice tells nobody twice)."""
    with transaction.atomic():
        done = OutboundEmail.objects.filter(pk=outbound.pk, status=OutboundStatus.SENT).update(
            status=OutboundStatus.BOUNCED, error=reason[:2000]
        )
        if not done:
            return False
        outbound.status, outbound.error = OutboundStatus.BOUNCED, reason[:2000]
        if (
            outbound.engagement_id
            and base_queryset("emails").filter(pk=outbound.engagement_id).exists()
        ):
            update_record(
                "emails",
                outbound.engagement_id,
                {"hs_email_status": "BOUNCED"},
                source=ChangeSource.for_user(
                    outbound.user, SourceType.SALES, f"outbound-email:{outbound.pk}"
                ),
            )
        for observer in BOUNCE_OBSERVERS:
            transaction.on_commit(lambda o=observer: o(outbound, reason), robust=True)
    log.warning("Email %s bounced: %s", outbound.pk, reason)
    return True
