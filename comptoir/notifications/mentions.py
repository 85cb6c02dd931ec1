"""@mentions in notes: the composer stores each as <span class="mention" data-mention="<user
id>">@Name</span> (kept by the HTML cleaner); saving the note tells each mentioned user."""

import re
from html import unescape

from comptoir.core.permissions import can_view
from comptoir.notifications.services import mentioned
from comptoir.users.models import User

MENTION_RE = re.compile(r'<span\b[^>]*\bdata-mention="(\d+)"')


def mentioned_ids(html: str) -> list[int]:
    """User ids mentioned in cleaned note HTML, in order, each once."""
    return list(dict.fromkeys(int(uid) for uid in MENTION_RE.findall(html or "")))


def notify_mentions(html: str, *, actor_id, ot, record, record_name: str, body: str = "") -> None:
    """Tell each mentioned active user who may see the record (never the author)."""
    ids = [uid for uid in mentioned_ids(html) if uid != actor_id]
    if not ids:
        return
    users = User.objects.filter(pk__in=ids, is_active=True)
    # A name the reader may not see must not reach them through a notification.
    allowed = [u.pk for u in users if can_view(u, ot, record)]
    mentioned(
        allowed,
        actor_id=actor_id,
        ot=ot,
        record_id=record.pk,
        record_name=record_name,
        body=unescape(body),  # plain text: &nbsp; and &amp; as characters
    )
