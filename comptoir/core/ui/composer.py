"""The composer above the timeline (ACT-1): log a note, an email, a call, a meeting, or
create a task, associated with the record (and a contact's primary company).

Forms are built from the property definitions; every write is one create_record() call,
so a refused value leaves nothing behind.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.associations.services import primary_company_id
from comptoir.core.permissions import with_default_owner
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.properties.errors import DuplicateValue, ValidationFailed
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import create_record
from comptoir.core.ui.cards import FormField, form_field
from comptoir.core.ui.fields import submitted_value
from comptoir.core.ui.phrases import error_text, errors_text
from comptoir.core.ui.richtext import clean_html, plain_text, text_to_html

# (tab key, activity object type, tab label, submit label, done message)
TABS = (
    ("note", "notes", _lazy("Note"), _lazy("Save note"), _lazy("Note saved.")),
    ("email", "emails", _lazy("Email"), _lazy("Log email"), _lazy("Email logged.")),
    ("call", "calls", _lazy("Call"), _lazy("Log call"), _lazy("Call logged.")),
    ("task", "tasks", _lazy("Task"), _lazy("Create task"), _lazy("Task created.")),
    ("meeting", "meetings", _lazy("Meeting"), _lazy("Log meeting"), _lazy("Meeting logged.")),
)
KIND = {tab[0]: tab for tab in TABS}
RICH = "hs_note_body"
# Called, in order, once a note is logged: f(html, actor_id=, ot=, record=, record_name=,
# body=) with the note's HTML and plain text and the record it was logged on. The
# notifications app tells the @mentioned teammates (added in its AppConfig.ready()).
NOTE_OBSERVERS: list = []
# Asked, in order, for the email tab's "Send" part until one answers:
# f(user, ot, record, reply_to=engagement id or None) -> {"template": a partial the tab
# includes, ...its data} or None. The mail app sends email (added in its AppConfig.ready());
# without it, the tab only logs an email sent elsewhere.
SEND_PANELS: list = []
DURATION = "duration_minutes"
# Which form field shows a service error about a property.
ERROR_FIELD = {
    "meeting": {"hs_timestamp": "hs_meeting_start_time"},
    "call": {"hs_call_duration": DURATION},
}
LABELS = {  # unique across the tabs, so each input has its own accessible name
    ("email", "hs_email_subject"): _lazy("Subject"),
    ("email", "hs_email_direction"): _lazy("Email direction"),
    ("email", "hs_timestamp"): _lazy("Email date"),
    ("email", "hs_email_text"): _lazy("Email body"),
    ("call", "hs_call_disposition"): _lazy("Call outcome"),
    ("call", "hs_call_direction"): _lazy("Call direction"),
    ("call", "hs_timestamp"): _lazy("Call date"),
    ("call", "hs_call_body"): _lazy("Call notes"),
    ("meeting", "hs_meeting_title"): _lazy("Meeting title"),
    ("meeting", "hs_meeting_outcome"): _lazy("Meeting outcome"),
    ("meeting", "hs_meeting_start_time"): _lazy("Start"),
    ("meeting", "hs_meeting_end_time"): _lazy("End"),
    ("meeting", "hs_meeting_body"): _lazy("Meeting notes"),
    ("task", "hs_task_subject"): _lazy("Task title"),
    ("task", "hs_timestamp"): _lazy("Due date"),
    ("task", "hs_task_type"): _lazy("Task type"),
    ("task", "hs_task_priority"): _lazy("Priority"),
    ("task", "hubspot_owner_id"): _lazy("Assigned to"),
    ("task", "hs_task_body"): _lazy("Task notes"),
}
FIELDS = {
    "note": (),
    "email": ("hs_email_subject", "hs_email_direction", "hs_timestamp", "hs_email_text"),
    "call": ("hs_call_disposition", "hs_call_direction", DURATION, "hs_timestamp", "hs_call_body"),
    "task": (
        "hs_task_subject",
        "hs_timestamp",
        "hs_task_type",
        "hs_task_priority",
        "hubspot_owner_id",
        "hs_task_body",
    ),
    "meeting": (
        "hs_meeting_title",
        "hs_meeting_outcome",
        "hs_meeting_start_time",
        "hs_meeting_end_time",
        "hs_meeting_body",
    ),
}
WIDE = {
    "hs_email_text",
    "hs_call_body",
    "hs_meeting_body",
    "hs_task_body",
    "hs_email_subject",
    "hs_task_subject",
    "hs_meeting_title",
}
TEXT_TO_HTML = {"hs_call_body", "hs_meeting_body", "hs_task_body"}


def _defaults(kind: str, tz: str, owner_id) -> dict:
    """Initial values (canonical) of a fresh form: now, tomorrow 9:00 for a task's due date."""
    now = timezone.now().replace(second=0, microsecond=0)
    local = now.astimezone(zoneinfo.ZoneInfo(tz))
    if kind == "task":
        due = (local + dt.timedelta(days=1)).replace(hour=9, minute=0)
        return {
            "hs_timestamp": format_datetime(due),
            "hs_task_type": "TODO",
            "hs_task_priority": "NONE",
            "hubspot_owner_id": str(owner_id) if owner_id else None,
        }
    if kind == "meeting":
        return {
            "hs_meeting_start_time": format_datetime(now),
            "hs_meeting_end_time": format_datetime(now + dt.timedelta(minutes=30)),
            "hs_meeting_outcome": "COMPLETED",
        }
    if kind == "call":
        return {"hs_timestamp": format_datetime(now), "hs_call_direction": "OUTBOUND"}
    if kind == "email":
        return {"hs_timestamp": format_datetime(now), "hs_email_direction": "EMAIL"}
    return {}


def form(kind: str, *, owner_id=None, raw=None, errors=None) -> dict:
    """Template data of one composer tab; `raw` = what the user typed (kept on errors)."""
    key, type_name, tab_label, submit, _done = KIND[kind]
    defs = registry.definitions(type_name)
    tz = portal().report_time_zone
    errors = errors or {}
    initial = _defaults(kind, tz, owner_id) if raw is None else {}
    fields = []
    for name in FIELDS[kind]:
        typed = None if raw is None else raw.get(name, "")
        if name == DURATION:
            fields.append(
                FormField(
                    name=DURATION,
                    label=str(_("Duration (minutes)")),
                    input_id=f"{kind}-{DURATION}",
                    value=typed or "",
                    widget="number",
                    error=errors.get(DURATION, ""),
                )
            )
            continue
        defn = defs.get(name)
        if defn is None:
            continue
        f = form_field(
            defn,
            initial.get(name),
            tz,
            kind,
            label=str(LABELS.get((kind, name), "")) or None,
            value=typed,
            error=errors.get(name, ""),
        )
        f.wide = name in WIDE or f.widget == "textarea"
        fields.append(f)
    rich = ""
    if kind == "note":
        rich = clean_html(raw.get(RICH, "")) if raw is not None else ""
    return {
        "kind": key,
        "type_name": type_name,
        "label": tab_label,
        "submit": submit,
        "fields": fields,
        "rich": rich,
        "rich_error": errors.get(RICH, ""),
        "general_error": errors.get("__all__", ""),
        "failed": bool(errors),
    }


def send_panel(user, ot, record, reply_to=None) -> dict | None:
    for panel in SEND_PANELS:
        found = panel(user, ot, record, reply_to)
        if found:
            return found
    return None


def tabs(*, active: str = "note", owner_id=None, send=None) -> list[dict]:
    """The composer's tabs; `send`: the email tab's sending part (send_panel)."""
    return [
        dict(
            form(key, owner_id=owner_id),
            active=key == active,
            send=send if key == "email" else None,
        )
        for key, *_rest in TABS
    ]


def _properties(kind: str, raw, tz: str) -> tuple[dict, dict]:
    """Submitted text → service values, plus the errors found before calling the service."""
    type_name = KIND[kind][1]
    defs = registry.definitions(type_name)
    props, errors = {}, {}
    if kind == "note":
        body = clean_html(raw.get(RICH, ""))
        if not plain_text(body):
            errors[RICH] = _("Write the note first.")
        props[RICH] = body
        props["hs_timestamp"] = format_datetime(timezone.now())
        return props, errors
    for name in FIELDS[kind]:
        text = raw.get(name, "")
        if name == DURATION:
            if text.strip():
                try:
                    minutes = Decimal(text.strip().replace(",", "."))
                    if minutes < 0 or not minutes.is_finite():
                        raise InvalidOperation
                    props["hs_call_duration"] = int(minutes * 60000)
                except InvalidOperation:
                    errors[DURATION] = _("Enter a number of minutes.")
            continue
        defn = defs.get(name)
        if defn is None:
            continue
        if name in TEXT_TO_HTML:
            html = clean_html(text_to_html(text))
            if html:
                props[name] = html
            continue
        value = submitted_value(defn, text, tz)
        if value not in (None, ""):
            props[name] = value
    if kind == "task" and not raw.get("hs_task_subject", "").strip():
        errors["hs_task_subject"] = _("Give the task a title.")
    if kind == "meeting":
        if not raw.get("hs_meeting_title", "").strip():
            errors["hs_meeting_title"] = _("Give the meeting a title.")
        start = props.get("hs_meeting_start_time")
        end = props.get("hs_meeting_end_time")
        if not start:
            errors["hs_meeting_start_time"] = _("Enter when the meeting started.")
        else:
            props["hs_timestamp"] = start
            try:
                if end and dt.datetime.fromisoformat(end) < dt.datetime.fromisoformat(start):
                    errors["hs_meeting_end_time"] = _("The end must be after the start.")
            except ValueError:
                pass  # the service names the bad value
    elif "hs_timestamp" not in props:
        if kind == "task":
            errors["hs_timestamp"] = _("Enter a due date.")
        else:
            props["hs_timestamp"] = format_datetime(timezone.now())
    return props, errors


def call_title(name: str) -> str:
    return _("Call with %(name)s") % {"name": name}


def log(kind: str, ot, record, name: str, raw, source, owner_id=None, user=None):
    """Create the activity; returns (activity, None) or (None, {field: error}).

    A logged note, email, call or meeting belongs to the user who logged it; a task to
    the owner chosen in the form. A contact's activity also goes to its primary company,
    when `user` may see that company."""
    type_name = KIND[kind][1]
    tz = portal().report_time_zone
    props, errors = _properties(kind, raw, tz)
    if errors:
        return None, errors
    if kind == "call":
        props["hs_call_title"] = call_title(name)
    if kind != "task" and owner_id:
        props["hubspot_owner_id"] = str(owner_id)
    props = with_default_owner(user, type_name, props)  # a task left unassigned
    links = [(ot.name, record.pk, None)]
    if ot.name == "contacts":
        company = primary_company_id("contacts", record.pk)
        # Only a company the author may see: another rep's company must not gain their note.
        seen = base_queryset("companies", user=user).filter(pk=company)
        if company is not None and seen.exists():
            links.append(("companies", company, None))
    try:
        activity = create_record(type_name, props, source=source, associations=links, user=user)
    except DuplicateValue as exc:
        return None, {"__all__": errors_text(exc)}
    except ValidationFailed as exc:
        mapped = {}
        names = set(FIELDS[kind]) | {RICH}
        for error in exc.errors:
            field_name = ERROR_FIELD.get(kind, {}).get(error.name, error.name)
            if field_name in names:
                mapped[field_name] = error_text(error)
            else:
                mapped["__all__"] = errors_text(exc)
        return None, mapped or {"__all__": errors_text(exc)}
    if kind == "note":  # each @mentioned teammate is told (SET-7)
        for observer in NOTE_OBSERVERS:
            observer(
                props[RICH],
                actor_id=source.actor_id,
                ot=ot,
                record=record,
                record_name=name,
                body=plain_text(props[RICH]),
            )
    return activity, None


def done_message(kind: str) -> str:
    return str(KIND[kind][4])
