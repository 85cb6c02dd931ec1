"""What other tools call to take a contact out of their sequences (TOOL-5): a booked
meeting (meetings/booking.py), a reply or a bounce (found by the mail sync)."""

MEETING_BOOKED, REPLIED, BOUNCED, BY_HAND = "meeting_booked", "replied", "bounced", "by_hand"


def stop_sequences(contact_id: int, reason: str) -> int:
    """Unenroll the contact from every active sequence, for `reason`; returns how many.
    No sequence exists before the sequences engine lands: nothing to stop."""
    return 0
