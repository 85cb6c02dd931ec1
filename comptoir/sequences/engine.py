"""The worker's side of sequences (TOOL-5): when each step is due, and running it.

The rules a step follows:

- **Business days.** A step comes `delay_days` business days after the previous one (the
  first: after the enrolment); the days the portal does not work (Saturdays and Sundays
  unless `SequenceSettings.working_days` says otherwise) and its holidays (`Holiday`) are
  skipped.
- **The send window.** An automated email goes between the sequence's `window_start` and
  `window_end` hours, on a business day, in the contact's time zone when known (a contact
  property `hs_timezone` holding an IANA name), else the sender's (their profile's time
  zone), else the account's (Settings > Account).
  Outside it, the step waits for the window's next opening. Tasks are not held by it.
- **The daily limit.** One mailbox sends at most `SequenceSettings.daily_limit` sequence
  emails a day (the sender's day); past it, the step waits for the next business day.

Why a step never runs twice and is never skipped, even when the worker is killed (kill -9)
in the middle of one: a step is ONE transaction that

1. inserts its `StepExecution` row, unique per (enrolment, step): the claim (a second
   worker's insert waits for the first's commit, then fails: the step is done);
2. writes what the step makes: the email through the mail app (`sending.compose`: the
   `OutboundEmail` row with its Message-ID made once, and its engagement) or the task
   through the records' write path;
3. moves the enrolment on (its next due time), by a conditional UPDATE on its state: an
   enrolment stopped meanwhile rolls the whole step back.

A worker killed before the commit leaves nothing (the next run does the step); after it,
the email is the mail app's, whose state machine sends it once per Message-ID
(comptoir/mail/sending.py). Which step comes next is read from the execution rows (the
first step without one after the last one done, by position), never from a counter that
could be out of step.
A run reads what a batch of due enrolments needs in four queries (`prefetch`).
"""

import datetime as dt
import logging
import time
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import create_record
from comptoir.emailtemplates import tokens
from comptoir.emailtemplates.rendering import render_template
from comptoir.mail import sending, services
from comptoir.mail.models import EmailEvent, EventKind, OutboundEmail
from comptoir.sequences import stopping
from comptoir.sequences.models import (
    Enrollment,
    EnrollmentState,
    Holiday,
    SequenceSettings,
    Step,
    StepExecution,
    StepKind,
)

log = logging.getLogger(__name__)

DUE_BATCH = 200
RUN_SECONDS = 50  # a periodic run's time; the job comes back every minute
CONTACT_ZONE_PROPERTY = "hs_timezone"
TASK_TYPES = {StepKind.MANUAL_EMAIL: "EMAIL", StepKind.CALL: "CALL", StepKind.TASK: "TODO"}


# -- days and hours ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """The portal's working days: its weekdays (0 Monday ... 6 Sunday) minus its holidays."""

    off: frozenset = frozenset()
    weekdays: frozenset = frozenset(range(5))

    def works(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.off


def calendar() -> Calendar:
    row = SequenceSettings.objects.filter(pk=SequenceSettings.SINGLETON).first()
    weekdays = frozenset(row.working_days) if row and row.working_days else frozenset(range(5))
    return Calendar(frozenset(Holiday.objects.values_list("day", flat=True)), weekdays)


def is_business_day(day: dt.date, off: Calendar) -> bool:
    return off.works(day)


def add_business_days(day: dt.date, n: int, off: Calendar) -> dt.date:
    """The n-th business day after `day` (n=0: `day` itself if a business day, else the
    next one)."""
    while not is_business_day(day, off):
        day += dt.timedelta(days=1)
    for _i in range(n):
        day += dt.timedelta(days=1)
        while not is_business_day(day, off):
            day += dt.timedelta(days=1)
    return day


def zone_named(name: str):
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_for(contact, user):
    """The contact's time zone when known, else the sender's (their profile), else the
    account's."""
    if contact is not None and CONTACT_ZONE_PROPERTY in registry.definitions("contacts"):
        found = zone_named(str((contact.properties or {}).get(CONTACT_ZONE_PROPERTY) or ""))
        if found is not None:
            return found
    found = zone_named(getattr(user, "time_zone", "") or "")
    return found or zone_named(portal().report_time_zone) or dt.UTC


def in_window(moment: dt.datetime, sequence, zone, off: Calendar) -> dt.datetime:
    """`moment`, or the next opening of the send window after it."""
    local = moment.astimezone(zone)
    start, end = sequence.window_start, max(sequence.window_end, sequence.window_start + 1)
    day = local.date()
    if is_business_day(day, off) and start <= local.hour < end:
        return moment
    if is_business_day(day, off) and local.hour < start:
        opening = day
    else:
        opening = add_business_days(day + dt.timedelta(days=1), 0, off)
    naive = dt.datetime.combine(opening, dt.time(start))
    return naive.replace(tzinfo=zone).astimezone(dt.UTC)


def due_after(moment: dt.datetime, step: Step, zone, off: Calendar) -> dt.datetime:
    """When `step` is due, `moment` being when the previous one ran (or the enrolment):
    `delay_days` business days later at the same time of day (0: now, or the next business
    day); emails then fitted into the send window."""
    local = moment.astimezone(zone)
    day = add_business_days(local.date(), step.delay_days, off)
    if day == local.date():
        due = moment
    else:
        due = dt.datetime.combine(day, local.time()).replace(tzinfo=zone).astimezone(dt.UTC)
    if step.kind == StepKind.EMAIL:
        due = in_window(due, step.sequence, zone, off)
    return due


def next_day(moment: dt.datetime, sequence, zone, off) -> dt.datetime:
    """The send window's opening on the next business day (a mailbox at its limit)."""
    local = moment.astimezone(zone)
    day = add_business_days(local.date() + dt.timedelta(days=1), 0, off)
    naive = dt.datetime.combine(day, dt.time(sequence.window_start))
    return naive.replace(tzinfo=zone).astimezone(dt.UTC)


def daily_limit() -> int:
    row = SequenceSettings.objects.filter(pk=SequenceSettings.SINGLETON).first()
    return row.daily_limit if row else SequenceSettings._meta.get_field("daily_limit").default


# -- what comes next ----------------------------------------------------------------------------


# -- running due enrolments ------------------------------------------------------------------------


class Stop(Exception):
    """The step cannot run now: the enrolment is paused with this reason (bad input)."""


class Gone(Exception):
    """The enrolment changed under the step (stopped, paused): the step is rolled back."""


@dataclass
class Run:
    """One periodic run's shared state: holidays, the limit, emails each sender sent today."""

    now: dt.datetime
    off: Calendar = field(default_factory=Calendar)
    limit: int = 0
    sent_today: dict = field(default_factory=dict)  # (user id, local date) → count
    outcomes: dict = field(default_factory=dict)
    steps: dict = field(default_factory=dict)  # sequence id → its steps, in order

    def steps_of(self, sequence_id: int) -> list[Step]:
        if sequence_id not in self.steps:
            self.steps[sequence_id] = list(
                Step.objects.filter(sequence_id=sequence_id)
                .select_related("sequence", "template")
                .order_by("position", "pk")
            )
        return self.steps[sequence_id]

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def next_step(steps: list[Step], done: set) -> Step | None:
    """The first step not done after the last one done, in the sequence's order: a step
    added (or moved) before where a contact stands is not theirs to go back to."""
    last = max((i for i, s in enumerate(steps) if s.pk in done), default=-1)
    return next((s for s in steps[last + 1 :] if s.pk not in done), None)


def _sent_on(run: Run, user_id: int, zone, day: dt.date) -> int:
    key = (user_id, day)
    if key not in run.sent_today:
        start = dt.datetime.combine(day, dt.time()).replace(tzinfo=zone)
        run.sent_today[key] = StepExecution.objects.filter(
            sender_id=user_id,
            outbound__isnull=False,
            executed_at__gte=start,
            executed_at__lt=start + dt.timedelta(days=1),
        ).count()
    return run.sent_today[key]


def run_due(now=None, *, seconds: float = RUN_SECONDS) -> dict:
    """Run the enrolments whose step is due (the periodic job), batch after batch for at
    most `seconds`; returns {outcome: count}. A problem with one enrolment pauses it with
    its reason and the run goes on."""
    run = Run(now=now or timezone.now(), off=calendar(), limit=daily_limit())
    started = time.monotonic()
    after = None  # (due_at, pk) of the last one looked at: each is looked at once a run
    while time.monotonic() - started < seconds:
        due = Enrollment.objects.filter(state=EnrollmentState.ACTIVE, due_at__lte=run.now)
        if after is not None:
            due = due.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
        batch = list(due.order_by("due_at", "pk").values_list("due_at", "pk")[:DUE_BATCH])
        if not batch:
            break
        after = batch[-1]
        read = prefetch([pk for _due_at, pk in batch], run)
        for _due_at, pk in batch:
            try:
                run.count(run_one(pk, run, read))
            except Exception:  # one enrolment's failure must not stop the others
                log.exception("Sequence enrolment %s failed.", pk)
                _pause(pk, "error", _("An unexpected error stopped this step; try resuming."))
                run.count("error")
    return run.outcomes


@dataclass
class Batch:
    """What the steps of a batch of enrolments read, in four queries: the enrolments, their
    contacts, the steps each has done, and which were answered or bounced. Read before any
    step runs: the step's own transaction (its unique claim, the conditional UPDATE of the
    enrolment) is what keeps a stale read from doing anything twice."""

    enrollments: dict
    contacts: dict
    done: dict
    answered: dict


def prefetch(pks, run: Run) -> Batch:
    enrollments = {
        e.pk: e
        for e in Enrollment.objects.select_related("sequence", "user").filter(
            pk__in=list(pks), state=EnrollmentState.ACTIVE, due_at__lte=run.now
        )
    }
    contacts = {
        c.pk: c
        for c in base_queryset("contacts").filter(
            pk__in=[e.contact_id for e in enrollments.values()]
        )
    }
    done, sent = defaultdict(set), {}
    for enrollment_id, step_id, outbound_id in StepExecution.objects.filter(
        enrollment_id__in=list(enrollments)
    ).values_list("enrollment_id", "step_id", "outbound_id"):
        done[enrollment_id].add(step_id)
        if outbound_id is not None:
            sent[outbound_id] = enrollment_id
    answered = {}
    if sent:
        for outbound_id, kind in EmailEvent.objects.filter(
            outbound_id__in=list(sent), kind__in=[EventKind.REPLY, EventKind.BOUNCE]
        ).values_list("outbound_id", "kind"):
            enrollment_id = sent[outbound_id]
            if kind == EventKind.BOUNCE:
                answered[enrollment_id] = stopping.BOUNCED
            else:
                answered.setdefault(enrollment_id, stopping.REPLIED)
    return Batch(enrollments, contacts, done, answered)


def run_one(pk: int, run: Run, batch: Batch | None = None) -> str:
    """Run the due step of one enrolment; returns what happened."""
    batch = batch or prefetch([pk], run)
    enrollment = batch.enrollments.get(pk)
    if enrollment is None:
        return "not_due"
    user = enrollment.user
    contact = batch.contacts.get(enrollment.contact_id)
    if contact is None:
        stopping.end(enrollment, EnrollmentState.UNENROLLED, stopping.CONTACT_DELETED)
        return "contact_gone"
    stopped = batch.answered.get(pk)
    if stopped:
        stopping.end(enrollment, EnrollmentState.UNENROLLED, stopped)
        return stopped
    done = batch.done.get(pk, set())
    step = next_step(run.steps_of(enrollment.sequence_id), done)
    if step is None:
        stopping.end(enrollment, EnrollmentState.FINISHED, "")
        return "finished"
    zone = zone_for(contact, user)
    try:
        if step.kind == StepKind.EMAIL:
            wait = _held(enrollment, step, zone, run)
            if wait is not None:
                Enrollment.objects.filter(pk=pk, state=EnrollmentState.ACTIVE).update(
                    due_at=wait, updated_at=run.now
                )
                return "deferred"
            draft = _draft(enrollment, step, contact, user)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    execution = StepExecution.objects.create(
                        enrollment=enrollment, step=step, executed_at=run.now, sender_id=user.pk
                    )
            except IntegrityError:  # done by another worker meanwhile
                return "taken"
            if step.kind == StepKind.EMAIL:
                try:
                    outbound = sending.compose(user, draft)
                except sending.ComposeError as exc:
                    raise Stop(" ".join(str(m) for m in exc.errors.values())) from None
                execution.outbound = outbound
                execution.engagement_id = outbound.engagement_id
            else:
                execution.engagement_id = _task(enrollment, step, contact, user, run.now).pk
            execution.save(update_fields=["outbound", "engagement_id"])
            _advance(enrollment, step, zone, run, execution, done)
    except Stop as exc:
        _pause(pk, "error", str(exc))
        return "paused"
    except Gone:
        return "gone"
    if step.kind == StepKind.EMAIL:
        day = run.now.astimezone(zone).date()
        run.sent_today[(user.pk, day)] = _sent_on(run, user.pk, zone, day) + 1
        return "email"
    return "task"


def _held(enrollment, step, zone, run: Run) -> dt.datetime | None:
    """When an automated email must wait: outside the window, or its mailbox at its
    limit today; None when it may go now."""
    opening = in_window(run.now, enrollment.sequence, zone, run.off)
    if opening > run.now:
        return opening
    day = run.now.astimezone(zone).date()
    if _sent_on(run, enrollment.user_id, zone, day) >= run.limit:
        return next_day(run.now, enrollment.sequence, zone, run.off)
    return None


def _draft(enrollment, step, contact, user) -> sending.Draft:
    """The email of an automated step for this contact; Stop with the reason when it cannot
    be written (no email, no mailbox, no template, a token naming a property gone)."""
    if not contact.email:
        raise Stop(_("The contact has no email address."))
    if services.mailbox_of(user) is None:
        raise Stop(_("The sender has no mailbox connected (Settings > Email)."))
    template = step.template
    if template is None or template.archived:
        raise Stop(_("The step's email template was deleted; choose another one."))
    for token in tokens.tokens_in(template.subject or "", template.body or ""):
        if not tokens.known(token):
            raise Stop(
                _(
                    "The template “%(template)s” uses “%(token)s”, a property that no longer "
                    "exists (archived); change the template."
                )
                % {"template": template.name, "token": token.name}
            )
    rendered = render_template(template, contact=contact, sender=user)
    name = " ".join(filter(None, [contact.firstname or "", contact.lastname or ""])).replace(
        '"', ""
    )
    to = f'"{name}" <{contact.email}>' if name else contact.email
    subject, reply_to = rendered.subject, None
    if enrollment.first_engagement_id:
        first = OutboundEmail.objects.filter(engagement_id=enrollment.first_engagement_id).first()
        if first is not None:
            subject = (
                first.subject
                if first.subject.lower().startswith("re:")
                else (f"Re: {first.subject}")
            )
            reply_to = enrollment.first_engagement_id
    return sending.Draft(
        to=to,
        subject=subject or template.name,
        html=rendered.html,
        reply_to=reply_to,
        template_id=template.pk,
        record=("contacts", contact.pk),
    )


def source_for(enrollment) -> ChangeSource:
    return ChangeSource.for_user(enrollment.user, SourceType.SALES, f"sequence:{enrollment.pk}")


def _task(enrollment, step, contact, user, now):
    title = step.title or f"{enrollment.sequence.name}: {step.get_kind_display()}"
    props = {
        "hs_task_subject": title[:200],
        "hs_task_type": TASK_TYPES[step.kind],
        "hs_task_status": "NOT_STARTED",
        "hs_timestamp": format_datetime(now),
    }
    if step.notes:
        props["hs_task_body"] = step.notes
    owner = sending.owner_id_of(user)
    if owner:
        props["hubspot_owner_id"] = str(owner)
    return create_record(
        "tasks",
        props,
        source=source_for(enrollment),
        associations=[("contacts", contact.pk, None)],
        user=user,
    )


def _advance(enrollment, step, zone, run: Run, execution, done: set) -> None:
    """Move the enrolment to its next step (or finish it), in the step's transaction."""
    following = next(
        (
            s
            for s in run.steps_of(enrollment.sequence_id)
            if s.position > step.position and s.pk not in done and s.pk != step.pk
        ),
        None,
    )
    changes = {"updated_at": run.now}
    if step.kind == StepKind.EMAIL and not enrollment.first_engagement_id:
        changes["first_engagement_id"] = execution.engagement_id
    if following is None:
        changes.update(state=EnrollmentState.FINISHED, due_at=None, ended_at=run.now)
    else:
        changes["due_at"] = due_after(run.now, following, zone, run.off)
    moved = Enrollment.objects.filter(pk=enrollment.pk, state=EnrollmentState.ACTIVE).update(
        **changes
    )
    if not moved:
        raise Gone()
    if following is None:
        stopping.record(enrollment, "finished", "")


def _pause(pk: int, reason: str, error: str) -> None:
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_related("sequence")
            .filter(pk=pk, state=EnrollmentState.ACTIVE)
            .first()
        )
        if enrollment is None:
            return
        Enrollment.objects.filter(pk=pk, state=EnrollmentState.ACTIVE).update(
            state=EnrollmentState.PAUSED,
            reason=reason,
            error=error[:2000],
            updated_at=timezone.now(),
        )
        stopping.record(enrollment, "paused", reason, error=error)
    log.warning("Sequence enrolment %s paused: %s", pk, error)
