"""Background work of notifications: emails, and the task reminders run every minute."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from comptoir.core.objects.registry import get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.records.values import base_queryset
from comptoir.core.search.compiler import compile_filter
from comptoir.notifications.kinds import TASK_DUE, TASK_OVERDUE
from comptoir.notifications.models import Notification, TaskReminder

logger = logging.getLogger("comptoir.notifications")

DUE_WINDOW = dt.timedelta(hours=1)
# Tasks that went overdue longer ago than this are not reminded (no flood of old tasks
# when reminders are switched on, or after the worker was stopped for a while).
OVERDUE_WINDOW = dt.timedelta(days=1)
# An email not sent after this long (worker down, SMTP refused) is tried again.
RETRY_AFTER = dt.timedelta(minutes=5)
# An email claimed this long ago and still not sent lost its worker: it is sent again.
CLAIM_EXPIRES = dt.timedelta(minutes=10)


def _language(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (user.language, portal().default_language, settings.LANGUAGE_CODE):
        if language in codes:
            return language
    return "en"


def email_message(notification) -> EmailMessage:
    """The email of one notification, in its recipient's language, linking to the record."""
    user = notification.recipient
    with translation.override(_language(user)):
        context = {
            "notification": notification,
            "title": notification.title,
            "link": settings.COMPTOIR_BASE_URL.rstrip("/") + notification.url,
            "settings_link": settings.COMPTOIR_BASE_URL.rstrip("/") + "/settings/notifications/",
            "user": user,
        }
        subject = notification.title
        body = render_to_string("notifications/email.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@task
def send_notification_emails(ids: list[int]) -> int:
    """Email these notifications. At least once, and once in all but one case.

    Each is claimed first (`email_claimed_at`, a conditional UPDATE: of two workers
    racing, one sends) and marked sent (`emailed_at`) only once the SMTP server took it.
    A worker killed between the two leaves the claim, which expires after CLAIM_EXPIRES:
    the periodic job then sends the email again (retry_emails). Exactly once is not
    possible here: a kill after the server accepted the message and before `emailed_at`
    is saved sends it twice; losing it would be worse."""
    pending = Notification.objects.filter(
        pk__in=ids, by_email=True, emailed_at__isnull=True, email_claimed_at__isnull=True
    ).select_related("recipient")
    claimed = []
    for notification in pending:
        won = Notification.objects.filter(
            pk=notification.pk, emailed_at__isnull=True, email_claimed_at__isnull=True
        ).update(email_claimed_at=timezone.now())
        if won:
            claimed.append(notification)
    if not claimed:
        return 0
    mine = Notification.objects.filter(pk__in=[n.pk for n in claimed])
    try:
        sent = mailers.default.send_messages([email_message(n) for n in claimed]) or 0
    except Exception:
        # Give them back: the periodic job tries again later.
        mine.update(email_claimed_at=None)
        logger.exception("notification emails failed")
        raise
    mine.update(emailed_at=timezone.now(), email_claimed_at=None)
    return sent


def _open_tasks_due_before(until):
    ot = get_object_type("tasks")
    open_ = compile_filter(
        ot, {"propertyName": "hs_task_status", "operator": "NEQ", "value": "COMPLETED"}
    )
    return (
        base_queryset(ot)
        .filter(open_, hs_timestamp__lt=until, hubspot_owner__user__is_active=True)
        .select_related("hubspot_owner")
        .only("pk", "hs_timestamp", "properties", "hubspot_owner__user_id")
    )


def _claim(task_id: int, kind: str, due_at) -> bool:
    """Insert the reminder row; False when another run made it first (unique constraint)."""
    try:
        with transaction.atomic():
            TaskReminder.objects.create(task_id=task_id, kind=kind, due_at=due_at)
    except IntegrityError:
        return False
    return True


def remind_tasks(now=None) -> int:
    """Tell owners of open tasks due within the hour, and of tasks that just went overdue.

    Once per task, kind and due date: a moved due date reminds again. The reminder rows
    and the notifications commit together (one short transaction), so a worker killed in
    between leaves neither and the next minute's run makes them."""
    # Imported here: comptoir.notifications.services imports this module when loaded.
    from comptoir.notifications import services

    now = now or timezone.now()
    candidates = []
    for t in _open_tasks_due_before(now + DUE_WINDOW).filter(
        hs_timestamp__gte=now - OVERDUE_WINDOW
    ):
        kind = TASK_OVERDUE if t.hs_timestamp <= now else TASK_DUE
        candidates.append((t, kind))
    if not candidates:
        return 0
    done = set(
        TaskReminder.objects.filter(task_id__in=[t.pk for t, _kind in candidates]).values_list(
            "task_id", "kind", "due_at"
        )
    )
    with transaction.atomic():
        intents = []
        for t, kind in candidates:
            if (t.pk, kind, t.hs_timestamp) in done or not _claim(t.pk, kind, t.hs_timestamp):
                continue
            intents.append(
                services.Intent(
                    kind,
                    object_type="tasks",
                    object_id=t.pk,
                    record=t.properties.get("hs_task_subject") or f"#{t.pk}",
                    user_id=t.hubspot_owner.user_id,
                    params={"due": t.hs_timestamp.isoformat()},
                )
            )
        return len(services.deliver(intents))


def retry_emails(now) -> None:
    """Queue again the emails left unsent: their job was lost, their SMTP server refused
    them, or the worker sending them died (its claim expired)."""
    unsent = Notification.objects.filter(by_email=True, emailed_at__isnull=True)
    unsent.filter(email_claimed_at__lt=now - CLAIM_EXPIRES).update(email_claimed_at=None)
    stale = list(
        unsent.filter(
            email_claimed_at__isnull=True,
            created_at__lt=now - RETRY_AFTER,
            created_at__gte=now - OVERDUE_WINDOW,
        ).values_list("pk", flat=True)[:500]
    )
    if stale:
        send_notification_emails.enqueue(stale)


@task
def notification_minute() -> int:
    """Every minute (comptoir.core.scheduling): task reminders, and emails left unsent."""
    now = timezone.now()
    made = remind_tasks(now)
    retry_emails(now)
    return made
