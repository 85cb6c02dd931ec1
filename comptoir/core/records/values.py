"""Reading and writing property values on a record, whichever storage they live in."""

from decimal import Decimal

from comptoir.core.objects.registry import ObjectType, get_object_type
from comptoir.core.permissions import visible
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import to_api_string


def base_queryset(object_type, *, archived: bool | None = False, user=None):
    """All records of one object type (activities share a table, so filter by type).

    With `user`, only those the user may see (comptoir.core.permissions): every read of
    the UI and the API passes its user here."""
    ot = get_object_type(object_type)
    qs = ot.model.objects.all()
    if ot.is_activity:
        qs = qs.filter(object_type_name=ot.name)
    if archived is not None:
        qs = qs.filter(archived=archived)
    if user is not None:
        qs = visible(qs, user, ot)
    return qs


def column_to_canonical(defn, value):
    return defn.kind.from_column(defn, value)


def canonical_to_column(defn, value):
    return defn.kind.to_column(defn, value)


def read_value(record, defn):
    """The canonical value of one property on a record (None when empty)."""
    if defn.column:
        return column_to_canonical(defn, getattr(record, _attname(defn)))
    return record.properties.get(defn.name)


def write_value(record, defn, value) -> None:
    if defn.column:
        setattr(record, _attname(defn), canonical_to_column(defn, value))
    elif value is None:
        record.properties.pop(defn.name, None)
    else:
        record.properties[defn.name] = value


def _attname(defn) -> str:
    return "pk" if defn.column == "id" else defn.column


def stored_form(defn, value):
    """What a value becomes once stored (a 2-decimal column rounds), so history matches reads."""
    if value is None or not defn.column:
        return value
    column_value = canonical_to_column(defn, value)
    if isinstance(column_value, Decimal):
        column_value = column_value.quantize(Decimal("0.01"))
    return column_to_canonical(defn, column_value)


def api_properties(object_type: "str | ObjectType", record, names=None) -> dict:
    """{name: HubSpot string or None} for the requested (or default) properties."""
    ot = get_object_type(object_type)
    defs = registry.definitions(ot)
    wanted = names if names is not None else ot.default_properties
    result = {}
    for name in wanted:
        defn = defs.get(name)
        if defn is not None:
            result[name] = to_api_string(defn, read_value(record, defn))
    return result


def display_name(object_type, record) -> str:
    ot = get_object_type(object_type)
    defs = registry.definitions(ot)
    if ot.name == "contacts":
        full = " ".join(v for v in (record.firstname, record.lastname) if v).strip()
        return full or record.email or f"#{record.pk}"
    for name in ot.display_properties:
        value = read_value(record, defs[name]) if name in defs else None
        if value:
            return str(value)
    return f"#{record.pk}"
