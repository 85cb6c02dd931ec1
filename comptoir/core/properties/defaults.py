"""HubSpot's default properties and groups for every object type (reference §5).

Read by `sync_default_properties` after each migrate. Enumeration values are
HubSpot's internal values exactly; labels come in English and French.
"""

from dataclasses import dataclass, field

from comptoir.core.properties.industries import INDUSTRIES


@dataclass(frozen=True)
class Default:
    name: str
    type: str
    field_type: str
    label: str
    label_fr: str
    group: str = ""  # "" = the object's default group
    options: tuple = ()  # ((value, label, label_fr), ...)
    options_source: str = ""
    column: str = ""
    read_only: bool = False
    calculated: bool = False
    unique: bool = False
    hidden: bool = False
    referenced_object_type: str = ""
    show_currency_symbol: bool = False
    description: str = ""
    extra: dict = field(default_factory=dict)


def text(name, label, label_fr, **kw):
    return Default(name, "string", "text", label, label_fr, **kw)


def textarea(name, label, label_fr, **kw):
    return Default(name, "string", "textarea", label, label_fr, **kw)


def html(name, label, label_fr, **kw):
    return Default(name, "string", "html", label, label_fr, **kw)


def phone(name, label, label_fr, **kw):
    return Default(name, "string", "phonenumber", label, label_fr, **kw)


def number(name, label, label_fr, **kw):
    return Default(name, "number", "number", label, label_fr, **kw)


def date(name, label, label_fr, **kw):
    return Default(name, "date", "date", label, label_fr, **kw)


def datetime(name, label, label_fr, **kw):
    return Default(name, "datetime", "date", label, label_fr, **kw)


def select(name, label, label_fr, options, **kw):
    return Default(name, "enumeration", "select", label, label_fr, options=tuple(options), **kw)


def boolean(name, label, label_fr, **kw):
    options = (("true", "Yes", "Oui"), ("false", "No", "Non"))
    return Default(name, "bool", "booleancheckbox", label, label_fr, options=options, **kw)


def owner(label="Owner", label_fr="Propriétaire"):
    return Default(
        "hubspot_owner_id",
        "enumeration",
        "select",
        label,
        label_fr,
        options_source="owners",
        column="hubspot_owner_id",
        referenced_object_type="OWNER",
    )


def record_id():
    return number("hs_object_id", "Record ID", "ID de la fiche", read_only=True, column="id")


LIFECYCLE_STAGES = (
    ("subscriber", "Subscriber", "Abonné"),
    ("lead", "Lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead", "Lead qualifié marketing"),
    ("salesqualifiedlead", "Sales Qualified Lead", "Lead qualifié pour la vente"),
    ("opportunity", "Opportunity", "Opportunité"),
    ("customer", "Customer", "Client"),
    ("evangelist", "Evangelist", "Ambassadeur"),
    ("other", "Other", "Autre"),
)
LIFECYCLE_ORDER = [value for value, _, _ in LIFECYCLE_STAGES]

LEAD_STATUSES = (
    ("NEW", "New", "Nouveau"),
    ("OPEN", "Open", "Ouvert"),
    ("IN_PROGRESS", "In Progress", "En cours"),
    ("OPEN_DEAL", "Open Deal", "Transaction ouverte"),
    ("UNQUALIFIED", "Unqualified", "Non qualifié"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact", "Tentative de contact"),
    ("CONNECTED", "Connected", "Connecté"),
    ("BAD_TIMING", "Bad Timing", "Mauvais moment"),
)

COMPANY_TYPES = (
    ("PROSPECT", "Prospect", "Prospect"),
    ("PARTNER", "Partner", "Partenaire"),
    ("RESELLER", "Reseller", "Revendeur"),
    ("VENDOR", "Vendor", "Fournisseur"),
    ("OTHER", "Other", "Autre"),
)

DEAL_TYPES = (
    ("newbusiness", "New Business", "Nouvelle affaire"),
    ("existingbusiness", "Existing Business", "Affaire existante"),
)

PRIORITIES_LOWER = (
    ("low", "Low", "Basse"),
    ("medium", "Medium", "Moyenne"),
    ("high", "High", "Haute"),
)

TASK_STATUSES = (
    ("NOT_STARTED", "Not started", "Non commencée"),
    ("IN_PROGRESS", "In progress", "En cours"),
    ("WAITING", "Waiting", "En attente"),
    ("COMPLETED", "Completed", "Terminée"),
    ("DEFERRED", "Deferred", "Reportée"),
)
TASK_PRIORITIES = (
    ("NONE", "None", "Aucune"),
    ("LOW", "Low", "Basse"),
    ("MEDIUM", "Medium", "Moyenne"),
    ("HIGH", "High", "Haute"),
)
TASK_TYPES = (
    ("TODO", "To-do", "À faire"),
    ("CALL", "Call", "Appel"),
    ("EMAIL", "Email", "E-mail"),
    ("LINKED_IN", "LinkedIn", "LinkedIn"),
)

CALL_DIRECTIONS = (("INBOUND", "Inbound", "Entrant"), ("OUTBOUND", "Outbound", "Sortant"))
CALL_DISPOSITIONS = (
    ("9d9162e7-6cf3-4944-bf63-4dff82258764", "Busy", "Occupé"),
    ("f240bbac-87c9-4f6e-bf70-924b57d47db7", "Connected", "Connecté"),
    ("a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "Left live message", "Message laissé en direct"),
    ("b2cf5968-551e-4856-9783-52b3da59a7d0", "Left voicemail", "Message vocal laissé"),
    ("73a0d17f-1163-4015-bdd5-ec830791da20", "No answer", "Pas de réponse"),
    ("17b47fee-58de-441e-a44c-c6300d46f273", "Wrong number", "Mauvais numéro"),
)
CALL_STATUSES = tuple(
    (value, value.replace("_", " ").capitalize(), fr)
    for value, fr in (
        ("BUSY", "Occupé"),
        ("CALLING_CRM_USER", "Appel de l'utilisateur"),
        ("CANCELED", "Annulé"),
        ("COMPLETED", "Terminé"),
        ("CONNECTING", "Connexion"),
        ("FAILED", "Échec"),
        ("IN_PROGRESS", "En cours"),
        ("NO_ANSWER", "Pas de réponse"),
        ("QUEUED", "En file d'attente"),
        ("RINGING", "Sonnerie"),
    )
)
EMAIL_DIRECTIONS = (
    ("EMAIL", "Sent by a user", "Envoyé par un utilisateur"),
    ("INCOMING_EMAIL", "Reply from the contact", "Réponse du contact"),
    ("FORWARDED_EMAIL", "Forwarded", "Transféré"),
)
EMAIL_STATUSES = (
    ("BOUNCED", "Bounced", "Rejeté"),
    ("FAILED", "Failed", "Échec"),
    ("SCHEDULED", "Scheduled", "Programmé"),
    ("SENDING", "Sending", "En cours d'envoi"),
    ("SENT", "Sent", "Envoyé"),
)
MEETING_OUTCOMES = (
    ("SCHEDULED", "Scheduled", "Planifiée"),
    ("COMPLETED", "Completed", "Terminée"),
    ("RESCHEDULED", "Rescheduled", "Reprogrammée"),
    ("NO_SHOW", "No show", "Absent"),
    ("CANCELED", "Canceled", "Annulée"),
)
ACTIVITY_TYPES = (
    ("Discovery", "Discovery", "Découverte"),
    ("Demo", "Demo", "Démonstration"),
    ("Negotiation", "Negotiation", "Négociation"),
    ("Follow-up", "Follow-up", "Relance"),
)


def _activity_rollups():
    """Activity rollups (ACT-2) on contacts, companies and deals, kept by the services."""
    return [
        number(
            "num_notes",
            "Number of sales activities",
            "Nombre d'activités commerciales",
            read_only=True,
            calculated=True,
        ),
        number(
            "num_contacted_notes",
            "Number of times contacted",
            "Nombre de prises de contact",
            read_only=True,
            calculated=True,
        ),
        datetime(
            "notes_last_updated",
            "Last activity date",
            "Date de la dernière activité",
            read_only=True,
            calculated=True,
        ),
        datetime(
            "notes_last_contacted",
            "Last contacted",
            "Dernier contact",
            read_only=True,
            calculated=True,
        ),
        datetime(
            "hs_last_sales_activity_timestamp",
            "Last engagement date",
            "Date du dernier engagement",
            read_only=True,
            calculated=True,
        ),
    ]


def _address():
    return [
        text("address", "Street address", "Adresse postale"),
        text("city", "City", "Ville"),
        text("state", "State/Region", "État/Région"),
        text("zip", "Postal code", "Code postal"),
        text("country", "Country/Region", "Pays/Région"),
    ]


CONTACTS = [
    text("email", "Email", "E-mail", column="email", unique=True),
    text("firstname", "First name", "Prénom", column="firstname"),
    text("lastname", "Last name", "Nom", column="lastname"),
    phone("phone", "Phone number", "Numéro de téléphone"),
    phone("mobilephone", "Mobile phone number", "Numéro de téléphone portable"),
    phone("fax", "Fax number", "Numéro de fax"),
    text("company", "Company name", "Nom de l'entreprise"),
    text("website", "Website URL", "URL du site web"),
    text("jobtitle", "Job title", "Intitulé du poste"),
    *_address(),
    select(
        "lifecyclestage",
        "Lifecycle stage",
        "Phase du cycle de vie",
        LIFECYCLE_STAGES,
        column="lifecyclestage",
    ),
    select("hs_lead_status", "Lead status", "Statut du lead", LEAD_STATUSES),
    owner("Contact owner", "Propriétaire du contact"),
    textarea(
        "hs_additional_emails", "Additional email addresses", "Adresses e-mail supplémentaires"
    ),
    text(
        "hs_email_domain",
        "Email domain",
        "Domaine de l'e-mail",
        column="hs_email_domain",
        read_only=True,
        calculated=True,
    ),
    datetime("createdate", "Create date", "Date de création", column="created_at", read_only=True),
    datetime(
        "lastmodifieddate",
        "Last modified date",
        "Date de dernière modification",
        column="updated_at",
        read_only=True,
    ),
    record_id(),
    number(
        "associatedcompanyid",
        "Primary company ID",
        "ID de l'entreprise principale",
        read_only=True,
        calculated=True,
    ),
    number(
        "num_associated_deals",
        "Number of associated deals",
        "Nombre de transactions associées",
        read_only=True,
        calculated=True,
    ),
    number("hs_pinned_engagement_id", "Pinned engagement ID", "ID de l'engagement épinglé"),
    *_activity_rollups(),
]

COMPANIES = [
    text("name", "Company name", "Nom de l'entreprise", column="name"),
    text(
        "domain",
        "Company domain name",
        "Nom de domaine de l'entreprise",
        column="domain",
        unique=True,
    ),
    textarea("hs_additional_domains", "Additional domains", "Domaines supplémentaires"),
    select("industry", "Industry", "Secteur d'activité", INDUSTRIES),
    select("type", "Type", "Type", COMPANY_TYPES),
    phone("phone", "Phone number", "Numéro de téléphone"),
    text("website", "Website URL", "URL du site web"),
    text("address", "Street address", "Adresse postale"),
    text("address2", "Street address 2", "Adresse postale 2"),
    *_address()[1:],
    number("numberofemployees", "Number of employees", "Nombre d'employés"),
    number(
        "annualrevenue", "Annual revenue", "Chiffre d'affaires annuel", show_currency_symbol=True
    ),
    textarea("description", "Description", "Description"),
    text("timezone", "Time zone", "Fuseau horaire"),
    text("linkedin_company_page", "LinkedIn company page", "Page LinkedIn de l'entreprise"),
    select("lifecyclestage", "Lifecycle stage", "Phase du cycle de vie", LIFECYCLE_STAGES),
    owner("Company owner", "Propriétaire de l'entreprise"),
    datetime("createdate", "Create date", "Date de création", column="created_at", read_only=True),
    datetime(
        "hs_lastmodifieddate",
        "Last modified date",
        "Date de dernière modification",
        column="updated_at",
        read_only=True,
    ),
    record_id(),
    number(
        "num_associated_contacts",
        "Number of associated contacts",
        "Nombre de contacts associés",
        read_only=True,
        calculated=True,
    ),
    number(
        "num_associated_deals",
        "Number of associated deals",
        "Nombre de transactions associées",
        read_only=True,
        calculated=True,
    ),
    *_activity_rollups(),
]

DEALS = [
    text("dealname", "Deal name", "Nom de la transaction", column="dealname"),
    number("amount", "Amount", "Montant", column="amount", show_currency_symbol=True),
    Default(
        "dealstage",
        "enumeration",
        "select",
        "Deal stage",
        "Phase de la transaction",
        options_source="stages",
        column="dealstage",
    ),
    Default(
        "pipeline",
        "enumeration",
        "select",
        "Pipeline",
        "Pipeline",
        options_source="pipelines",
        column="pipeline",
    ),
    datetime("closedate", "Close date", "Date de fermeture", column="closedate"),
    select("dealtype", "Deal type", "Type de transaction", DEAL_TYPES),
    textarea("description", "Deal description", "Description de la transaction"),
    owner("Deal owner", "Propriétaire de la transaction"),
    select("hs_priority", "Priority", "Priorité", PRIORITIES_LOWER),
    datetime("createdate", "Create date", "Date de création", column="created_at", read_only=True),
    datetime(
        "hs_lastmodifieddate",
        "Last modified date",
        "Date de dernière modification",
        column="updated_at",
        read_only=True,
    ),
    record_id(),
    number(
        "hs_deal_stage_probability",
        "Deal probability",
        "Probabilité de la transaction",
        read_only=True,
        calculated=True,
    ),
    boolean(
        "hs_is_closed", "Is deal closed?", "Transaction fermée ?", read_only=True, calculated=True
    ),
    boolean("hs_is_closed_won", "Is closed won", "Fermée gagnée", read_only=True, calculated=True),
    number(
        "hs_projected_amount",
        "Weighted amount",
        "Montant pondéré",
        read_only=True,
        calculated=True,
        show_currency_symbol=True,
    ),
    number(
        "hs_forecast_amount", "Forecast amount", "Montant prévisionnel", show_currency_symbol=True
    ),
    number("hs_forecast_probability", "Forecast probability", "Probabilité prévisionnelle"),
    text("deal_currency_code", "Currency", "Devise"),
    number(
        "amount_in_home_currency",
        "Amount in company currency",
        "Montant dans la devise de l'entreprise",
        show_currency_symbol=True,
    ),
    textarea("closed_lost_reason", "Closed lost reason", "Motif de perte"),
    textarea("closed_won_reason", "Closed won reason", "Motif de gain"),
    number(
        "num_associated_contacts",
        "Number of associated contacts",
        "Nombre de contacts associés",
        read_only=True,
        calculated=True,
    ),
    text("hs_next_step", "Next step", "Prochaine étape"),
    *_activity_rollups(),
]


def _engagement(*specific):
    return [
        datetime("hs_timestamp", "Activity date", "Date de l'activité", column="hs_timestamp"),
        owner("Activity assigned to", "Activité attribuée à"),
        text("hs_attachment_ids", "Attachment IDs", "ID des pièces jointes"),
        datetime(
            "hs_createdate", "Create date", "Date de création", column="created_at", read_only=True
        ),
        datetime(
            "hs_lastmodifieddate",
            "Last modified date",
            "Date de dernière modification",
            column="updated_at",
            read_only=True,
        ),
        record_id(),
        *specific,
    ]


TASKS = _engagement(
    text("hs_task_subject", "Task title", "Titre de la tâche"),
    html("hs_task_body", "Notes", "Notes"),
    select("hs_task_status", "Task status", "Statut de la tâche", TASK_STATUSES),
    select("hs_task_priority", "Priority", "Priorité", TASK_PRIORITIES),
    select("hs_task_type", "Task type", "Type de tâche", TASK_TYPES),
    text("hs_task_reminders", "Reminder", "Rappel"),
    # Kept in step with hs_task_status by TaskBehavior (comptoir.activities.services).
    Default(
        "hs_pipeline",
        "enumeration",
        "select",
        "Pipeline",
        "Pipeline",
        options_source="pipelines",
    ),
    Default(
        "hs_pipeline_stage",
        "enumeration",
        "select",
        "Task stage",
        "Phase de la tâche",
        options_source="stages",
    ),
    datetime(
        "hs_task_completion_date", "Completed at", "Terminée le", read_only=True, calculated=True
    ),
)

NOTES = _engagement(html("hs_note_body", "Note body", "Corps de la note"))

CALLS = _engagement(
    text("hs_call_title", "Call title", "Titre de l'appel"),
    html("hs_call_body", "Call notes", "Notes d'appel"),
    select("hs_call_direction", "Call direction", "Sens de l'appel", CALL_DIRECTIONS),
    select("hs_call_disposition", "Call outcome", "Résultat de l'appel", CALL_DISPOSITIONS),
    number("hs_call_duration", "Call duration (ms)", "Durée de l'appel (ms)"),
    phone("hs_call_from_number", "From number", "Numéro appelant"),
    phone("hs_call_to_number", "To number", "Numéro appelé"),
    text("hs_call_recording_url", "Recording URL", "URL de l'enregistrement"),
    select("hs_call_status", "Call status", "Statut de l'appel", CALL_STATUSES),
    text("hs_call_source", "Call source", "Source de l'appel"),
    text("hs_call_callee_object_id", "Callee object ID", "ID de l'objet appelé"),
    text("hs_call_callee_object_type", "Callee object type", "Type de l'objet appelé"),
    select(
        "hs_activity_type", "Call and meeting type", "Type d'appel et de réunion", ACTIVITY_TYPES
    ),
)

_TRACKED = {"read_only": True, "calculated": True}

EMAILS = _engagement(
    select("hs_email_direction", "Email direction", "Sens de l'e-mail", EMAIL_DIRECTIONS),
    text("hs_email_subject", "Email subject", "Objet de l'e-mail"),
    textarea("hs_email_text", "Email body (text)", "Corps de l'e-mail (texte)"),
    html("hs_email_html", "Email body (HTML)", "Corps de l'e-mail (HTML)"),
    select("hs_email_status", "Email send status", "Statut d'envoi de l'e-mail", EMAIL_STATUSES),
    textarea("hs_email_headers", "Email headers", "En-têtes de l'e-mail"),
    # Tracking (comptoir/mail/events.py keeps them): a person's opens, clicks and replies.
    number("hs_email_open_count", "Number of opens", "Nombre d'ouvertures", **_TRACKED),
    number("hs_email_click_count", "Number of clicks", "Nombre de clics", **_TRACKED),
    number("hs_email_reply_count", "Number of replies", "Nombre de réponses", **_TRACKED),
    datetime("hs_email_last_open_date", "Last open date", "Date de dernière ouverture", **_TRACKED),
    datetime("hs_email_last_click_date", "Last click date", "Date du dernier clic", **_TRACKED),
    datetime(
        "hs_email_last_reply_date", "Last reply date", "Date de la dernière réponse", **_TRACKED
    ),
)

MEETINGS = _engagement(
    text("hs_meeting_title", "Meeting name", "Nom de la réunion"),
    html("hs_meeting_body", "Meeting description", "Description de la réunion"),
    html("hs_internal_meeting_notes", "Internal meeting notes", "Notes internes de la réunion"),
    text("hs_meeting_external_url", "External URL", "URL externe"),
    text("hs_meeting_location", "Location", "Lieu"),
    datetime("hs_meeting_start_time", "Start time", "Heure de début"),
    datetime("hs_meeting_end_time", "End time", "Heure de fin"),
    select("hs_meeting_outcome", "Meeting outcome", "Résultat de la réunion", MEETING_OUTCOMES),
    select(
        "hs_activity_type", "Call and meeting type", "Type d'appel et de réunion", ACTIVITY_TYPES
    ),
    # The users taking part (owner ids joined by ";"), such as a group meeting's members.
    Default(
        "hs_attendee_owner_ids",
        "enumeration",
        "checkbox",
        "Attendees",
        "Participants",
        options_source="owners",
        referenced_object_type="OWNER",
    ),
)
