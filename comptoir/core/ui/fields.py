"""Form fields built from property definitions, and submitted text turned into the values
the services accept. Validation itself stays in the services (one set of rules)."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from comptoir.core.pipelines.queries import stages
from comptoir.core.properties.models import PropertyType
from comptoir.core.ui.formatting import (
    babel_locale,
    option_label,
    owner_names,
    pipeline_names,
    stage_label,
)

CREATE_FIELDS = {
    "contacts": [
        "email",
        "firstname",
        "lastname",
        "jobtitle",
        "phone",
        "hubspot_owner_id",
        "lifecyclestage",
        "hs_lead_status",
    ],
    "companies": [
        "domain",
        "name",
        "hubspot_owner_id",
        "industry",
        "type",
        "city",
        "country",
        "phone",
    ],
    "deals": [
        "dealname",
        "pipeline",
        "dealstage",
        "amount",
        "closedate",
        "hubspot_owner_id",
        "dealtype",
        "hs_priority",
    ],
    "tasks": [
        "hs_task_subject",
        "hs_timestamp",
        "hs_task_type",
        "hs_task_priority",
        "hubspot_owner_id",
        "hs_task_body",
    ],
}


@dataclass
class Field:
    defn: object
    value: str  # what the input shows
    widget: str  # text, email, tel, number, date, datetime-local, select, textarea
    choices: list  # [(value, label)] for select
    error: str = ""

    @property
    def name(self):
        return self.defn.name

    @property
    def label(self):
        french = babel_locale().startswith("fr")
        return self.defn.label_fr if french and self.defn.label_fr else self.defn.label

    @property
    def input_id(self):
        return f"field-{self.defn.name}"


def choices_for(defn) -> list[tuple[str, str]]:
    if defn.options_source == "owners":
        return sorted(owner_names().items(), key=lambda item: item[1].lower())
    if defn.options_source == "stages":
        return [(sid, stage_label(s)) for sid, s in stages(defn.object_type).items()]
    if defn.options_source == "pipelines":
        return list(pipeline_names(defn.object_type).items())
    if defn.type == PropertyType.BOOL:
        return [("true", _("Yes")), ("false", _("No"))]
    return [
        (o["value"], option_label(defn, o["value"])) for o in defn.options if not o.get("hidden")
    ]


def widget_for(defn) -> str:
    if defn.type in (PropertyType.ENUMERATION, PropertyType.BOOL):
        return "select"
    if defn.type == PropertyType.NUMBER:
        return "number"
    if defn.type == PropertyType.DATE:
        return "date"
    if defn.type == PropertyType.DATETIME:
        return "datetime-local"
    if defn.field_type in ("textarea", "html"):
        return "textarea"
    if defn.field_type == "phonenumber":
        return "tel"
    if defn.name == "email":
        return "email"
    return "text"


def input_value(defn, canonical, tz: str) -> str:
    """Canonical value → what an <input> of this widget shows."""
    if canonical is None:
        return ""
    if defn.type == PropertyType.DATETIME:
        moment = dt.datetime.fromisoformat(str(canonical)).astimezone(zoneinfo.ZoneInfo(tz))
        return moment.strftime("%Y-%m-%dT%H:%M")
    if defn.type == PropertyType.BOOL:
        return "true" if canonical in (True, "true") else "false"
    if isinstance(canonical, float) and canonical.is_integer():
        return str(int(canonical))
    return str(canonical)


def make_field(defn, canonical, tz: str, error: str = "") -> Field:
    return Field(
        defn=defn,
        value=input_value(defn, canonical, tz),
        widget=widget_for(defn),
        choices=choices_for(defn) if widget_for(defn) == "select" else [],
        error=error,
    )


def submitted_value(defn, raw: str | None, tz: str):
    """Text from a form → a value for the services ("" clears; local times get the zone)."""
    if raw is None:
        return None
    text = raw.strip() if defn.type != PropertyType.STRING else raw
    if text == "":
        return ""
    if defn.type == PropertyType.DATETIME:
        try:
            naive = dt.datetime.fromisoformat(text)
        except ValueError:
            return text  # the service names the problem
        if naive.tzinfo is None:
            naive = naive.replace(tzinfo=zoneinfo.ZoneInfo(tz))
        return naive.isoformat()
    if defn.type == PropertyType.NUMBER:
        return text.replace("\u202f", "").replace(" ", "").replace(",", ".")
    return text
