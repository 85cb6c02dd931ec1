"""Email threads on the timelines: a reply sent from Comptoir carries In-Reply-To and
References (comptoir/mail/sending.py); its timeline entry names the thread it belongs to
and links to the thread's first email when that one is on the same page."""

from comptoir.mail.models import OutboundEmail


def thread_details(entries: dict[int, dict]) -> None:
    """core/ui/timeline.ACTIVITY_DETAILS: each shown email that answers another gets
    entry["thread"] = {"subject": the first email's subject, "anchor": its entry's id or ""}
    (two queries a page)."""
    emails = [pk for pk, entry in entries.items() if entry.get("kind") == "emails"]
    if not emails:
        return
    replies = {
        engagement: (references.split() or [in_reply_to])[0]
        for engagement, in_reply_to, references in OutboundEmail.objects.filter(
            engagement_id__in=emails
        )
        .exclude(in_reply_to="")
        .values_list("engagement_id", "in_reply_to", "references")
    }
    if not replies:
        return
    roots = {
        message_id: (engagement, subject)
        for message_id, engagement, subject in OutboundEmail.objects.filter(
            message_id__in=set(replies.values())
        ).values_list("message_id", "engagement_id", "subject")
    }
    for engagement, root in replies.items():
        first, subject = roots.get(root, (None, ""))
        entries[engagement]["thread"] = {
            "subject": subject,
            "anchor": f"activity-{first}" if first in entries else "",
        }
