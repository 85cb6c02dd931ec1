"""The object-type registry (OBJ-1): HubSpot's names, singular names and type ids.

Every other layer (API, search, history, associations) names object types through
this table, so adding an engagement type is a new row, not new code paths.
"""

from dataclasses import dataclass, field

from django.apps import apps


class UnknownObjectType(LookupError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(f"Unknown object type {key!r}.")


@dataclass(frozen=True)
class ObjectType:
    name: str  # plural, HubSpot's path segment: "contacts"
    singular: str  # "contact"
    type_id: str  # "0-1"
    model_label: str  # "contacts.Contact"
    label: str
    label_fr: str
    singular_label: str
    singular_label_fr: str
    group_name: str  # default property group
    created_property: str  # "createdate" or "hs_createdate"
    modified_property: str  # "lastmodifieddate" or "hs_lastmodifieddate"
    default_properties: tuple[str, ...]  # returned when the caller asks for none
    searchable_properties: tuple[str, ...]  # the full-text `query` covers these
    display_properties: tuple[str, ...]  # what makes up the record's name
    required_any: tuple[str, ...] = ()  # create needs at least one of these
    required_all: tuple[str, ...] = ()  # create needs every one of these
    is_activity: bool = False
    has_pipelines: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def hubspot_name(self) -> str:
        """Upper-case singular used in HubSpot messages ("CONTACT")."""
        return self.singular.upper()

    def __str__(self) -> str:
        return self.name


_ENGAGEMENT_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")


def _activity(name, singular, type_id, label, label_fr, sl, sl_fr, searchable, display, **kw):
    kw.setdefault("required_all", ("hs_timestamp",))
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
        created_property="hs_createdate",
        modified_property="hs_lastmodifieddate",
        default_properties=_ENGAGEMENT_DEFAULTS,
        searchable_properties=searchable,
        display_properties=display,
        is_activity=True,
        **kw,
    )


OBJECT_TYPES: tuple[ObjectType, ...] = (
    ObjectType(
        name="contacts",
        singular="contact",
        type_id="0-1",
        model_label="contacts.Contact",
        label="Contacts",
        label_fr="Contacts",
        singular_label="Contact",
        singular_label_fr="Contact",
        group_name="contactinformation",
        created_property="createdate",
        modified_property="lastmodifieddate",
        default_properties=(
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname",
        ),
        searchable_properties=(
            "firstname",
            "lastname",
            "email",
            "phone",
            "hs_additional_emails",
            "fax",
            "mobilephone",
            "company",
        ),
        display_properties=("firstname", "lastname", "email"),
    ),
    ObjectType(
        name="companies",
        singular="company",
        type_id="0-2",
        model_label="companies.Company",
        label="Companies",
        label_fr="Entreprises",
        singular_label="Company",
        singular_label_fr="Entreprise",
        group_name="companyinformation",
        created_property="createdate",
        modified_property="hs_lastmodifieddate",
        default_properties=("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
        searchable_properties=("website", "phone", "name", "domain"),
        display_properties=("name", "domain"),
        required_any=("name", "domain"),
    ),
    ObjectType(
        name="deals",
        singular="deal",
        type_id="0-3",
        model_label="deals.Deal",
        label="Deals",
        label_fr="Transactions",
        singular_label="Deal",
        singular_label_fr="Transaction",
        group_name="dealinformation",
        created_property="createdate",
        modified_property="hs_lastmodifieddate",
        default_properties=(
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline",
        ),
        searchable_properties=("dealname", "pipeline", "dealstage", "description", "dealtype"),
        display_properties=("dealname",),
        required_all=("dealname", "dealstage"),
        has_pipelines=True,
    ),
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
        has_pipelines=True,
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
        required_all=("hs_timestamp", "hs_email_direction"),  # as HubSpot's emails API
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
    ),
)

_BY_KEY: dict[str, ObjectType] = {}
for _ot in OBJECT_TYPES:
    for _key in (_ot.name, _ot.singular, _ot.type_id):
        _BY_KEY[_key] = _ot


def get_object_type(key: "str | ObjectType") -> ObjectType:
    """Look up by plural name, singular name or type id ("contacts", "CONTACT", "0-1")."""
    if isinstance(key, ObjectType):
        return key
    try:
        return _BY_KEY[key.strip().lower() if not key.startswith("0-") else key.strip()]
    except (KeyError, AttributeError):
        raise UnknownObjectType(str(key)) from None


def activity_types() -> tuple[ObjectType, ...]:
    return tuple(ot for ot in OBJECT_TYPES if ot.is_activity)


def for_model(model) -> tuple[ObjectType, ...]:
    label = model._meta.label
    return tuple(ot for ot in OBJECT_TYPES if ot.model_label == label)
