"""Email threads on the timelines: a reply sent from Comptoir carries In-Reply-To and
References (comptoir/mail/sending.py), and so does a reply logged by the mailbox sync
(comptoir/mail/inbound.py); its timeline entry names the thread it belongs to and links
to the thread's first email when that one is on the same page."""

from comptoir.mail.models import InboundMessage, InboundStatus, OutboundEmail


def thread_details(entries: dict[int, dict]) -> None:
    """core/ui/timeline.ACTIVITY_DETAILS: each shown email that answers another gets
    entry["thread"] = {"subject": the first email's subject, "anchor": its entry's id or ""}
    (at most four queries a page)."""
    emails = [pk for pk, entry in entries.items() if entry.get("kind") == "emails"]
    if not emails:
        return
    rows = [
        *OutboundEmail.objects.filter(engagement_id__in=emails)
        .exclude(in_reply_to="")
        .values_list("engagement_id", "in_reply_to", "references"),
        *InboundMessage.objects.filter(engagement_id__in=emails, status=InboundStatus.LOGGED)
        .exclude(in_reply_to="", references="")
        .values_list("engagement_id", "in_reply_to", "references"),
    ]
    replies = {
        engagement: (references.split() or [in_reply_to])[0]
        for engagement, in_reply_to, references in rows
    }
    if not replies:
        return
    wanted = set(replies.values())
    roots = {
        message_id: (engagement, subject)
        for message_id, engagement, subject in OutboundEmail.objects.filter(
            message_id__in=wanted
        ).values_list("message_id", "engagement_id", "subject")
    }
    for message_id, engagement, subject in InboundMessage.objects.filter(
        message_id__in=wanted - set(roots), status=InboundStatus.LOGGED
    ).values_list("message_id", "engagement_id", "subject"):
        roots[message_id] = (engagement, subject)
    for engagement, root in replies.items():
        first, subject = roots.get(root, (None, ""))
        entries[engagement]["thread"] = {
            "subject": subject,
            "anchor": f"activity-{first}" if first in entries else "",
        }
