"""Form fields built from property definitions, and submitted text turned into the values
the services accept. Validation itself stays in the services (one set of rules)."""

from dataclasses import dataclass

from comptoir.core.i18n import localised_label
from comptoir.core.pipelines.queries import stages
from comptoir.core.ui.formatting import option_label, owner_names, pipeline_names, stage_label


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
        return localised_label(self.defn)

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
    return defn.kind.choices(defn, option_label)


def widget_for(defn) -> str:
    return defn.kind.widget(defn)


def input_value(defn, canonical, tz: str) -> str:
    """Canonical value → what an <input> of this widget shows."""
    if canonical is None:
        return ""
    return defn.kind.input_value(defn, canonical, tz)


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
    text = raw.strip() if defn.kind.strips_submitted else raw
    if text == "":
        return ""
    return defn.kind.submitted(defn, text, tz)
