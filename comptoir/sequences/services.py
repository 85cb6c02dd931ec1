"""Sequences (TOOL-5): who sees which, changing them and their steps, enrolling contacts
(with the reasons some cannot be), pausing, resuming, unenrolling, and each step's
figures. The worker's side is comptoir/sequences/engine.py.

A private sequence is its owner's alone; a shared one everyone may see and use (enroll
with it), only its owner changes it. One the user cannot see answers as a missing one
(404). Contacts are read through the user's permissions: a contact they cannot see is
neither enrolled nor named.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.associations.models import Association
from comptoir.core.inputs import parse_id
from comptoir.core.records.values import base_queryset
from comptoir.emailtemplates.access import visible_templates
from comptoir.emailtemplates.rendering import Rendered, render_template
from comptoir.mail import services as mail_services
from comptoir.mail.models import EmailEvent, EventKind, OutboundEmail, OutboundStatus
from comptoir.sequences import engine, stopping
from comptoir.sequences.models import (
    LIVE_STATES,
    Enrollment,
    EnrollmentState,
    Holiday,
    Sequence,
    SequenceSettings,
    Step,
    StepExecution,
    StepKind,
)

MAX_ENROLL = 1000  # contacts enrolled at once (a selection or a view)
MAX_STEPS = 30
MAX_DELAY = 365
OPTOUT_PROPERTY = "hs_email_optout"


class SequenceError(Exception):
    """{field: message} of what cannot be saved or done."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


# -- access -------------------------------------------------------------------------------------


def visible_sequences(user):
    return Sequence.objects.filter(Q(owner=user) | Q(shared=True))


def get_visible(user, pk) -> Sequence:
    found = visible_sequences(user).select_related("owner").filter(pk=pk).first()
    if found is None:
        raise Http404("No such sequence")
    return found


def get_own(user, pk) -> Sequence:
    """A sequence the user may change (their own); 404 for anyone else's."""
    found = Sequence.objects.filter(owner=user, pk=pk).first()
    if found is None:
        raise Http404("No such sequence")
    return found


def get_step(sequence: Sequence, pk) -> Step:
    """One of the sequence's steps; 404 for any other id."""
    found = sequence.steps.select_related("template").filter(pk=pk).first()
    if found is None:
        raise Http404("No such step")
    return found


# -- the sequence and its steps -----------------------------------------------------------------


def _hour(value, name: str, errors: dict) -> int:
    try:
        hour = int(str(value).strip())
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 24:
        errors[name] = _("Enter an hour between 0 and 24.")
    return hour


def save_sequence(user, data: dict, sequence: Sequence | None = None) -> Sequence:
    """Create (sequence None) or change a sequence: name, shared, send window."""
    errors = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors["name"] = _("Give the sequence a name.")
    elif len(name) > 200:
        errors["name"] = _("At most 200 characters.")
    start = _hour(data.get("window_start", 8), "window_start", errors)
    end = _hour(data.get("window_end", 18), "window_end", errors)
    if not errors and end <= start:
        errors["window_end"] = _("The window must end after it starts.")
    if errors:
        raise SequenceError(errors)
    sequence = sequence or Sequence(owner=user)
    sequence.name, sequence.shared = name, bool(data.get("shared"))
    sequence.window_start, sequence.window_end = start, end
    sequence.updated_at = timezone.now()
    sequence.save()
    return sequence


def delete_sequence(user, pk) -> None:
    sequence = get_own(user, pk)
    with transaction.atomic():
        for enrollment in sequence.enrollments.filter(state__in=LIVE_STATES).select_related(
            "sequence", "user"
        ):
            stopping.end(enrollment, EnrollmentState.UNENROLLED, stopping.BY_HAND, actor=user)
        sequence.delete()


def save_step(user, sequence: Sequence, data: dict, step: Step | None = None) -> Step:
    """Add (step None) or change a step: its kind, delay, template or task title."""
    errors = {}
    kind = data.get("kind") or (step.kind if step else "")
    if kind not in StepKind.values:
        errors["kind"] = _("Choose a kind of step.")
    try:
        delay = int(str(data.get("delay_days", "0")).strip() or 0)
    except ValueError:
        delay = -1
    if not 0 <= delay <= MAX_DELAY:
        errors["delay_days"] = _("Enter a number of business days between 0 and %(n)d.") % {
            "n": MAX_DELAY
        }
    template = None
    if kind == StepKind.EMAIL:
        template_id = parse_id(data.get("template"))
        template = (
            visible_templates(user).filter(pk=template_id).first()
            if template_id is not None
            else None
        )
        if template is None:
            errors["template"] = _("Choose an email template.")
    title = " ".join(str(data.get("title") or "").split())
    if len(title) > 200:
        errors["title"] = _("At most 200 characters.")
    if step is None and sequence.steps.count() >= MAX_STEPS:
        errors["form"] = _("A sequence has at most %(n)d steps.") % {"n": MAX_STEPS}
    if errors:
        raise SequenceError(errors)
    with transaction.atomic():
        if step is None:
            last = sequence.steps.aggregate(m=Max("position"))["m"]
            step = Step(sequence=sequence, position=0 if last is None else last + 1)
        step.kind, step.delay_days, step.template = kind, delay, template
        step.title, step.notes = title, str(data.get("notes") or "")[:5000]
        step.save()
        Sequence.objects.filter(pk=sequence.pk).update(updated_at=timezone.now())
    return step


def delete_step(sequence: Sequence, step_id) -> bool:
    with transaction.atomic():
        done, _detail = Step.objects.filter(sequence=sequence, pk=step_id).delete()
        _renumber(sequence)
    return bool(done)


def move_step(sequence: Sequence, step_id, offset: int) -> bool:
    """Move a step up (-1) or down (+1)."""
    with transaction.atomic():
        steps = list(sequence.steps.select_for_update().order_by("position", "pk"))
        index = next((i for i, s in enumerate(steps) if s.pk == step_id), None)
        if index is None or not 0 <= index + offset < len(steps):
            return False
        steps[index], steps[index + offset] = steps[index + offset], steps[index]
        for position, step in enumerate(steps):
            Step.objects.filter(pk=step.pk).update(position=position)
    return True


def _renumber(sequence: Sequence) -> None:
    for position, pk in enumerate(
        sequence.steps.order_by("position", "pk").values_list("pk", flat=True)
    ):
        Step.objects.filter(pk=pk).update(position=position)


# -- enrolling ----------------------------------------------------------------------------------

REASONS = {
    "no_email": _("No email address"),
    "already": _("Already in a sequence"),
    "unsubscribed": _("Unsubscribed from emails"),
    "bounced": _("An email to this contact bounced"),
}


@dataclass
class Check:
    """Who can be enrolled, and why the others cannot: [(contact, reason text)]."""

    ok: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    missing: int = 0  # ids asked for that the user cannot see (or that do not exist)


def check_contacts(user, sequence: Sequence, contact_ids) -> Check:
    ids = list(dict.fromkeys(contact_ids))[:MAX_ENROLL]
    contacts = list(base_queryset("contacts", user=user).filter(pk__in=ids).order_by("pk"))
    result = Check(missing=len(ids) - len(contacts))
    seen = [c.pk for c in contacts]
    enrolled = set(
        Enrollment.objects.filter(contact_id__in=seen, state__in=LIVE_STATES).values_list(
            "contact_id", flat=True
        )
    )
    emails = Association.objects.filter(
        from_type="contacts", from_id__in=seen, to_type="emails"
    ).values_list("from_id", "to_id")
    by_engagement = {}
    for contact_id, engagement_id in emails:
        by_engagement[engagement_id] = contact_id
    bounced = {
        by_engagement[e]
        for e in OutboundEmail.objects.filter(
            engagement_id__in=list(by_engagement), status=OutboundStatus.BOUNCED
        ).values_list("engagement_id", flat=True)
    }
    for contact in contacts:
        optout = str((contact.properties or {}).get(OPTOUT_PROPERTY) or "").lower()
        if not contact.email:
            result.refused.append((contact, REASONS["no_email"]))
        elif contact.pk in enrolled:
            result.refused.append((contact, REASONS["already"]))
        elif optout in ("true", "1", "yes"):
            result.refused.append((contact, REASONS["unsubscribed"]))
        elif contact.pk in bounced:
            result.refused.append((contact, REASONS["bounced"]))
        else:
            result.ok.append(contact)
    return result


def preview(user, sequence: Sequence, contact) -> Rendered | None:
    """The first automated email as `contact` would receive it (None: no email step)."""
    step = sequence.steps.filter(kind=StepKind.EMAIL).select_related("template").first()
    if step is None or step.template is None:
        return None
    return render_template(step.template, contact=contact, sender=user)


def enroll(user, sequence: Sequence, contact_ids, now=None) -> tuple[list[Enrollment], Check]:
    """Enroll the contacts that can be (check_contacts), sent from `user`'s mailbox; the
    first step is due after its delay. SequenceError when nobody can be."""
    now = now or timezone.now()
    steps = list(sequence.steps.select_related("sequence").order_by("position", "pk"))
    if not steps:
        raise SequenceError({"form": _("Add a step to the sequence first.")})
    if mail_services.mailbox_of(user) is None and any(s.kind == StepKind.EMAIL for s in steps):
        raise SequenceError(
            {"form": _("Connect your mailbox first (Settings > Email): sequences send from it.")}
        )
    check = check_contacts(user, sequence, contact_ids)
    off = engine.calendar()
    made = []
    for contact in check.ok:
        due = engine.due_after(now, steps[0], engine.zone_for(contact, user), off)
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    sequence=sequence,
                    contact_id=contact.pk,
                    user=user,
                    due_at=due,
                    enrolled_at=now,
                    updated_at=now,
                )
                enrollment.sequence = sequence
                stopping.record(enrollment, "enrolled", "", actor=user)
        except IntegrityError:  # enrolled meanwhile by someone else
            check.refused.append((contact, REASONS["already"]))
            continue
        made.append(enrollment)
    if check.ok:
        check.ok = [c for c in check.ok if any(e.contact_id == c.pk for e in made)]
    return made, check


def visible_enrollment(user, pk) -> Enrollment:
    """An enrolment of a sequence the user sees, of a contact they see; else 404."""
    found = (
        Enrollment.objects.select_related("sequence", "user")
        .filter(pk=pk, sequence__in=visible_sequences(user))
        .first()
    )
    if (
        found is None
        or not base_queryset("contacts", user=user).filter(pk=found.contact_id).exists()
    ):
        raise Http404("No such enrolment")
    return found


def pause(user, enrollment: Enrollment) -> bool:
    with transaction.atomic():
        done = Enrollment.objects.filter(pk=enrollment.pk, state=EnrollmentState.ACTIVE).update(
            state=EnrollmentState.PAUSED, reason=stopping.BY_HAND, updated_at=timezone.now()
        )
        if done:
            stopping.record(enrollment, "paused", stopping.BY_HAND, actor=user)
    return bool(done)


def resume(user, enrollment: Enrollment, now=None) -> bool:
    """Paused → active; its next step due now (within the rules) when its time passed."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            Enrollment.objects.select_for_update()
            .filter(pk=enrollment.pk, state=EnrollmentState.PAUSED)
            .first()
        )
        if current is None:
            return False
        due = max(current.due_at or now, now)
        Enrollment.objects.filter(pk=enrollment.pk, state=EnrollmentState.PAUSED).update(
            state=EnrollmentState.ACTIVE, reason="", error="", due_at=due, updated_at=now
        )
        stopping.record(enrollment, "resumed", "", actor=user)
    return True


def unenroll(user, enrollment: Enrollment) -> bool:
    return stopping.end(enrollment, EnrollmentState.UNENROLLED, stopping.BY_HAND, actor=user)


def live_enrollment(user, contact_id) -> Enrollment | None:
    """The contact's active or paused enrolment in a sequence the user sees."""
    return (
        Enrollment.objects.select_related("sequence", "user")
        .filter(
            contact_id=contact_id,
            state__in=LIVE_STATES,
            sequence__in=visible_sequences(user),
        )
        .first()
    )


# -- figures ------------------------------------------------------------------------------------


def summaries(sequences) -> dict[int, dict]:
    """{sequence id: {"steps", "active", "enrolled", "replied", "meetings"}} in 3 queries."""
    ids = [s.pk for s in sequences]
    out = {pk: {"steps": 0, "active": 0, "enrolled": 0, "replied": 0, "meetings": 0} for pk in ids}
    for row in (
        Step.objects.filter(sequence_id__in=ids).values("sequence_id").annotate(n=Count("pk"))
    ):
        out[row["sequence_id"]]["steps"] = row["n"]
    rows = (
        Enrollment.objects.filter(sequence_id__in=ids)
        .values("sequence_id")
        .annotate(
            enrolled=Count("pk"),
            active=Count("pk", filter=Q(state=EnrollmentState.ACTIVE)),
            replied=Count("pk", filter=Q(reason=stopping.REPLIED)),
            meetings=Count("pk", filter=Q(reason=stopping.MEETING_BOOKED)),
        )
    )
    for row in rows:
        out[row["sequence_id"]].update(
            {k: row[k] for k in ("enrolled", "active", "replied", "meetings")}
        )
    return out


def step_figures(sequence: Sequence) -> dict[int, dict]:
    """{step id: {"done", "sent", "opened", "clicked", "replied", "meetings"}}: emails sent
    by the step, the distinct emails opened, clicked, replied (a person's events only) and
    the enrolments whose last step was this one when a meeting was booked."""
    steps = list(sequence.steps.values_list("pk", flat=True))
    out = {
        pk: dict.fromkeys(("done", "sent", "opened", "clicked", "replied", "meetings"), 0)
        for pk in steps
    }
    executions = StepExecution.objects.filter(step__sequence=sequence)
    for row in executions.values("step_id").annotate(
        done=Count("pk"),
        sent=Count(
            "pk", filter=Q(outbound__status__in=[OutboundStatus.SENT, OutboundStatus.BOUNCED])
        ),
    ):
        out[row["step_id"]].update(done=row["done"], sent=row["sent"])
    step_of = dict(executions.filter(outbound__isnull=False).values_list("outbound_id", "step_id"))
    names = {EventKind.OPEN: "opened", EventKind.CLICK: "clicked", EventKind.REPLY: "replied"}
    for outbound_id, kind in (
        EmailEvent.objects.filter(
            outbound_id__in=executions.filter(outbound__isnull=False).values("outbound_id"),
            kind__in=list(names),
            automated=False,
        )
        .values_list("outbound_id", "kind")
        .distinct()
    ):
        out[step_of[outbound_id]][names[kind]] += 1
    booked = Enrollment.objects.filter(sequence=sequence, reason=stopping.MEETING_BOOKED)
    last = {}  # enrolment → the step it had reached
    for enrollment_id, step_id in (
        StepExecution.objects.filter(enrollment__in=booked)
        .order_by("enrollment_id", "executed_at", "pk")
        .values_list("enrollment_id", "step_id")
    ):
        last[enrollment_id] = step_id
    for step_id in last.values():
        if step_id in out:
            out[step_id]["meetings"] += 1
    return out


# -- the portal's rules -----------------------------------------------------------------------


def sending_settings() -> SequenceSettings:
    return SequenceSettings.objects.filter(pk=SequenceSettings.SINGLETON).first() or (
        SequenceSettings(pk=SequenceSettings.SINGLETON)
    )


def save_settings(data: dict) -> SequenceSettings:
    """The daily limit per mailbox, the working days (`working_days`: "1" Monday to "7"
    Sunday) and the holidays (one date a line, YYYY-MM-DD, with an optional name after it)."""
    errors = {}
    try:
        limit = int(str(data.get("daily_limit", "")).strip())
    except ValueError:
        limit = 0
    if not 1 <= limit <= 10000:
        errors["daily_limit"] = _("Enter a number between 1 and 10,000.")
    days = {}
    for number, line in enumerate(str(data.get("holidays") or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        text, _sep, name = line.partition(" ")
        try:
            days[dt.date.fromisoformat(text)] = name.strip()[:100]
        except ValueError:
            errors["holidays"] = _("Line %(n)d: write a date as YYYY-MM-DD.") % {"n": number}
            break
    weekdays = sorted(
        {d for d in map(parse_id, data.get("working_days") or []) if d} & set(range(1, 8))
    )
    if not weekdays:
        errors["working_days"] = _("Choose at least one working day.")
    if errors:
        raise SequenceError(errors)
    with transaction.atomic():
        row = sending_settings()
        row.daily_limit, row.updated_at = limit, timezone.now()
        row.working_days = [d - 1 for d in weekdays]  # the form counts Monday as 1
        row.save()
        Holiday.objects.exclude(day__in=list(days)).delete()
        for day, name in days.items():
            Holiday.objects.update_or_create(day=day, defaults={"name": name})
    return row
