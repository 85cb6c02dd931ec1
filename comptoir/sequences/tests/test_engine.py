"""The sequences engine (TOOL-5): business days and holidays, the send window, the daily
limit per mailbox, follow-ups threaded under the first email (received by aiosmtpd), task
steps through the write path, a step run once whatever the runs, bad input pausing one
enrolment with its reason while the run goes on, and what stops a sequence."""

import datetime as dt
import email
import email.policy

import pytest

from comptoir.core.associations.services import associated_ids
from comptoir.core.history.models import PropertyChange
from comptoir.core.properties.services import archive_property, create_property
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.timeline.models import EventType, TimelineEvent
from comptoir.emailtemplates.services import create_template
from comptoir.mail import delivery, replies
from comptoir.mail.models import OutboundEmail
from comptoir.sequences import engine, services, stopping
from comptoir.sequences.models import (
    Enrollment,
    EnrollmentState,
    Holiday,
    SequenceSettings,
    StepExecution,
)
from comptoir.sequences.tests.conftest import TUESDAY_10
from comptoir.users.profile import update_profile

pytestmark = pytest.mark.django_db
PARIS = engine.zone_named("Europe/Paris")


def paris(y, m, d, h, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=PARIS)


def received(servers, n):
    messages = servers.inbox.messages[-n:]
    return [email.message_from_bytes(m, policy=email.policy.default) for m in messages]


def deliver_all():
    for pk in OutboundEmail.objects.filter(status="scheduled").values_list("pk", flat=True):
        delivery.deliver(pk, "test")


# -- days and hours ----------------------------------------------------------------------------


def test_business_days_skip_weekends_and_holidays():
    friday = dt.date(2026, 3, 6)
    assert engine.add_business_days(friday, 1, engine.Calendar()) == dt.date(2026, 3, 9)
    assert engine.add_business_days(friday, 0, engine.Calendar()) == friday
    saturday = dt.date(2026, 3, 7)
    assert engine.add_business_days(saturday, 0, engine.Calendar()) == dt.date(2026, 3, 9)
    off = engine.Calendar(frozenset({dt.date(2026, 3, 9)}))
    assert engine.add_business_days(friday, 1, off) == dt.date(2026, 3, 10)
    assert engine.add_business_days(friday, 3, off) == dt.date(2026, 3, 12)
    every_day = engine.Calendar(weekdays=frozenset(range(7)))
    assert engine.add_business_days(friday, 1, every_day) == saturday


def test_the_send_window_opens_on_the_next_business_morning(sequence):
    off = engine.Calendar(frozenset({dt.date(2026, 3, 9)}))  # Monday off
    inside = paris(2026, 3, 3, 10)
    assert engine.in_window(inside, sequence, PARIS, off) == inside
    early = paris(2026, 3, 3, 6)
    assert engine.in_window(early, sequence, PARIS, off) == paris(2026, 3, 3, 8)
    friday_night = paris(2026, 3, 6, 19)
    assert engine.in_window(friday_night, sequence, PARIS, off) == paris(2026, 3, 10, 8)


def test_the_contact_time_zone_wins_when_known(rep):
    contact = make_contact(email="joe@client.us")
    assert engine.zone_for(contact, rep).key == "Europe/Paris"  # the portal's
    create_property(
        "contacts",
        {"name": "hs_timezone", "label": "Time zone", "type": "string", "fieldType": "text"},
    )
    contact = make_contact(email="ann@client.us", hs_timezone="America/New_York")
    assert engine.zone_for(contact, rep).key == "America/New_York"
    contact = make_contact(email="bad@client.us", hs_timezone="Mars/Olympus")
    assert engine.zone_for(contact, rep).key == "Europe/Paris"
    # Unknown for the contact: the sender's, from their profile, before the account's.
    update_profile(rep, time_zone="Asia/Tokyo")
    assert engine.zone_for(contact, rep).key == "Asia/Tokyo"
    known = make_contact(email="bob@client.us", hs_timezone="America/New_York")
    assert engine.zone_for(known, rep).key == "America/New_York"  # the contact's still wins


# -- a sequence from start to end -----------------------------------------------------------------


def test_a_sequence_sends_threaded_follow_ups_then_makes_a_call_task(
    rep, sequence, contact, mail_settings
):
    made, check = services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    assert [e.contact_id for e in made] == [contact.pk] and not check.refused
    enrollment = made[0]
    assert enrollment.due_at == TUESDAY_10
    before = len(mail_settings.inbox.messages)

    assert engine.run_due(TUESDAY_10) == {"email": 1}
    deliver_all()
    (first,) = received(mail_settings, 1)
    assert len(mail_settings.inbox.messages) == before + 1
    assert first["Subject"] == "Bonjour Anne" and first["To"] == "Anne Martin <anne@client.fr>"
    enrollment.refresh_from_db()
    # Two business days later, at the same hour: Thursday 10:00 in Paris.
    assert enrollment.due_at == paris(2026, 3, 5, 10)
    assert engine.run_due(paris(2026, 3, 4, 10)) == {}  # not due yet

    assert engine.run_due(paris(2026, 3, 5, 10)) == {"email": 1}
    deliver_all()
    (second,) = received(mail_settings, 1)
    assert second["Subject"] == "Re: Bonjour Anne"
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    enrollment.refresh_from_db()
    assert enrollment.due_at == paris(2026, 3, 6, 10)

    assert engine.run_due(paris(2026, 3, 6, 10)) == {"task": 1}
    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.FINISHED and enrollment.due_at is None
    task_ids = associated_ids("contacts", contact.pk, "tasks")
    assert len(task_ids) == 1
    task = base_queryset("tasks").get(pk=task_ids[0])
    assert task.properties["hs_task_type"] == "CALL"
    assert task.properties["hs_task_subject"] == "Appeler Anne"
    changes = PropertyChange.objects.filter(object_id=task.pk, property="hs_task_subject")
    assert changes.get().source_id == f"sequence:{enrollment.pk}"
    actions = list(
        TimelineEvent.objects.filter(
            object_id=contact.pk, event_type=EventType.SEQUENCE
        ).values_list("data__action", flat=True)
    )
    assert actions == ["enrolled", "finished"]


def test_an_email_due_at_night_waits_for_the_window(rep, sequence, contact):
    night = paris(2026, 3, 3, 21)
    (enrollment,), _check = services.enroll(rep, sequence, [contact.pk], now=night)
    assert enrollment.due_at == paris(2026, 3, 4, 8)
    Holiday.objects.create(day=dt.date(2026, 3, 4), name="Fermé")
    enrollment.due_at = night
    enrollment.save()
    assert engine.run_due(night) == {"deferred": 1}
    enrollment.refresh_from_db()
    assert enrollment.due_at == paris(2026, 3, 5, 8)
    assert not OutboundEmail.objects.exists()


def test_the_daily_limit_holds_the_rest_to_the_next_business_day(rep, sequence):
    SequenceSettings.objects.create(pk=SequenceSettings.SINGLETON, daily_limit=2)
    contacts = [make_contact(email=f"c{i}@client.fr", firstname=f"C{i}") for i in range(3)]
    friday = paris(2026, 3, 6, 10)
    services.enroll(rep, sequence, [c.pk for c in contacts], now=friday)
    assert engine.run_due(friday) == {"email": 2, "deferred": 1}
    waiting = Enrollment.objects.get(executions__isnull=True)
    assert waiting.due_at == paris(2026, 3, 9, 8)  # Monday morning
    assert engine.run_due(friday + dt.timedelta(hours=1)) == {}
    assert engine.run_due(paris(2026, 3, 9, 8)) == {"email": 1}
    assert OutboundEmail.objects.count() == 3


def test_a_step_runs_once_whatever_the_runs(rep, sequence, contact, monkeypatch):
    (enrollment,), _check = services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    # A step that fails after its email was written leaves nothing: no claim, no email.
    real = engine.sending.compose

    def compose_then_die(user, draft):
        real(user, draft)
        raise RuntimeError("killed")

    monkeypatch.setattr(engine.sending, "compose", compose_then_die)
    assert engine.run_due(TUESDAY_10) == {"error": 1}
    assert not OutboundEmail.objects.exists() and not StepExecution.objects.exists()
    enrollment.refresh_from_db()
    assert enrollment.state == "paused" and enrollment.error
    monkeypatch.setattr(engine.sending, "compose", real)
    # Resumed, the same step runs (not skipped), once however many runs follow.
    assert services.resume(rep, enrollment, now=TUESDAY_10)
    assert engine.run_due(TUESDAY_10) == {"email": 1}
    assert engine.run_due(TUESDAY_10) == {}
    assert engine.run_one(enrollment.pk, engine.Run(now=TUESDAY_10)) == "not_due"
    assert OutboundEmail.objects.count() == 1
    # A claim already made (another worker's, committed): the step is not done again.
    Enrollment.objects.filter(pk=enrollment.pk).update(due_at=paris(2026, 3, 5, 10))
    second = sequence.steps.get(position=1)
    StepExecution.objects.create(
        enrollment=enrollment, step=second, executed_at=TUESDAY_10, sender_id=rep.pk
    )
    assert engine.run_due(paris(2026, 3, 5, 10)) == {"task": 1}
    assert OutboundEmail.objects.count() == 1
    steps = list(StepExecution.objects.order_by("pk").values_list("step__position", flat=True))
    assert steps == [0, 1, 2]


# -- bad input ------------------------------------------------------------------------------------


def test_bad_input_pauses_one_enrolment_with_its_reason_and_the_run_goes_on(
    rep, sequence, template, mail_settings
):
    good = make_contact(email="bon@client.fr", firstname="Bon")
    no_email = make_contact(firstname="Sans")
    services.enroll(rep, sequence, [good.pk, no_email.pk], now=TUESDAY_10)
    # A contact whose email was removed after the enrolment.
    assert services.check_contacts(rep, sequence, [no_email.pk]).refused
    Enrollment.objects.create(
        sequence=sequence, contact_id=no_email.pk, user=rep, due_at=TUESDAY_10
    )
    # A sender without a mailbox.
    lonely = make_user(email="lonely@example.com")
    other = make_contact(email="autre@client.fr")
    Enrollment.objects.create(
        sequence=sequence, contact_id=other.pk, user=lonely, due_at=TUESDAY_10
    )
    assert engine.run_due(TUESDAY_10) == {"email": 1, "paused": 2}
    reasons = dict(Enrollment.objects.values_list("contact_id", "error"))
    assert reasons[good.pk] == ""
    assert reasons[no_email.pk] == "The contact has no email address."
    assert "no mailbox connected" in reasons[other.pk]
    assert set(Enrollment.objects.values_list("contact_id", "state")) == {
        (good.pk, "active"),
        (no_email.pk, "paused"),
        (other.pk, "paused"),
    }


def test_a_template_naming_an_archived_property_pauses_with_the_reason(rep, contact, sequence):
    create_property(
        "contacts",
        {"name": "pointure", "label": "Pointure", "type": "string", "fieldType": "text"},
    )
    bad = create_template(
        rep, name="Chaussures", subject="Pour vous", body="<p>{{ contact.pointure }}</p>"
    )
    step = sequence.steps.get(position=0)
    step.template = bad
    step.save()
    archive_property("contacts", "pointure")
    (enrollment,), _check = services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    assert engine.run_due(TUESDAY_10) == {"paused": 1}
    enrollment.refresh_from_db()
    assert enrollment.state == "paused"
    assert "“contact.pointure”" in enrollment.error and "archived" in enrollment.error
    assert not OutboundEmail.objects.exists() and not StepExecution.objects.exists()
    # Fixed, then resumed: it goes on.
    step.template = create_template(rep, name="Bien", subject="Bonjour", body="<p>Bonjour</p>")
    step.save()
    assert services.resume(rep, enrollment, now=TUESDAY_10)
    assert engine.run_due(TUESDAY_10) == {"email": 1}


# -- what stops a sequence ------------------------------------------------------------------------


def test_a_reply_a_bounce_a_meeting_or_a_hand_stop_it(
    rep, sequence, contact, django_capture_on_commit_callbacks
):
    (enrollment,), _check = services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    engine.run_due(TUESDAY_10)
    outbound = OutboundEmail.objects.get()
    reply = type("Message", (), {"pk": 1, "received_at": None, "from_address": "anne@client.fr"})
    with django_capture_on_commit_callbacks(execute=True):
        replies.mark_replied(outbound, reply)
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == ("unenrolled", stopping.REPLIED)

    second = make_contact(email="b@client.fr")
    (enrollment,), _check = services.enroll(rep, sequence, [second.pk], now=TUESDAY_10)
    assert services.pause(rep, enrollment)
    assert engine.run_due(TUESDAY_10) == {}
    assert services.resume(rep, enrollment, now=TUESDAY_10)
    assert stopping.stop_sequences(second.pk, stopping.MEETING_BOOKED) == 1
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == ("unenrolled", stopping.MEETING_BOOKED)
    assert stopping.stop_sequences(second.pk, stopping.MEETING_BOOKED) == 0

    third = make_contact(email="c@client.fr")
    (enrollment,), _check = services.enroll(rep, sequence, [third.pk], now=TUESDAY_10)
    assert services.unenroll(rep, enrollment)
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == ("unenrolled", stopping.BY_HAND)


def test_a_bounce_found_before_the_next_step_stops_it(rep, sequence, contact):
    (enrollment,), _check = services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    engine.run_due(TUESDAY_10)
    outbound = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=outbound.pk).update(status="sent")
    replies.mark_bounced(outbound, "550 no such user")  # observers not run (no commit)
    assert engine.run_due(paris(2026, 3, 5, 10)) == {stopping.BOUNCED: 1}
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == ("unenrolled", stopping.BOUNCED)
    assert OutboundEmail.objects.count() == 1
    # A bounced contact cannot be enrolled again.
    refused = services.check_contacts(rep, sequence, [contact.pk]).refused
    assert [reason for _c, reason in refused] == ["An email to this contact bounced"]


def test_who_cannot_be_enrolled_and_why(rep, sequence, contact):
    no_email = make_contact(firstname="Sans")
    services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    check = services.check_contacts(rep, sequence, [contact.pk, no_email.pk, 999999])
    assert check.ok == [] and check.missing == 1
    assert {c.pk: r for c, r in check.refused} == {
        contact.pk: "Already in a sequence",
        no_email.pk: "No email address",
    }


def test_holidays_and_the_limit_are_set_in_one_form(db):
    services.save_settings(
        {
            "daily_limit": "50",
            "working_days": ["1", "2", "3", "4", "5", "6"],
            "holidays": "2026-05-01 Fête du travail\n2026-05-08",
        }
    )
    assert services.sending_settings().daily_limit == 50
    assert engine.calendar().weekdays == frozenset(range(6))
    assert list(Holiday.objects.values_list("day", "name")) == [
        (dt.date(2026, 5, 1), "Fête du travail"),
        (dt.date(2026, 5, 8), ""),
    ]
    with pytest.raises(services.SequenceError) as exc:
        services.save_settings({"daily_limit": "0", "holidays": "demain"})
    assert set(exc.value.errors) == {"daily_limit", "holidays", "working_days"}
    assert Holiday.objects.count() == 2


def test_a_meeting_booked_through_a_link_stops_the_sequence(rep, sequence, contact):
    from comptoir.meetings.booking import book
    from comptoir.meetings.tests.test_booking import NOW, SLOT, make_link

    (enrollment,), _check = services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    link = make_link()
    book(link, SLOT, {"name": "Anne Martin", "email": "anne@client.fr"}, now=NOW)
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == ("unenrolled", stopping.MEETING_BOOKED)
    figures = services.summaries([sequence])[sequence.pk]
    assert (figures["active"], figures["meetings"]) == (0, 1)


def test_each_step_counts_sent_opened_clicked_replied_and_meetings(rep, sequence, contact):
    from comptoir.mail import events
    from comptoir.mail.models import EventKind

    other = make_contact(email="b@client.fr", firstname="B")
    services.enroll(rep, sequence, [contact.pk, other.pk], now=TUESDAY_10)
    engine.run_due(TUESDAY_10)
    first, second = OutboundEmail.objects.order_by("pk")
    OutboundEmail.objects.update(status="sent")
    events.record_event(first, EventKind.OPEN)
    events.record_event(first, EventKind.OPEN)
    events.record_event(first, EventKind.CLICK)
    events.record_event(second, EventKind.OPEN, automated=True, reason="scanner")
    events.record_event(second, EventKind.REPLY)
    stopping.stop_sequences(contact.pk, stopping.MEETING_BOOKED)
    step = sequence.steps.get(position=0)
    figures = services.step_figures(sequence)[step.pk]
    assert figures == {
        "done": 2, "sent": 2, "opened": 1, "clicked": 1, "replied": 1, "meetings": 1
    }  # fmt: skip


def test_an_unsubscribed_contact_cannot_be_enrolled(rep, sequence):
    create_property(
        "contacts",
        {
            "name": "hs_email_optout",
            "label": "Unsubscribed from all email",
            "type": "bool",
            "fieldType": "booleancheckbox",
        },
    )
    out = make_contact(email="out@client.fr", hs_email_optout="true")
    made, check = services.enroll(rep, sequence, [out.pk], now=TUESDAY_10)
    assert made == []
    assert [reason for _c, reason in check.refused] == ["Unsubscribed from emails"]


def test_a_step_added_before_where_a_contact_stands_is_not_theirs(
    rep, sequence, contact, template, mail_settings
):
    services.enroll(rep, sequence, [contact.pk], now=TUESDAY_10)
    assert engine.run_due(TUESDAY_10) == {"email": 1}  # step 1 done
    # A task added as the new first step, while the contact waits for step 2.
    added = services.save_step(rep, sequence, {"kind": "task", "delay_days": 0, "title": "Lire"})
    for _ in range(3):
        services.move_step(sequence, added.pk, -1)
    assert [s.kind for s in sequence.steps.order_by("position")] == [
        "task",
        "email",
        "email",
        "call",
    ]
    assert engine.run_due(paris(2026, 3, 5, 10)) == {"email": 1}  # step 2, not the new task
    assert engine.run_due(paris(2026, 3, 6, 10)) == {"task": 1}  # then the call task
    enrollment = Enrollment.objects.get()
    assert not StepExecution.objects.filter(enrollment=enrollment, step=added).exists()
    # A contact enrolled now starts with it.
    other = make_contact(email="paul@client.fr", firstname="Paul")
    services.enroll(rep, sequence, [other.pk], now=paris(2026, 3, 9, 10))
    assert engine.run_due(paris(2026, 3, 9, 10)) == {"task": 1}
