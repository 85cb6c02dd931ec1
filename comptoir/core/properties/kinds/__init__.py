"""One class per property kind (issue 20): everything that depends on a property's type.

`PropertyDefinition.kind` is the kind of a definition; callers ask it
(`defn.kind.coerce(...)`, `defn.kind.display(...)`) instead of comparing `defn.type`.
A new property type is one class here, registered in KINDS; a code-style test keeps type
comparisons out of every other module.

What a kind knows: API coercion and string form (`coerce`, `api_string`), SQL (`json_sql`,
`pg_cast`, `output_field`, `free_text`), real columns (`to_column`, `from_column`),
search filter values (`filter_value`), forms (`widget`, `choices`, `form_field`,
`input_value`, `submitted`), display (`display`, `filter_text`), import cells
(`import_cell`), and its labels and rules in settings (`settings_choices`, `field_types`,
`may_be_unique`, `takes_options`, `fixed_options`).
"""

from comptoir.core.properties.kinds.base import PropertyKind
from comptoir.core.properties.kinds.choice import BoolKind, EnumerationKind
from comptoir.core.properties.kinds.dates import DateKind, DateTimeKind
from comptoir.core.properties.kinds.number import NumberKind
from comptoir.core.properties.kinds.text import PhoneNumberKind, StringKind

# In PropertyType's order: error messages and the settings list follow it.
KINDS: dict[str, PropertyKind] = {
    kind.name: kind
    for kind in (
        StringKind(),
        NumberKind(),
        DateKind(),
        DateTimeKind(),
        EnumerationKind(),
        BoolKind(),
        PhoneNumberKind(),
    )
}
UNKNOWN = PropertyKind()  # a type this version does not know: plain text, refused on write


def kind_for(type_name: str) -> PropertyKind:
    """The kind of a property type (PropertyDefinition.type)."""
    return KINDS.get(type_name, UNKNOWN)


def settings_choices() -> list[tuple]:
    """Settings' "Field type" list: (key, label, type, field type), kind by kind."""
    return [
        (key, label, kind.name, field_type)
        for kind in KINDS.values()
        for key, label, field_type in kind.settings_choices
    ]


def field_type_label(defn) -> str:
    """What Settings calls a property's kind: the choice that creates it or, for default
    properties pairing types and field types more freely (a phone number kept as text),
    the one with its field type; the type's name when none fits."""
    choices = settings_choices()
    for _key, text, kind, field_type in choices:
        if defn.type == kind and defn.field_type == field_type:
            return str(text)
    for _key, text, _kind, field_type in choices:
        if defn.field_type == field_type:
            return str(text)
    return defn.type
