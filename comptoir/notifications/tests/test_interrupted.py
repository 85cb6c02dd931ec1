"""A worker killed in the middle of a reminder or an email loses neither (issue 13): the
kill is simulated by an exception that nothing catches, raised between the claim and the
end of the work, as `kill -9` would stop the process there."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from comptoir.core.properties.coercion import format_datetime
from comptoir.core.testing.factories import make_activity
from comptoir.notifications import services, tasks
from comptoir.notifications.kinds import MENTION, TASK_DUE
from comptoir.notifications.models import Notification, TaskReminder

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The process stops here: no `except Exception` runs, the transaction is not kept."""


def test_a_reminder_killed_before_its_notification_is_made_is_made_by_the_next_run(
    bob, monkeypatch
):
    now = timezone.now().replace(microsecond=0)
    make_activity(
        "tasks",
        hs_task_subject="Rappeler Jean",
        hs_timestamp=format_datetime(now + dt.timedelta(minutes=30)),
        hubspot_owner_id=bob.owner.pk,
    )
    deliver = services.deliver

    def killed(intents):
        raise Killed

    monkeypatch.setattr(services, "deliver", killed)
    with pytest.raises(Killed):
        tasks.remind_tasks(now)
    monkeypatch.setattr(services, "deliver", deliver)
    assert tasks.remind_tasks(now + dt.timedelta(minutes=1)) == 1
    assert list(Notification.objects.values_list("kind", flat=True)) == [TASK_DUE]
    assert TaskReminder.objects.count() == 1
    assert tasks.remind_tasks(now + dt.timedelta(minutes=2)) == 0


def test_an_email_killed_before_it_is_sent_is_sent_after_a_few_minutes(
    alice, bob, immediate_tasks, monkeypatch
):
    services.set_preferences(bob, {MENTION: (True, True)})
    [made] = services.deliver(
        [services.Intent(MENTION, "contacts", 1, "Jean", user_id=bob.pk, actor_id=alice.pk)]
    )
    assert made.by_email
    message = tasks.email_message

    def killed(notification):
        raise Killed

    monkeypatch.setattr(tasks, "email_message", killed)
    with pytest.raises(Killed):
        tasks.send_notification_emails.call([made.pk])
    monkeypatch.setattr(tasks, "email_message", message)
    made.refresh_from_db()
    assert made.emailed_at is None  # not sent, so not marked sent
    # Claimed by the run that was killed: nobody sends it meanwhile (no double email
    # from two workers), until the claim expires.
    assert tasks.send_notification_emails.call([made.pk]) == 0
    tasks.retry_emails(timezone.now() + tasks.RETRY_AFTER + dt.timedelta(minutes=1))
    assert mail.outbox == []
    tasks.retry_emails(timezone.now() + tasks.CLAIM_EXPIRES + dt.timedelta(minutes=1))
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    made.refresh_from_db()
    assert made.emailed_at is not None and made.email_claimed_at is None
    tasks.retry_emails(timezone.now() + 2 * tasks.CLAIM_EXPIRES)
    assert len(mail.outbox) == 1
