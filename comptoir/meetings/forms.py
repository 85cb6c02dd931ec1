"""The forms of the Meetings page (TOOL-7): a booking link and a calendar connection, read
from POST data into clean values and errors per field ({field: [message]}), so that a page
shows every error beside its field and nothing is saved while one remains."""

import itertools
import re
import zoneinfo
from functools import lru_cache

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.accounts import user_model
from comptoir.core.inputs import parse_id, parse_int, storable
from comptoir.meetings.models import WEEKDAYS, MeetingLink

DURATIONS = (15, 30, 45, 60, 90, 120)
WEEKDAY_LABELS = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}
MAX_QUESTIONS = 10
_RANGE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*(([01]?\d|2[0-3]):([0-5]\d)|24:00)$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def _text(data, name: str, max_length: int, errors: dict, *, required=False, label="") -> str:
    value = str(data.get(name, "")).strip()
    if not storable(value):
        errors.setdefault(name, []).append(_("This text holds a character that cannot be saved."))
        return ""
    if len(value) > max_length:
        errors.setdefault(name, []).append(
            _("At most %(count)d characters.") % {"count": max_length}
        )
    elif required and not value:
        errors.setdefault(name, []).append(_("Enter %(label)s.") % {"label": label})
    return value


def _number(data, name: str, low: int, high: int, errors: dict) -> int:
    value = parse_int(str(data.get(name, "")).strip(), low, high)
    if value is None:
        errors.setdefault(name, []).append(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
        return low
    return value


def hours_text(ranges: list) -> str:
    return ", ".join(f"{start}-{end}" for start, end in ranges)


def _hours(data, errors: dict) -> dict:
    hours = {}
    for day in WEEKDAYS:
        name = f"hours_{day}"
        raw = str(data.get(name, "")).strip()[:200]
        ranges = []
        for piece in filter(None, (p.strip() for p in raw.split(","))):
            match = _RANGE.match(piece)
            if match is None:
                errors.setdefault(name, []).append(
                    _("Write the hours as 09:00-12:00, 14:00-18:00 (or leave empty).")
                )
                break
            start = f"{int(match.group(1)):02d}:{match.group(2)}"
            end = match.group(3)
            end = end if end == "24:00" else f"{int(end.split(':')[0]):02d}:{end.split(':')[1]}"
            if end <= start:
                errors.setdefault(name, []).append(_("Each range must end after it starts."))
                break
            ranges.append([start, end])
        ranges.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(ranges)):
            errors.setdefault(name, []).append(_("These ranges overlap."))
        if ranges:
            hours[day] = ranges
    return hours


def questions_text(questions: list) -> str:
    return "\n".join(
        str(q.get("label", "")) + (" *" if q.get("required") else "") for q in questions or []
    )


def _questions(data, errors: dict) -> list:
    raw = str(data.get("questions", ""))
    if not storable(raw):
        errors.setdefault("questions", []).append(
            _("This text holds a character that cannot be saved.")
        )
        return []
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > MAX_QUESTIONS:
        errors.setdefault("questions", []).append(
            _("At most %(count)d questions.") % {"count": MAX_QUESTIONS}
        )
    questions = []
    for line in lines[:MAX_QUESTIONS]:
        required = line.endswith("*")
        label = line.rstrip("*").strip()
        if len(label) > 200:
            errors.setdefault("questions", []).append(_("A question has at most 200 characters."))
            break
        if label:
            questions.append({"label": label, "required": required})
    return questions


def team_choices() -> list:
    """The people a team link may book: the portal's active users."""
    return list(user_model().objects.filter(is_active=True).order_by("first_name", "email"))


def link_values(link: MeetingLink | None) -> dict:
    """What the form shows for `link` (a new link: the defaults)."""
    link = link or MeetingLink()
    values = {
        "title": link.title,
        "slug": link.slug,
        "duration_minutes": str(link.duration_minutes),
        "location": link.location,
        "description": link.description,
        "time_zone": link.time_zone,
        "buffer_before_minutes": str(link.buffer_before_minutes),
        "buffer_after_minutes": str(link.buffer_after_minutes),
        "minimum_notice_minutes": str(link.minimum_notice_minutes),
        "horizon_days": str(link.horizon_days),
        "questions": questions_text(link.questions),
        "kind": link.kind,
        "members": [str(pk) for pk in link.members.values_list("pk", flat=True)] if link.pk else [],
    }
    for day in WEEKDAYS:
        values[f"hours_{day}"] = hours_text(link.hours.get(day, []))
    return values


def clean_link(data, link: MeetingLink | None, owner=None) -> tuple[dict, dict]:
    """(fields to save, errors by field) from the form's POST data; `owner`: the link's
    user, always one of a group link's members."""
    errors: dict[str, list] = {}
    title = _text(data, "title", 200, errors, required=True, label=_("a title"))
    slug = _text(data, "slug", 80, errors) or slugify(title)[:80]
    slug = slug.lower()
    if "slug" not in errors:
        if not slug or not _SLUG.match(slug):
            errors["slug"] = [
                _("Use lowercase letters, digits and dashes only, such as “claire-durand”.")
            ]
        elif MeetingLink.objects.filter(slug=slug).exclude(pk=getattr(link, "pk", None)).exists():
            errors["slug"] = [_("This address is taken: choose another one.")]
    duration = _number(data, "duration_minutes", 5, 480, errors)
    zone = str(data.get("time_zone", "")).strip()
    if zone not in time_zones():
        errors["time_zone"] = [_("Choose a time zone from the list.")]
    values = {
        "title": title,
        "slug": slug,
        "duration_minutes": duration,
        "location": _text(data, "location", 500, errors),
        "description": _text(data, "description", 5000, errors),
        "time_zone": zone,
        "hours": _hours(data, errors),
        "buffer_before_minutes": _number(data, "buffer_before_minutes", 0, 240, errors),
        "buffer_after_minutes": _number(data, "buffer_after_minutes", 0, 240, errors),
        "minimum_notice_minutes": _number(data, "minimum_notice_minutes", 0, 43200, errors),
        "horizon_days": _number(data, "horizon_days", 1, 365, errors),
        "questions": _questions(data, errors),
    }
    kind = str(data.get("kind", MeetingLink.PERSONAL))
    if kind not in MeetingLink.KINDS:
        errors["kind"] = [_("Choose a kind of link from the list.")]
    members = []
    if kind in (MeetingLink.ROUND_ROBIN, MeetingLink.GROUP):
        wanted = (
            {parse_id(raw) for raw in data.getlist("members")}
            if hasattr(data, "getlist")
            else set()
        )
        known = {u.pk: u for u in team_choices()}
        if None in wanted or not wanted <= set(known):
            errors["members"] = [_("Choose team members from the list.")]
        elif kind == MeetingLink.GROUP and owner is not None:
            # The link's user meets the visitor with the others: always a member.
            wanted |= {owner.pk}
            known.setdefault(owner.pk, owner)
            if len(wanted) < 2:
                errors["members"] = [_("Choose at least one other member.")]
        elif len(wanted) < 2:
            errors["members"] = [_("Choose at least two team members.")]
        members = [known[pk] for pk in sorted(wanted - {None}) if pk in known]
    values["kind"] = kind
    values["members"] = members
    if not values["hours"] and not any(k.startswith("hours_") for k in errors):
        errors["hours_mon"] = [_("Give working hours for at least one day.")]
    return values, errors
