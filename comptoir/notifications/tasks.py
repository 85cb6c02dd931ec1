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
    """Email these notifications, each at most once even when two workers race."""
    pending = Notification.objects.filter(
        pk__in=ids, by_email=True, emailed_at__isnull=True
    ).select_related("recipient")
    messages, claimed = [], []
    for notification in pending:
        now = timezone.now()
        won = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=now
        )
        if won:
            messages.append(email_message(notification))
            claimed.append(notification.pk)
    if not messages:
        return 0
    try:
        sent = mailers.default.send_messages(messages) or 0
    except Exception:
        # Give them back: the periodic job tries again later.
        Notification.objects.filter(pk__in=claimed).update(emailed_at=None)
        logger.exception("notification emails failed")
        raise
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

    Once per task, kind and due date: a moved due date reminds again."""
    # Imported here: comptoir.notifications.services imports this module when loaded.
    from comptoir.notifications.services import Intent, deliver

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
    intents = []
    for t, kind in candidates:
        if (t.pk, kind, t.hs_timestamp) in done or not _claim(t.pk, kind, t.hs_timestamp):
            continue
        intents.append(
            Intent(
                kind,
                object_type="tasks",
                object_id=t.pk,
                record=t.properties.get("hs_task_subject") or f"#{t.pk}",
                user_id=t.hubspot_owner.user_id,
                params={"due": t.hs_timestamp.isoformat()},
            )
        )
    return len(deliver(intents))


def _retry_emails(now) -> None:
    stale = list(
        Notification.objects.filter(
            by_email=True,
            emailed_at__isnull=True,
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
    _retry_emails(now)
    return made
