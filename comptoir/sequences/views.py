"""Sequences pages (Sales tools > Sequences, TOOL-5): the list with its figures, a
sequence's page (settings, steps with their figures, enrolments), enrolling contacts (one
from its record, a selection or a whole view of the contacts list) with a preview of the
first email and who cannot be enrolled and why, and the portal's sending rules."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import has_right
from comptoir.core.records.values import base_queryset, display_name
from comptoir.core.savedviews.listing import ListState
from comptoir.core.search.compiler import order_by
from comptoir.emailtemplates.access import visible_templates
from comptoir.sequences import services
from comptoir.sequences.models import Enrollment, Holiday, StepKind

REASON_LABELS = {
    "replied": _lazy("The contact replied"),
    "bounced": _lazy("An email bounced"),
    "meeting_booked": _lazy("A meeting was booked"),
    "by_hand": _lazy("By hand"),
    "contact_deleted": _lazy("The contact was deleted"),
    "error": _lazy("A step could not run"),
}


def _errors(exc: services.SequenceError) -> dict:
    return {k: [str(v)] for k, v in exc.errors.items()}


@require_GET
def sequence_list(request):
    sequences = list(services.visible_sequences(request.user).select_related("owner")[:200])
    figures = services.summaries(sequences)
    rows = [{"s": s, "f": figures[s.pk], "mine": s.owner_id == request.user.pk} for s in sequences]
    return render(
        request,
        "sequences/list.html",
        {"rows": rows, "can_settings": has_right(request.user, "can_manage_settings")},
    )


@require_POST
def sequence_create(request):
    try:
        sequence = services.save_sequence(request.user, request.POST)
    except services.SequenceError as exc:
        for message in exc.errors.values():
            messages.error(request, str(message))
        return redirect("sequences:list")
    return redirect("sequences:detail", sequence.pk)


def _detail_context(request, sequence, **extra) -> dict:
    steps = list(sequence.steps.select_related("template"))
    figures = services.step_figures(sequence)
    enrollments = list(
        Enrollment.objects.filter(sequence=sequence).order_by("-enrolled_at", "-pk")[:200]
    )
    contacts = {
        c.pk: c
        for c in base_queryset("contacts", user=request.user).filter(
            pk__in=[e.contact_id for e in enrollments]
        )
    }
    shown = [
        {
            "e": e,
            "name": display_name("contacts", contacts[e.contact_id]),
            "reason": REASON_LABELS.get(e.reason, ""),
        }
        for e in enrollments
        if e.contact_id in contacts
    ]
    return {
        "sequence": sequence,
        "mine": sequence.owner_id == request.user.pk,
        "steps": [{"step": s, "f": figures.get(s.pk, {}), "n": i + 1} for i, s in enumerate(steps)],
        "kinds": StepKind.choices,
        "templates": visible_templates(request.user).only("pk", "name")[:500],
        "enrollments": shown,
        "errors": {},
        "step_errors": {},
        "values": {},
        **extra,
    }


@require_http_methods(["GET", "POST"])
def sequence_detail(request, sequence_id):
    sequence = services.get_visible(request.user, sequence_id)
    if request.method == "POST":
        sequence = services.get_own(request.user, sequence_id)
        try:
            services.save_sequence(request.user, request.POST, sequence)
        except services.SequenceError as exc:
            sequence.refresh_from_db()
            context = _detail_context(request, sequence, errors=_errors(exc), values=request.POST)
            return render(request, "sequences/detail.html", context, status=400)
        messages.success(request, _("Sequence saved."))
        return redirect("sequences:detail", sequence.pk)
    extra = {}
    if sequence.owner_id == request.user.pk and (edit := parse_id(request.GET.get("edit"))):
        step = sequence.steps.filter(pk=edit).first()
        if step is not None:  # another sequence's step: the page as usual
            extra = {"editing": step, "step_values": _step_values(step)}
    return render(request, "sequences/detail.html", _detail_context(request, sequence, **extra))


def _step_values(step) -> dict:
    """A step's fields as the step form shows them (what a POST would carry)."""
    return {
        "kind": step.kind,
        "delay_days": step.delay_days,
        "template": str(step.template_id or ""),
        "title": step.title,
    }


@require_POST
def sequence_delete(request, sequence_id):
    services.delete_sequence(request.user, sequence_id)
    messages.success(request, _("Sequence deleted."))
    return redirect("sequences:list")


@require_POST
def step_add(request, sequence_id):
    sequence = services.get_own(request.user, sequence_id)
    try:
        services.save_step(request.user, sequence, request.POST)
    except services.SequenceError as exc:
        context = _detail_context(
            request, sequence, step_errors=_errors(exc), step_values=request.POST
        )
        return render(request, "sequences/detail.html", context, status=400)
    return redirect(reverse("sequences:detail", args=[sequence.pk]) + "#steps")


@require_POST
def step_edit(request, sequence_id, step_id):
    """Change a step in place: its kind, delay, template or task title. Contacts who have
    done it keep their figures; those who have not get the new version."""
    sequence = services.get_own(request.user, sequence_id)
    step = services.get_step(sequence, step_id)
    try:
        services.save_step(request.user, sequence, request.POST, step)
    except services.SequenceError as exc:
        step.refresh_from_db()
        context = _detail_context(
            request, sequence, editing=step, step_errors=_errors(exc), step_values=request.POST
        )
        return render(request, "sequences/detail.html", context, status=400)
    messages.success(request, _("Step saved."))
    return redirect(reverse("sequences:detail", args=[sequence.pk]) + "#steps")


@require_POST
def step_change(request, sequence_id, step_id):
    """Move a step up or down, or delete it."""
    sequence = services.get_own(request.user, sequence_id)
    action = request.POST.get("action")
    if action == "delete":
        services.delete_step(sequence, step_id)
    elif action in ("up", "down"):
        services.move_step(sequence, step_id, -1 if action == "up" else 1)
    return redirect(reverse("sequences:detail", args=[sequence.pk]) + "#steps")


@require_POST
def enrollment_action(request, enrollment_id):
    enrollment = services.visible_enrollment(request.user, enrollment_id)
    action = request.POST.get("action")
    if enrollment.sequence.owner_id != request.user.pk and enrollment.user_id != request.user.pk:
        raise PermissionDenied
    done = {
        "pause": services.pause,
        "resume": services.resume,
        "unenroll": services.unenroll,
    }.get(action, lambda user, e: False)(request.user, enrollment)
    if not done:
        messages.error(request, _("This enrolment has changed meanwhile: nothing was done."))
    return redirect(_next(request, reverse("sequences:detail", args=[enrollment.sequence_id])))


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


# -- enrolling -----------------------------------------------------------------------------------


def _chosen_ids(request) -> tuple[list[int], int, list[str]]:
    """The contacts asked for, at most MAX_ENROLL of them; how many were asked for; and why
    none could be read. `ids` (a record, a selection: `total` carries the count of a view
    from one page to the next), or the whole view of the contacts list (`scope=view` with
    the list's query string: its saved view, filters and search decide who). A saved view
    one cannot see (or deleted) chooses nobody, never the whole list."""
    source = request.POST if request.method == "POST" else request.GET
    cap = services.MAX_ENROLL
    if source.get("scope") == "view":
        state = ListState.from_request(request, get_object_type("contacts"))
        if state.errors:
            return [], 0, [str(e) for e in state.errors]
        qs = state.queryset(request.user).order_by(*order_by(state.ot, [state.sort]))
        ids = list(qs.values_list("pk", flat=True)[: cap + 1])
        total = len(ids) if len(ids) <= cap else qs.count()
        return ids[:cap], total, []
    ids = list(dict.fromkeys(i for i in map(parse_id, source.getlist("ids")) if i is not None))
    total = max(len(ids), parse_id(source.get("total")) or 0)
    return ids[:cap], total, []


@require_http_methods(["GET", "POST"])
def enroll(request):
    ids, total, problems = _chosen_ids(request)
    sequences = list(services.visible_sequences(request.user))
    sequence_id = parse_id(
        (request.POST if request.method == "POST" else request.GET).get("sequence")
    )
    sequence = services.get_visible(request.user, sequence_id) if sequence_id else None
    check = services.check_contacts(request.user, sequence, ids) if sequence else None
    if request.method == "POST" and request.POST.get("confirm") and sequence is not None:
        try:
            made, check = services.enroll(request.user, sequence, ids)
        except services.SequenceError as exc:
            for message in exc.errors.values():
                messages.error(request, str(message))
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d contact enrolled in “%(name)s”.",
                    "%(n)d contacts enrolled in “%(name)s”.",
                    len(made),
                )
                % {"n": len(made), "name": sequence.name},
            )
            if len(ids) == 1 and made:
                return redirect(_next(request, reverse("contacts:detail", args=[ids[0]])))
            return redirect("sequences:detail", sequence.pk)
    preview = None
    if check is not None and check.ok:
        preview = services.preview(request.user, sequence, check.ok[0])
    chosen = base_queryset("contacts", user=request.user).filter(pk__in=ids[:3])
    return render(
        request,
        "sequences/enroll.html",
        {
            "ids": ids,
            "count": total,
            "cap": services.MAX_ENROLL,
            "left_out": total - len(ids),
            "problems": problems,
            "names": [display_name("contacts", c) for c in chosen],
            "sequences": sequences,
            "sequence": sequence,
            "check": check,
            "refused": [(display_name("contacts", c), r) for c, r in check.refused]
            if check
            else [],
            "preview": preview,
            "preview_contact": display_name("contacts", check.ok[0]) if check and check.ok else "",
            "scope": (request.POST if request.method == "POST" else request.GET).get("scope", ""),
            "query": request.GET.urlencode(),
            "next": _next(request, ""),
        },
    )


# -- the portal's rules --------------------------------------------------------------------------

WEEKDAYS = [
    ("1", _lazy("Monday")),
    ("2", _lazy("Tuesday")),
    ("3", _lazy("Wednesday")),
    ("4", _lazy("Thursday")),
    ("5", _lazy("Friday")),
    ("6", _lazy("Saturday")),
    ("7", _lazy("Sunday")),
]


@require_http_methods(["GET", "POST"])
def sequence_settings(request):
    if not has_right(request.user, "can_manage_settings"):
        raise PermissionDenied
    row = services.sending_settings()
    errors = {}
    if request.method == "POST":
        try:
            services.save_settings(
                {
                    "daily_limit": request.POST.get("daily_limit"),
                    "working_days": request.POST.getlist("working_days"),
                    "holidays": request.POST.get("holidays"),
                }
            )
        except services.SequenceError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Sending rules saved."))
            return redirect("sequences:settings")
    days = row.working_days or [0, 1, 2, 3, 4]
    holidays = "\n".join(f"{h.day.isoformat()} {h.name}".strip() for h in Holiday.objects.all())
    return render(
        request,
        "sequences/settings.html",
        {
            "daily_limit": request.POST.get("daily_limit", row.daily_limit),
            "weekdays": [(v, label, int(v) - 1 in days) for v, label in WEEKDAYS],
            "holidays": request.POST.get("holidays", holidays),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
