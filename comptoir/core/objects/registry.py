"""The object-type registry (OBJ-1): every fact about an object type, in one description.

Each object app declares its types in its own `objecttype.py` (HubSpot's names and ids,
the list and record pages, phrases, icon, scopes, rollups, import keys...) and registers
them in its `AppConfig.ready()`. Every other layer (API, UI, search, history, permissions,
imports, notifications) reads this registry: no per-type tables elsewhere. See
docs/adding-an-object-type.md.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps


class UnknownObjectType(LookupError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(f"Unknown object type {key!r}.")


@dataclass(frozen=True)
class StandardType:
    """A HubSpot standard object type every account has, that Comptoir holds none of."""

    name: str
    singular: str
    type_id: str

    @property
    def hubspot_name(self) -> str:
        return self.singular.upper()

    def __str__(self) -> str:
        return self.name


# HubSpot's standard types (reference §2.1's map, and those connectors such as Airbyte's
# source-hubspot ask for) that no object app registers: the API answers for them as an
# account holding none of their records would (empty lists, 404 for an id), never
# "Unable to infer object type".
STANDARD_TYPES = (
    StandardType("tickets", "ticket", "0-5"),
    StandardType("products", "product", "0-7"),
    StandardType("line_items", "line_item", "0-8"),
    StandardType("quotes", "quote", "0-14"),
    StandardType("forms", "form", "0-28"),
    StandardType("communications", "communication", "0-18"),
    StandardType("feedback_submissions", "feedback_submission", "0-19"),
    StandardType("invoices", "invoice", "0-53"),
    StandardType("goal_targets", "goal_target", "0-74"),
    StandardType("commerce_payments", "commerce_payment", "0-101"),
    StandardType("postal_mail", "postal_mail", "0-116"),
    StandardType("orders", "order", "0-123"),
    StandardType("leads", "lead", "0-136"),
    StandardType("carts", "cart", "0-142"),
    StandardType("deal_splits", "deal_split", ""),  # its type id is not published
)


class AbsentObjectType(UnknownObjectType):
    """The key names a standard HubSpot type (STANDARD_TYPES) no object app registers."""

    def __init__(self, key: str, standard: StandardType):
        super().__init__(key)
        self.standard = standard


def standard_type(key) -> "StandardType | None":
    """The unregistered standard type `key` names (plural, singular or type id), if any."""
    if not isinstance(key, str):
        return None
    key = key.strip() if key.strip().startswith("0-") else key.strip().lower()
    for st in STANDARD_TYPES:
        if key and key in (st.name, st.singular, st.type_id) and key not in _BY_KEY:
            return st
    return None


@dataclass(frozen=True)
class Pages:
    """The list page and record page of a type that has them (/contacts/, /contacts/7/)."""

    name_property: str  # the list's first column, linking to the record
    list_columns: tuple[str, ...]  # the list's default columns after the name
    about: tuple[str, ...]  # the record page's "About" properties
    create_fields: tuple[str, ...]  # the create dialog
    cards: tuple[str, ...]  # association cards on the record page (object type names)
    card_fields: tuple[str, ...]  # the small "create and associate" form of a card
    default_sort: str = "-createdate"
    # The list's quick filters above the table (HubSpot's: owner, create date, last
    # activity, lifecycle stage...): properties whose kind offers an options picker or
    # days (core/ui/filters.py).
    quick_filters: tuple[str, ...] = ()
    # JSON properties people often add as columns or filter on, indexed by migrations
    # beside the list columns and quick filters (core.properties.indexes.
    # builtin_indexed_properties); the others get an index on demand.
    indexed_properties: tuple[str, ...] = ()
    card_order: tuple[str, ...] = ("-pk",)  # how a card of this type orders its records
    card_detail: tuple[str, ...] = ()  # a record's line under its name on a card
    # The record header: properties edited as the name, and the summary under it.
    header_name: tuple[str, ...] = ()
    nav_label: object = ""  # the left navigation's entry
    # urls() -> the URL patterns of its pages, when not the generic set (core/ui/urls.py)
    urls: Callable | None = field(default=None, compare=False)
    # Sentences naming the type, written in full for each language (see ui/phrases.py).
    phrases: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Imports:
    """How the import wizard reads a file of this type."""

    label: object  # "Contacts" in the object choice
    file_label: object  # "Contacts file" in a multi-file import
    synonyms: dict = field(default_factory=dict, compare=False)  # {property: [headers]}
    natural_key: str = ""  # the column that finds an existing record ("email")
    file_order: int = 0  # several files: the lowest is the main one


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
    # Text properties whose "contains" filters an index serves, built by the type's
    # migration (comptoir/core/properties/substring_indexes.py); others get one on demand.
    substring_indexed: tuple[str, ...] = ()
    is_activity: bool = False
    has_pipelines: bool = False
    # (pipeline property, stage property) of a type whose records sit in a stage
    stage_properties: tuple[str, str] | None = None
    extra: dict = field(default_factory=dict, compare=False)
    # -- What the generic code reads besides the HubSpot facts -------------------------
    # Its HubSpot-defined properties (core/properties/defaults.py's Default) and their
    # groups, (name, label, French label), kept in step after every migrate (setup.py).
    properties: tuple = field(default=(), compare=False)
    property_groups: tuple[tuple[str, str, str], ...] = ()
    icon: str = "note"  # its glyph (templatetags/comptoir.py's ICONS, or icon_svg)
    icon_svg: str = ""  # the SVG paths of a glyph the type brings (24x24, stroke)
    # A CRM record (not an engagement): global search, merge, rollups, its own schema
    # scope, its own permission row, a link in the dashboard lists.
    crm: bool = False
    scope: str = "crm.objects.contacts"  # HubSpot private-app scope (engagements: contacts')
    permission_label: object = ""  # its row in the role form (CRM records)
    scope_label: object = ""  # its group of API token scopes, when not permission_label
    mergeable: bool = False
    personal_data: bool = False  # a person's record: GDPR export (records/personal_data.py)
    activity_rollups: bool = False  # keeps num_notes, notes_last_updated... (rollups.py)
    timeline_position: int = 0  # an engagement's place among the timeline's filters
    conversation: bool = False  # an engagement counting as "times contacted" (calls...)
    # {rollup property: associated object type} counted on each record.
    association_counts: dict = field(default_factory=dict, compare=False)
    search_detail: str = ""  # the global search's second line
    summary_fields: tuple[str, ...] = ()  # the fields a linked record shows by (tasks page)
    assignable: bool = False  # an owner change notifies the new owner
    # The notification's title: one record (%(actor)s, %(record)s), several (ngettext_lazy
    # counted by "count").
    assigned_one: object = ""
    assigned_many: object = ""
    title_property: str = ""  # the dashboard's activity lists: title and date
    date_property: str = ""
    # behavior(ot) -> the RecordBehavior of the type's writes (records/behavior.py)
    behavior: Callable | None = field(default=None, compare=False)
    # list_state(request, ot) -> the ListState of an index page with state of its own
    list_state: Callable | None = field(default=None, compare=False)
    pages: Pages | None = field(default=None, compare=False)
    imports: Imports | None = field(default=None, compare=False)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def hubspot_name(self) -> str:
        """Upper-case singular used in HubSpot messages ("CONTACT")."""
        return self.singular.upper()

    def __str__(self) -> str:
        return self.name


# Filled by the object apps' AppConfig.ready(), in INSTALLED_APPS order.
OBJECT_TYPES: list[ObjectType] = []
_BY_KEY: dict[str, ObjectType] = {}


def register(*types: ObjectType) -> None:
    """Add object types (an object app's `ready()` calls this once)."""
    for ot in types:
        keys = (ot.name, ot.singular, ot.type_id)
        if any(_BY_KEY.get(key, ot) is not ot for key in keys):
            raise ValueError(f"Object type {ot.name!r} clashes with a registered one.")
        if ot not in OBJECT_TYPES:
            OBJECT_TYPES.append(ot)
        for key in keys:
            _BY_KEY[key] = ot


def get_object_type(key: "str | ObjectType") -> ObjectType:
    """Look up by plural name, singular name or type id ("contacts", "CONTACT", "0-1")."""
    if isinstance(key, ObjectType):
        return key
    try:
        return _BY_KEY[key.strip().lower() if not key.startswith("0-") else key.strip()]
    except (KeyError, AttributeError):
        standard = standard_type(key)
        if standard is not None:
            raise AbsentObjectType(key, standard) from None
        raise UnknownObjectType(str(key)) from None


def activity_types() -> tuple[ObjectType, ...]:
    return tuple(ot for ot in OBJECT_TYPES if ot.is_activity)


def crm_types() -> tuple[ObjectType, ...]:
    """The CRM records (contacts, companies, deals...), in registration order."""
    return tuple(ot for ot in OBJECT_TYPES if ot.crm)


def crm_names() -> tuple[str, ...]:
    return tuple(ot.name for ot in crm_types())


def page_types() -> tuple[ObjectType, ...]:
    """The types with a list page and record pages."""
    return tuple(ot for ot in OBJECT_TYPES if ot.pages is not None)


def import_types() -> tuple[ObjectType, ...]:
    return tuple(ot for ot in OBJECT_TYPES if ot.imports is not None)
