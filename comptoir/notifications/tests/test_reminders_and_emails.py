"""Task reminders (sent once per task and due date) and emails through a real SMTP server."""

import datetime as dt

import pytest
from django.utils import timezone

from comptoir.core.history.source import ChangeSource
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import make_activity, make_contact
from comptoir.core.testing.smtp import smtp_server
from comptoir.notifications import services
from comptoir.notifications.kinds import MENTION, TASK_DUE, TASK_OVERDUE
from comptoir.notifications.models import Notification, TaskReminder
from comptoir.notifications.tasks import notification_minute, remind_tasks, send_notification_emails

NOW = timezone.now().replace(microsecond=0)


def task_due(owner_user, minutes: int, subject="Rappeler Jean", **props):
    return make_activity(
        "tasks",
        hs_task_subject=subject,
        hs_timestamp=format_datetime(NOW + dt.timedelta(minutes=minutes)),
        hubspot_owner_id=owner_user.owner.pk,
        **props,
    )


def kinds_of(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_due_within_the_hour_is_reminded_once_even_when_run_twice(bob):
    soon = task_due(bob, 30)
    task_due(bob, 90, subject="Later")  # not within the hour
    assert remind_tasks(NOW) == 1
    assert remind_tasks(NOW + dt.timedelta(minutes=1)) == 0
    notification = Notification.objects.get(recipient=bob)
    assert notification.kind == TASK_DUE
    assert notification.title == "Task due within the hour: Rappeler Jean"
    assert notification.url == f"/tasks/?edit={soon.pk}"
    assert TaskReminder.objects.filter(task_id=soon.pk).count() == 1


def test_overdue_is_reminded_once_and_a_moved_due_date_reminds_again(bob):
    task = task_due(bob, 30)
    remind_tasks(NOW)
    later = NOW + dt.timedelta(minutes=31)
    assert remind_tasks(later) == 1
    assert remind_tasks(later + dt.timedelta(minutes=1)) == 0
    assert kinds_of(bob) == [TASK_DUE, TASK_OVERDUE]
    # Moved to tomorrow morning, then due again: a new reminder for the new date.
    new_due = NOW + dt.timedelta(days=1)
    update_record(
        "tasks", task.pk, {"hs_timestamp": format_datetime(new_due)}, source=ChangeSource()
    )
    assert remind_tasks(new_due - dt.timedelta(minutes=20)) == 1
    assert kinds_of(bob) == [TASK_DUE, TASK_DUE, TASK_OVERDUE]


def test_two_workers_racing_send_one_reminder(bob):
    """The unique constraint decides: the second run finds the reminder taken."""
    task = task_due(bob, 10)
    TaskReminder.objects.create(
        task_id=task.pk, kind=TASK_DUE, due_at=NOW + dt.timedelta(minutes=10)
    )
    assert remind_tasks(NOW) == 0
    assert not Notification.objects.exists()


def test_only_open_tasks_with_an_active_user_owner(alice, bob):
    task_due(bob, 10, hs_task_status="COMPLETED")
    make_activity(
        "tasks",
        hs_task_subject="Nobody's",
        hs_timestamp=format_datetime(NOW + dt.timedelta(minutes=10)),
    )
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    task_due(alice, 10)
    assert remind_tasks(NOW) == 0


def test_old_overdue_tasks_are_not_reminded(bob):
    task_due(bob, -3 * 24 * 60)
    assert remind_tasks(NOW) == 0


def test_reminder_preferences_off_records_the_reminder_but_makes_nothing(bob):
    services.set_preferences(bob, {TASK_DUE: (False, False)})
    task_due(bob, 10)
    assert remind_tasks(NOW) == 0
    assert TaskReminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_periodic_job_reminds_and_emails_in_the_recipients_language(settings, immediate_tasks, bob):
    bob.language = "fr"
    bob.save(update_fields=["language"])
    settings.COMPTOIR_BASE_URL = "https://crm.example.com"
    task = make_activity(
        "tasks",
        hs_task_subject="Rappeler Jean",
        hs_timestamp=format_datetime(timezone.now() + dt.timedelta(minutes=20)),
        hubspot_owner_id=bob.owner.pk,
    )
    with smtp_server(settings) as inbox:
        notification_minute.call()
        notification_minute.call()
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "bob@example.com"
    assert message["Subject"] == "Tâche à échéance dans l'heure : Rappeler Jean"
    body = message.get_content()
    assert "Bonjour Bob," in body
    assert f"https://crm.example.com/tasks/?edit={task.pk}" in body
    assert Notification.objects.get(kind=TASK_DUE).emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_assignment_email_in_english_with_the_record_link(settings, immediate_tasks, alice, bob):
    settings.COMPTOIR_BASE_URL = "https://crm.example.com/"
    bob.language = "en"
    bob.save(update_fields=["language"])
    contact = make_contact(email="jean@acme.fr", firstname="Jean")
    with smtp_server(settings) as inbox:
        update_record(
            "contacts",
            contact.pk,
            {"hubspot_owner_id": bob.owner.pk},
            source=ChangeSource.for_user(alice),
        )
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["Subject"] == "Alice Arnaud assigned you the contact Jean"
    assert f"https://crm.example.com/contacts/{contact.pk}/" in message.get_content()
    assert "/settings/notifications/" in message.get_content()


def test_email_is_sent_once_and_not_when_the_channel_is_off(settings, alice, bob):
    alice.language = "en"
    alice.save(update_fields=["language"])
    services.set_preferences(bob, {MENTION: (True, False)})
    made = services.deliver(
        [
            services.Intent(MENTION, "contacts", 1, "Jean", user_id=uid, actor_id=alice.pk)
            for uid in (bob.pk,)
        ]
        + [services.Intent(MENTION, "contacts", 1, "Jean", user_id=alice.pk, actor_id=bob.pk)]
    )
    ids = [n.pk for n in made]
    with smtp_server(settings) as inbox:
        send_notification_emails.call(ids)
        send_notification_emails.call(ids)
    assert [m["To"] for m in inbox.messages] == ["alice@example.com"]
    assert inbox.messages[0]["Subject"] == "Bob Bernard mentioned you in a note on Jean"
