"""The record pages' inputs are the property kinds' Django form fields (core/ui/fields.py):
records/_field.html writes no input of its own, each field renders its kind's widget with
the page's id, value and error state, and what a form sends is cleaned by that field."""

from pathlib import Path

import pytest
from django.conf import settings

from comptoir.core.testing.html import form_fields, select, select_one
from comptoir.core.tests.test_property_kinds_parity import DEFINITIONS
from comptoir.core.ui.fields import make_field, submitted_value

TZ = "Europe/Paris"


def test_the_field_template_writes_no_input_of_its_own():
    text = (Path(settings.BASE_DIR) / "templates" / "records" / "_field.html").read_text("utf-8")
    assert "{{ field.input_html }}" in text
    assert not any(tag in text for tag in ("<input", "<select", "<textarea"))


@pytest.mark.parametrize("defn", DEFINITIONS, ids=lambda d: d.name)
def test_each_field_renders_its_kind_widget(defn, db):
    field = make_field(defn, None, TZ, error="Enter a number.")
    node = select_one(str(field.input_html), f"#field-{defn.name}")
    widget = defn.kind.widget(defn)
    assert node.get("name") == defn.name
    assert (node.get("aria-invalid"), node.get("aria-describedby")) == (
        "true",
        f"field-{defn.name}-error",
    )
    if widget in ("select", "textarea"):
        assert node.tag == widget
    else:
        assert (node.tag, node.get("type")) == ("input", widget)
        assert (node.get("step") == "any") == (widget == "number")
    if widget == "select":
        options = select(node, "option")
        assert (options[0].get("value"), options[0].text) == ("", "—")
        assert [(o.get("value"), o.text) for o in options[1:]] == [
            (str(v), str(label)) for v, label in field.choices
        ]


@pytest.mark.parametrize("defn", DEFINITIONS, ids=lambda d: d.name)
def test_each_field_shows_its_value_and_no_error_state_without_one(defn, db):
    field = make_field(defn, None, TZ)
    field.value = field.choices[0][0] if field.choices else "1"
    html = str(field.input_html)
    # A select shows only its options ("—" when the value is none of them).
    shown = "" if field.widget == "select" and not field.choices else field.value
    assert form_fields(html) == {defn.name: shown}
    assert "aria-invalid" not in html
    assert submitted_value(defn, None, TZ) is None
