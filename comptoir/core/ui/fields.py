"""The record pages' form fields (create dialog, inline edit, association cards, composer,
task dialog): each property's input is its kind's Django form field (the widget it renders,
the cleaning of what it sends: `PropertyKind.form_field`). Validation itself stays in the
services (one set of rules)."""

from dataclasses import dataclass

from django import forms
from django.utils.safestring import SafeString

from comptoir.core.i18n import localised_label
from comptoir.core.pipelines.queries import stages
from comptoir.core.properties.formatting import (
    option_label,
    owner_names,
    pipeline_names,
    stage_label,
)
from comptoir.core.properties.kinds.base import html_widget


def render_input(widget: forms.Widget, name: str, input_id: str, value, error) -> SafeString:
    """records/_field.html's input: the widget with the page's id, and the error it shows."""
    attrs = {"id": input_id}
    if error:
        attrs |= {"aria-invalid": "true", "aria-describedby": f"{input_id}-error"}
    return widget.render(name, value, attrs)


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

    def form_field(self, tz: str = "UTC") -> forms.Field:
        """The property kind's Django form field, with this field's choices."""
        return self.defn.kind.form_field(self.defn, choices=self.choices, tz=tz)

    @property
    def input_html(self) -> SafeString:
        return render_input(
            self.form_field().widget, self.name, self.input_id, self.value, self.error
        )


def choices_for(defn) -> list[tuple[str, str]]:
    if defn.options_source == "owners":
        return sorted(owner_names().items(), key=lambda item: item[1].lower())
    if defn.options_source == "stages":
        return [(sid, stage_label(s)) for sid, s in stages(defn.object_type).items()]
    if defn.options_source == "pipelines":
        return list(pipeline_names(defn.object_type).items())
    return defn.kind.choices(defn, option_label)


def input_value(defn, canonical, tz: str) -> str:
    """Canonical value → what an <input> of this widget shows."""
    if canonical is None:
        return ""
    return defn.kind.input_value(defn, canonical, tz)


def make_field(defn, canonical, tz: str, error: str = "") -> Field:
    widget = defn.kind.widget(defn)
    return Field(
        defn=defn,
        value=input_value(defn, canonical, tz),
        widget=widget,
        choices=choices_for(defn) if widget == "select" else [],
        error=error,
    )


def submitted_value(defn, raw: str | None, tz: str):
    """Text from a form → a value for the services, cleaned by the kind's form field ("" clears;
    local times get the zone); None when the form did not send the field."""
    if raw is None:
        return None
    return defn.kind.form_field(defn, tz=tz).clean(raw)


def input_html(widget: str, name: str, input_id: str, value, choices, error) -> SafeString:
    """The input of a field that is not a property's (the composer's duration)."""
    return render_input(html_widget(widget, choices), name, input_id, value, error)
