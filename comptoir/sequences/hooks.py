"""A contact who replies, or whose email bounces, leaves their sequences (TOOL-5): the mail
app's reply and bounce observers (comptoir/mail/replies.py), added in AppConfig.ready().
The engine also checks the enrolment's own emails before each step (engine.prefetch), so
a reply recorded while the observer could not run still stops the sequence."""

from comptoir.core.records.values import base_queryset
from comptoir.mail.delivery import address_of
from comptoir.sequences.stopping import BOUNCED, REPLIED, stop_sequences


def _contacts(addresses) -> list[int]:
    found = [a for a in (address_of(x) for x in addresses) if a]
    if not found:
        return []
    return list(base_queryset("contacts").filter(email__in=found).values_list("pk", flat=True))


def on_reply(outbound, message) -> None:
    """Whoever answered (the message's sender), else the email's recipients."""
    contacts = _contacts([getattr(message, "from_address", "") or ""]) or _contacts(outbound.to)
    for contact_id in contacts:
        stop_sequences(contact_id, REPLIED)


def on_bounce(outbound, reason) -> None:
    for contact_id in _contacts([*outbound.to, *outbound.cc]):
        stop_sequences(contact_id, BOUNCED)
