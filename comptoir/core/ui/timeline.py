"""The record page's timeline (UI-4): activities and system events, newest first.

Bounded work per page, whatever the record's history: one query for the activities (their
ids come from the association table as a subquery, so a company's contacts add no round
trips), one for the system events, and for a company or deal two more to say which
contact each activity is about. Paging is keyset on (time, kind, id), merged in Python.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from babel import dates as babel_dates
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from comptoir.core.accounts import user_model
from comptoir.core.associations.models import Association
from comptoir.core.history.source import automation_author
from comptoir.core.i18n import babel_locale, type_label
from comptoir.core.inputs import digits, parse_id
from comptoir.core.objects.registry import activity_types, get_object_type
from comptoir.core.permissions import visible
from comptoir.core.pipelines.queries import stages
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_datetime_short, format_value, stage_label
from comptoir.core.properties.formatting import owner_names as all_owner_names
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.timeline.models import EventType, TimelineEvent
from comptoir.core.ui.richtext import safe_html, text_to_html

EVENTS = "events"


# Called once per page with {activity id: entry} of the activities shown: each may add to
# their entries what an upper app knows of them (the mail app: the thread an email is
# part of, as "thread"), in a constant number of queries. Added in AppConfig.ready().
ACTIVITY_DETAILS: list = []


def timeline_kinds() -> tuple[str, ...]:
    """The activity types on a timeline, in the order of their filters."""
    return tuple(ot.name for ot in sorted(activity_types(), key=lambda ot: ot.timeline_position))


def filter_values() -> tuple[str, ...]:
    return (*timeline_kinds(), EVENTS)


def filter_label(value: str):
    if value == EVENTS:
        return _lazy("Changes")
    return type_label(value)


PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
MAX_ABOUT = 3  # contacts named on one activity of a company's or deal's timeline
ACTIVITY, EVENT = 1, 0  # rank at equal times: activities first


@dataclass(frozen=True)
class Cursor:
    at: dt.datetime
    rank: int
    pk: int

    def encode(self) -> str:
        return f"{self.at.astimezone(dt.UTC).isoformat()}~{self.rank}~{self.pk}"

    @classmethod
    def decode(cls, text: str | None) -> "Cursor | None":
        try:
            at, rank, pk = str(text).split("~")
            moment = dt.datetime.fromisoformat(at)
            if moment.tzinfo is None:
                return None
            rank, pk = digits(rank), parse_id(pk)
            if rank is None or pk is None:
                return None
            return cls(moment, 1 if rank else 0, pk)
        except (TypeError, ValueError):
            return None


def chosen_filters(values) -> list[str]:
    return [v for v in filter_values() if v in set(values or ())]


def _linked(ot, pk, to_type, user=None):
    """Ids of the records of `to_type` associated with the record (those the user sees)."""
    ids = Association.objects.filter(from_type=ot.name, from_id=pk, to_type=to_type).values("to_id")
    if user is None:
        return ids
    return base_queryset(to_type, user=user).filter(pk__in=ids).values("pk")


def source_filter(ot, pk, user=None) -> Q:
    """Association rows from the record, and from the records whose activities it shows
    (only those the user may see: a rep's company page shows nothing of others' contacts)."""
    q = Q(from_type=ot.name, from_id=pk)
    if ot.name == "companies":
        q |= Q(from_type="contacts", from_id__in=_linked(ot, pk, "contacts", user))
    elif ot.name == "deals":
        q |= Q(from_type="contacts", from_id__in=_linked(ot, pk, "contacts", user))
        q |= Q(from_type="companies", from_id__in=_linked(ot, pk, "companies", user))
    return q


def _activities(ot, pk, kinds, cursor, limit, user=None) -> list:
    ids = Association.objects.filter(source_filter(ot, pk, user), to_type__in=kinds).values("to_id")
    activity_model = get_object_type(kinds[0]).model  # one model holds every activity
    qs = activity_model.objects.filter(pk__in=ids, archived=False, object_type_name__in=kinds)
    if user is not None:  # activities have their own scope: another rep's note stays hidden
        qs = visible(qs, user, kinds[0])
    qs = qs.annotate(at=Coalesce("hs_timestamp", "created_at"))
    if cursor is not None:
        after = Q(at__lt=cursor.at)
        if cursor.rank == ACTIVITY:
            after |= Q(at=cursor.at, pk__lt=cursor.pk)
        qs = qs.filter(after)
    return list(qs.order_by("-at", "-pk")[: limit + 1])


def _events(ot, pk, cursor, limit) -> list:
    qs = TimelineEvent.objects.filter(object_type=ot.type_id, object_id=pk)
    if cursor is not None:
        if cursor.rank == ACTIVITY:
            qs = qs.filter(occurred_at__lte=cursor.at)
        else:
            qs = qs.filter(
                Q(occurred_at__lt=cursor.at) | Q(occurred_at=cursor.at, pk__lt=cursor.pk)
            )
    return list(qs.order_by("-occurred_at", "-pk")[: limit + 1])


def page(ot, pk, filters=(), cursor: Cursor | None = None, limit: int = PAGE_SIZE, user=None):
    """([(time, rank, pk, object)], next cursor or None) for one page of the timeline."""
    ot = get_object_type(ot)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    filters = chosen_filters(filters) or list(filter_values())
    kinds = [k for k in timeline_kinds() if k in filters]
    items = []
    if kinds:
        items += [
            (a.at, ACTIVITY, a.pk, a) for a in _activities(ot, pk, kinds, cursor, limit, user)
        ]
    if EVENTS in filters:
        items += [(e.occurred_at, EVENT, e.pk, e) for e in _events(ot, pk, cursor, limit)]
    items.sort(key=lambda item: item[:3], reverse=True)
    more = len(items) > limit
    items = items[:limit]
    next_cursor = Cursor(*items[-1][:3]) if more and items else None
    return items, next_cursor


# -- what each entry shows ------------------------------------------------------------------


def _about_contacts(ot, activities, user=None) -> dict[int, list[dict]]:
    """{activity id: [{name, url}]}: which contacts (among those the user may see) a
    company's or deal's activities concern."""
    if ot.name not in ("companies", "deals") or not activities:
        return {}
    rows = list(
        Association.objects.filter(
            from_type__in=timeline_kinds(),
            from_id__in=[a.pk for a in activities],
            to_type="contacts",
        )
        .order_by("from_id", "to_id")
        .values_list("from_id", "to_id")
        .distinct()
    )
    wanted = {to_id for _, to_id in rows}
    if not wanted:
        return {}
    contacts = {
        c.pk: c
        for c in base_queryset("contacts", user=user)
        .filter(pk__in=wanted)
        .only("pk", "firstname", "lastname", "email")
    }
    result: dict[int, list[dict]] = {}
    for activity_id, contact_id in rows:
        contact = contacts.get(contact_id)
        names = result.setdefault(activity_id, [])
        if contact is not None and len(names) < MAX_ABOUT:
            names.append(
                {
                    "name": display_name("contacts", contact),
                    "url": reverse("contacts:detail", args=[contact_id]),
                }
            )
    return result


def _actor_names(events) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return {
        u.pk: (u.get_full_name() or u.email)
        for u in user_model()
        .objects.filter(pk__in=ids)
        .only("pk", "first_name", "last_name", "email")
    }


def _value(defs, record, name, tz, currency="EUR") -> str:
    defn = defs.get(name)
    if defn is None:
        return ""
    return format_value(defn, read_value(record, defn), tz=tz, currency=currency)


def _duration(ms) -> str:
    try:
        seconds = round(float(ms) / 1000)
    except (TypeError, ValueError):
        return ""
    minutes = round(seconds / 60)
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    return _("%(h)d h %(m)02d") % {"h": minutes // 60, "m": minutes % 60}


def activity_entry(activity, tz: str, now: dt.datetime) -> dict:
    kind = activity.object_type_name
    defs = registry.definitions(kind)
    p = activity.properties

    def val(name):
        return _value(defs, activity, name, tz)

    title, body, meta, url, badge, reply = "", "", [], "", "", None
    if kind == "notes":
        body = safe_html(p.get("hs_note_body"))
    elif kind == "emails":
        title = p.get("hs_email_subject") or _("(no subject)")
        meta = [val("hs_email_direction"), val("hs_email_status"), *_tracked(p, val)]
        reply = activity.pk
        body = safe_html(p.get("hs_email_html") or text_to_html(p.get("hs_email_text")))
    elif kind == "calls":
        title = p.get("hs_call_title") or _("Call")
        meta = [
            val("hs_call_disposition"),
            val("hs_call_direction"),
            _duration(p.get("hs_call_duration")) if p.get("hs_call_duration") else "",
        ]
        body = safe_html(p.get("hs_call_body"))
    elif kind == "meetings":
        title = p.get("hs_meeting_title") or _("Meeting")
        start, end = p.get("hs_meeting_start_time"), p.get("hs_meeting_end_time")
        length = ""
        if start and end:
            seconds = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
            length = (
                _duration(seconds.total_seconds() * 1000) if seconds.total_seconds() > 0 else ""
            )
        meta = [val("hs_meeting_outcome"), length]
        body = safe_html(p.get("hs_meeting_body"))
    elif kind == "tasks":
        title = p.get("hs_task_subject") or _("Task")
        status = p.get("hs_task_status")
        meta = [val("hs_task_status"), val("hs_task_priority"), val("hs_task_type")]
        body = safe_html(p.get("hs_task_body"))
        url = reverse("tasks:detail", args=[activity.pk])
        if status != "COMPLETED" and activity.hs_timestamp and activity.hs_timestamp < now:
            badge = _("Overdue")
    owner = activity.hubspot_owner_id
    return {
        "kind": kind,
        "kind_label": type_label(kind, plural=False),
        "icon": get_object_type(kind).icon,
        "title": title,
        "url": url,
        "body": body,
        "meta": [m for m in meta if m],
        "badge": badge,
        "reply": reply,  # an email: the composer answers it (?compose=email&reply=<id>)
        "owner": all_owner_names().get(str(owner), "") if owner else "",
    }


def _count(value) -> int:
    try:
        return max(int(float(value or 0)), 0)
    except (TypeError, ValueError):
        return 0


def _tracked(props: dict, val) -> list[str]:
    """An email's opens and clicks (comptoir/mail/events.py counts them): "Opened 3 times,
    last on 4 Dec 2026 10:02"."""
    lines = []
    opens = _count(props.get("hs_email_open_count"))
    if opens:
        lines.append(
            ngettext(
                "Opened %(count)d time, last on %(when)s",
                "Opened %(count)d times, last on %(when)s",
                opens,
            )
            % {"count": opens, "when": val("hs_email_last_open_date")}
        )
    clicks = _count(props.get("hs_email_click_count"))
    if clicks:
        lines.append(
            ngettext(
                "Clicked %(count)d time, last on %(when)s",
                "Clicked %(count)d times, last on %(when)s",
                clicks,
            )
            % {"count": clicks, "when": val("hs_email_last_click_date")}
        )
    return lines


SEQUENCE_ACTIONS = {
    "enrolled": _lazy("Enrolled in the sequence “%(name)s”"),
    "paused": _lazy("Sequence “%(name)s” paused"),
    "resumed": _lazy("Sequence “%(name)s” resumed"),
    "unenrolled": _lazy("Unenrolled from the sequence “%(name)s”"),
    "finished": _lazy("Finished the sequence “%(name)s”"),
}
SEQUENCE_REASONS = {
    "replied": _lazy("the contact replied"),
    "bounced": _lazy("an email bounced"),
    "meeting_booked": _lazy("a meeting was booked"),
    "by_hand": _lazy("by hand"),
    "contact_deleted": _lazy("the contact was deleted"),
    "error": _lazy("a step could not run"),
}


def sequence_text(data: dict) -> str:
    """A sequence event's sentence (TOOL-5): what happened, and why when known."""
    action = SEQUENCE_ACTIONS.get(data.get("action"), SEQUENCE_ACTIONS["enrolled"])
    text = str(action) % {"name": data.get("sequence", "")}
    reason = SEQUENCE_REASONS.get(data.get("reason") or "")
    return f"{text} ({reason})" if reason else text


def event_entry(ot, event, actors: dict, tz: str) -> dict:
    data = event.data or {}
    old, new = data.get("old"), data.get("new")
    if event.event_type == EventType.STAGE_CHANGED:
        known = stages(ot)

        def stage(value):
            return stage_label(known[value]) if value in known else str(value)

        text = (
            _("Deal stage changed from %(old)s to %(new)s") % {"old": stage(old), "new": stage(new)}
            if old
            else _("Deal stage set to %(new)s") % {"new": stage(new)}
        )
    elif event.event_type == EventType.OWNER_CHANGED:
        names = all_owner_names()
        if new and old:
            text = _("Owner changed from %(old)s to %(new)s") % {
                "old": names.get(str(old), old),
                "new": names.get(str(new), new),
            }
        elif new:
            text = _("Owner set to %(new)s") % {"new": names.get(str(new), new)}
        else:
            text = _("Owner removed")
    elif event.event_type == EventType.LIFECYCLE_CHANGED:
        defn = registry.definitions(ot).get("lifecyclestage")

        def stage(value):
            return format_value(defn, value) if defn and value else str(value or "")

        text = (
            _("Lifecycle stage changed from %(old)s to %(new)s")
            % {"old": stage(old), "new": stage(new)}
            if old
            else _("Lifecycle stage set to %(new)s") % {"new": stage(new)}
        )
    elif event.event_type == EventType.MERGED:
        text = _("Record #%(id)s was merged into this one") % {"id": data.get("merged_id")}
    elif event.event_type == EventType.RESTORED:
        text = _("Restored from the recycle bin")
    elif event.event_type == EventType.ARCHIVED:
        text = _("Deleted (moved to the recycle bin)")
    elif event.event_type == EventType.SEQUENCE:
        text = sequence_text(data)
    elif event.event_type == EventType.DOCUMENT_VIEWED:
        text = _("Viewed the document “%(name)s”") % {"name": data.get("name") or "?"}
        if data.get("who"):
            text = _("%(who)s viewed the document “%(name)s”") % {
                "who": data["who"],
                "name": data.get("name") or "?",
            }
    elif event.event_type == EventType.WEBSITE_VISIT:
        text = ngettext(
            "Visited your website: %(count)d page, from “%(page)s”",
            "Visited your website: %(count)d pages, from “%(page)s”",
            data.get("pages") or 1,
        ) % {"count": data.get("pages") or 1, "page": data.get("first_page") or "/"}
    else:
        text = _("Association added")
    return {
        "kind": EVENTS,
        "kind_label": _("Change"),
        "icon": "history",
        "title": text,
        "actor": automation_author(data["automation"])
        if "automation" in data
        else actors.get(event.actor_id, ""),
    }


def _month(moment: dt.datetime, tz: str, now: dt.datetime) -> tuple[str, str]:
    if moment > now:
        return "upcoming", _("Upcoming")
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    label = babel_dates.format_date(local.date(), "LLLL y", locale=babel_locale())
    return local.strftime("%Y-%m"), label[:1].upper() + label[1:]


def entries(ot, items, last_month: str = "", user=None) -> list[dict]:
    """Template data for one page of items, with a month heading where the month changes."""
    ot = get_object_type(ot)
    settings = portal()
    tz = settings.report_time_zone
    now = timezone.now()
    activities = [obj for _, rank, _, obj in items if rank == ACTIVITY]
    events = [obj for _, rank, _, obj in items if rank == EVENT]
    about = _about_contacts(ot, activities, user)
    actors = _actor_names(events)
    result = []
    shown = {}
    for moment, rank, pk, obj in items:
        if rank == ACTIVITY:
            entry = activity_entry(obj, tz, now)
            entry["about"] = about.get(pk, [])
            entry["id"] = f"activity-{pk}"
            shown[pk] = entry
        else:
            entry = event_entry(ot, obj, actors, tz)
            entry["id"] = f"event-{pk}"
        key, label = _month(moment, tz, now)
        entry["month"] = label if key != last_month else ""
        last_month = key
        entry["month_key"] = key
        entry["when"] = format_datetime_short(moment, tz)
        entry["iso"] = moment.isoformat()
        result.append(entry)
    for detail in ACTIVITY_DETAILS:
        detail(shown)
    return result
