"""The property kinds (core/properties/kinds): one per type, reached from the definition,
and a real Django form field per kind that agrees with the UI's inputs."""

import pytest

from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.formatting import format_value
from comptoir.core.properties.kinds import KINDS, UNKNOWN, kind_for
from comptoir.core.properties.models import PropertyDefinition, PropertyType
from comptoir.core.tests.test_property_kinds_parity import DEFINITIONS, VALUES

TZ = "Europe/Paris"


def test_each_stored_type_has_its_kind():
    assert list(KINDS) == PropertyType.values
    for name, kind in KINDS.items():
        assert kind.name == name
        assert PropertyDefinition(type=name).kind is kind  # one object per type


def test_a_type_this_version_does_not_know_reads_as_text_and_is_refused_on_write():
    defn = PropertyDefinition(name="odd", type="colour", field_type="text")
    assert defn.kind is UNKNOWN is kind_for("colour")
    assert format_value(defn, "blue") == "blue"
    with pytest.raises(PropertyError) as refused:
        defn.kind.coerce(defn, "blue")
    assert refused.value.code == "INVALID_TYPE"


@pytest.mark.parametrize("defn", DEFINITIONS, ids=lambda d: d.name)
def test_the_form_field_clears_on_blank_and_strips_as_its_kind_says(defn):
    """What the form field makes of each typed value is recorded in the parity test's golden
    file (the UI's submitted values are the field's cleaning); here, blanks and spaces."""
    field = defn.kind.form_field(defn, tz=TZ)
    assert field.clean("") == "" and field.clean(None) == ""
    typed = [v for v in VALUES if isinstance(v, str) and v.strip()]
    padded = [field.clean(f"  {text} ") for text in typed]
    if defn.kind.strips_submitted:
        assert padded == [field.clean(text) for text in typed]
    else:
        assert padded == [defn.kind.submitted(defn, f"  {text} ", TZ) for text in typed]


@pytest.mark.parametrize("defn", DEFINITIONS, ids=lambda d: d.name)
def test_the_form_field_shows_the_ui_input(defn):
    field = defn.kind.form_field(defn, choices=[("a", "A")], tz=TZ)
    html = field.widget.render(defn.name, "")
    widget = defn.kind.widget(defn)
    if widget == "select":
        assert html.startswith("<select") and '<option value="a">A</option>' in html
    elif widget == "textarea":
        assert html.startswith("<textarea")
    else:
        assert f'type="{widget}"' in html
        assert ('step="any"' in html) == (widget == "number")
    assert not field.required
