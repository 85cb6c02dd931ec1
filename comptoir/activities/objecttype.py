"""The engagement types (tasks, notes, calls, emails, meetings): one model, five types.

Tasks have pages of their own (/tasks/); the others show on record timelines."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from comptoir.core.objects.registry import ObjectType, Pages
from comptoir.core.properties import defaults

_ENGAGEMENT_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")

# The `metadata` of each type in HubSpot's legacy engagements API (/engagements/v1):
# {metadata key: property}, read by comptoir/hubspot_api/legacy.py.
_LEGACY_METADATA = {
    "notes": {"body": "hs_note_body"},
    "calls": {
        "title": "hs_call_title",
        "body": "hs_call_body",
        "toNumber": "hs_call_to_number",
        "fromNumber": "hs_call_from_number",
        "status": "hs_call_status",
        "durationMilliseconds": "hs_call_duration",
        "disposition": "hs_call_disposition",
        "recordingUrl": "hs_call_recording_url",
    },
    "emails": {
        "subject": "hs_email_subject",
        "html": "hs_email_html",
        "text": "hs_email_text",
        "status": "hs_email_status",
    },
    "meetings": {
        "title": "hs_meeting_title",
        "body": "hs_meeting_body",
        "startTime": "hs_meeting_start_time",
        "endTime": "hs_meeting_end_time",
        "location": "hs_meeting_location",
        "meetingOutcome": "hs_meeting_outcome",
    },
    "tasks": {
        "subject": "hs_task_subject",
        "body": "hs_task_body",
        "status": "hs_task_status",
        "priority": "hs_task_priority",
        "taskType": "hs_task_type",
    },
}


def _activity(name, singular, type_id, label, label_fr, sl, sl_fr, searchable, display, **kw):
    """An engagement type: its properties are `defaults.<NAME>`, in one group."""
    kw.setdefault("required_all", ("hs_timestamp",))
    group_fr = kw.pop("group_fr")
    kw.setdefault("icon", singular)  # the timeline's glyph
    kw.setdefault("extra", {"legacy_metadata": _LEGACY_METADATA[name]})
    return ObjectType(
        name=name,
        singular=singular,
        type_id=type_id,
        model_label="activities.Activity",
        label=label,
        label_fr=label_fr,
        singular_label=sl,
        singular_label_fr=sl_fr,
        group_name=f"{singular}information",
        properties=tuple(getattr(defaults, name.upper())),
        property_groups=((f"{singular}information", f"{sl} information", group_fr),),
        created_property="hs_createdate",
        modified_property="hs_lastmodifieddate",
        default_properties=_ENGAGEMENT_DEFAULTS,
        searchable_properties=searchable,
        display_properties=display,
        is_activity=True,
        # HubSpot guards engagements with the contacts scopes.
        scope="crm.objects.contacts",
        **kw,
    )


def _task_behavior(ot):
    # Imported when first used: the write path needs the registry filled.
    from comptoir.activities.services import TaskBehavior

    return TaskBehavior(ot)


def _task_list_state(request, ot):
    """/tasks/ is the generic index with due-date tabs: the generic views (saved views,
    columns, filters, bulk actions) read and keep the tab through this state."""
    from comptoir.activities.tasks_page import TaskListState  # imports the UI: when used

    return TaskListState.from_request(request, ot)


def _task_urls():
    from comptoir.activities.urls import urlpatterns  # imports the views: when used

    return urlpatterns


def object_types() -> tuple[ObjectType, ...]:
    return (
        _activity(
            "tasks",
            "task",
            "0-27",
            "Tasks",
            "Tâches",
            "Task",
            "Tâche",
            ("hs_task_body", "hs_task_subject"),
            ("hs_task_subject",),
            group_fr="Informations sur la tâche",
            timeline_position=4,
            has_pipelines=True,
            stage_properties=("hs_pipeline", "hs_pipeline_stage"),
            icon="tasks",
            icon_svg=(
                '<path d="M9 11l3 3 8-8"/>'
                '<path d="M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9"/>'
            ),
            assignable=True,
            assigned_one=_("%(actor)s assigned you the task %(record)s"),
            assigned_many=ngettext_lazy(
                "%(actor)s assigned you %(count)d task",
                "%(actor)s assigned you %(count)d tasks",
                "count",
            ),
            title_property="hs_task_subject",
            date_property="hs_task_completion_date",
            behavior=_task_behavior,
            list_state=_task_list_state,
            pages=Pages(
                name_property="hs_task_subject",
                indexed_properties=("hs_task_type",),
                # The type shows as a badge before the title; the due date comes first.
                list_columns=(
                    "hs_timestamp",
                    "hs_task_status",
                    "hs_task_priority",
                    "hubspot_owner_id",
                ),
                default_sort="hs_timestamp",
                about=(
                    "hs_task_subject",
                    "hs_timestamp",
                    "hs_task_status",
                    "hs_task_priority",
                    "hs_task_type",
                    "hubspot_owner_id",
                ),
                create_fields=(
                    "hs_task_subject",
                    "hs_timestamp",
                    "hs_task_type",
                    "hs_task_priority",
                    "hubspot_owner_id",
                    "hs_task_body",
                ),
                cards=("contacts", "companies", "deals"),
                card_fields=("hs_task_subject", "hs_timestamp", "hs_task_priority"),
                card_order=("-hs_timestamp", "-pk"),
                card_detail=("hs_timestamp", "hs_task_status"),
                nav_label=_("Tasks"),
                urls=_task_urls,
                phrases={
                    "create": _("Create task"),
                    "none_yet": _("No tasks yet"),
                    "add": _("Add tasks"),
                    "search_existing": _("Search existing tasks"),
                    "create_new": _("Create a new task"),
                    "none_associated": _("No associated tasks."),
                    "created": _("Task “%(name)s” created."),
                    "view_all": pgettext_lazy("tasks view", "All tasks"),
                    "view_mine": pgettext_lazy("tasks view", "My records"),
                    "view_unassigned": pgettext_lazy("tasks view", "Unassigned"),
                    "view_recent": pgettext_lazy("tasks view", "Recently created"),
                },
            ),
        ),
        _activity(
            "notes",
            "note",
            "0-46",
            "Notes",
            "Notes",
            "Note",
            "Note",
            ("hs_note_body",),
            ("hs_note_body",),
            group_fr="Informations sur la note",
            timeline_position=0,
        ),
        _activity(
            "calls",
            "call",
            "0-48",
            "Calls",
            "Appels",
            "Call",
            "Appel",
            ("hs_call_title", "hs_call_body"),
            ("hs_call_title",),
            group_fr="Informations sur l'appel",
            timeline_position=2,
            conversation=True,
            title_property="hs_call_title",
            date_property="hs_timestamp",
        ),
        _activity(
            "emails",
            "email",
            "0-49",
            "Emails",
            "E-mails",
            "Email",
            "E-mail",
            ("hs_email_subject",),
            ("hs_email_subject",),
            group_fr="Informations sur l'e-mail",
            timeline_position=1,
            required_all=("hs_timestamp", "hs_email_direction"),  # as HubSpot's emails API
            conversation=True,
            title_property="hs_email_subject",
            date_property="hs_timestamp",
        ),
        _activity(
            "meetings",
            "meeting",
            "0-47",
            "Meetings",
            "Réunions",
            "Meeting",
            "Réunion",
            ("hs_meeting_title", "hs_meeting_body"),
            ("hs_meeting_title",),
            group_fr="Informations sur la réunion",
            timeline_position=3,
            conversation=True,
            title_property="hs_meeting_title",
            date_property="hs_timestamp",
        ),
    )
