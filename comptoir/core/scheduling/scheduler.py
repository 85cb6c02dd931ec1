"""Enqueue periodic tasks when due, and work whose worker died. Several workers may run
this at once: each due job is claimed by a conditional UPDATE, and only the worker whose
UPDATE touched the row enqueues."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from comptoir.core.scheduling.models import PeriodicJob

# name: (interval in seconds, task path)
PERIODIC_JOBS = {
    "purge_archived_records": (6 * 3600, "comptoir.core.tasks.purge_archived_records"),
    "optimize_database": (24 * 3600, "comptoir.core.tasks.optimize_database"),
    # Last-activity dates of records whose planned activities have now happened.
    "rollups_came_due": (15 * 60, "comptoir.core.tasks.rollups_came_due"),
    # Task reminders (due within the hour, overdue) and notification emails left unsent.
    "notification_minute": (60, "comptoir.notifications.tasks.notification_minute"),
    # Sign-in and password-reset counters whose window is over.
    "purge_throttle_counters": (3600, "comptoir.users.tasks.purge_throttle_counters"),
    # A backup archive into COMPTOIR_BACKUP_DIR (nothing when unset), the older ones pruned.
    "scheduled_backup": (
        settings.COMPTOIR_BACKUP_HOURS * 3600,
        "comptoir.core.tasks.scheduled_backup",
    ),
    # Emails written in the CRM whose time came (scheduled, or retried after a back-off).
    "send_due_emails": (60, "comptoir.mail.tasks.send_due_emails"),
    # Connected mailboxes read for replies, bounces and emails with contacts (IMAP).
    "sync_mailboxes": (180, "comptoir.mail.tasks.sync_mailboxes"),
    # Opens, clicks and replies of those emails: counts on the engagement, notifications.
    "tally_email_events": (60, "comptoir.mail.tasks.tally_email_events"),
    # OAuth2 mailboxes' access tokens ending within 15 minutes, renewed.
    "refresh_mail_tokens": (600, "comptoir.mail.tasks.refresh_mail_tokens"),
    # Sequence steps whose time came: emails (within the send rules) and tasks (TOOL-5).
    "run_sequences": (60, "comptoir.sequences.tasks.run_sequences"),
    # Webhook events waiting in the outbox, and the retries whose time came.
    "deliver_webhooks": (30, "comptoir.webhooks.tasks.deliver_webhooks"),
    # The website's page views to visitors, contacts and companies (reverse DNS here).
    "attribute_page_views": (60, "comptoir.prospects.tasks.attribute_page_views"),
    # Raw page views older than the retention period set in Settings > Prospects.
    "purge_page_views": (3600, "comptoir.prospects.tasks.purge_page_views"),
    # The Prospects digest at 8:00 in each subscriber's time zone.
    "send_prospect_digests": (60, "comptoir.prospects.tasks.send_prospect_digests"),
}
# Called on every tick, by every worker: each finds the work nobody runs any more (its
# worker died) and queues it again, claimed by a conditional UPDATE.
RECOVERIES = (
    "comptoir.imports.services.resume_interrupted",
    "comptoir.imports.exports.resume_interrupted",
    "comptoir.imports.undo.resume_interrupted",
    "comptoir.users.tasks.resume_hand_overs",
    "comptoir.core.properties.index_requests.resume_interrupted",
    # Emails whose worker died while sending: sent, or sent again with the same Message-ID.
    "comptoir.mail.tasks.resume_interrupted",
    # Webhook batches whose worker died while sending: tried again.
    "comptoir.webhooks.tasks.resume_interrupted",
    # This machine's cached copies of stored files, past their age (at most hourly).
    "comptoir.core.files.stored.prune_on_tick",
)


def tick(worker_id: str, now=None) -> list[str]:
    """Enqueue every job that is due; returns the names this worker enqueued."""
    now = now or timezone.now()
    for name, (interval, _) in PERIODIC_JOBS.items():
        PeriodicJob.objects.get_or_create(
            name=name, defaults={"interval_seconds": interval, "next_run_at": now}
        )
    enqueued = []
    for job in PeriodicJob.objects.filter(name__in=PERIODIC_JOBS, next_run_at__lte=now):
        interval, path = PERIODIC_JOBS[job.name]
        claimed = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
            next_run_at=now + dt.timedelta(seconds=interval),
            last_run_at=now,
            last_claimed_by=worker_id,
        )
        if claimed == 1:
            import_string(path).enqueue()
            enqueued.append(job.name)
    for path in RECOVERIES:
        import_string(path)(now)
    return enqueued
