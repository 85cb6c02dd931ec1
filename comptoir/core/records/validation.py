"""Checking values before a record is written: coercion of the caller's values to their
stored form, required properties and unique values. Saves nothing."""

from comptoir.core.accounts import owner_model
from comptoir.core.pipelines.queries import pipeline_ids, stages
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import coerce
from comptoir.core.properties.errors import DuplicateValue, PropertyError
from comptoir.core.properties.expressions import prop_expression
from comptoir.core.records.values import base_queryset, read_value, stored_form


def option_values(defn):
    """Allowed values of an enumeration whose options live elsewhere (owners, pipelines)."""
    source = defn.options_source
    if source == "owners":
        return active_owner_ids()
    if source == "stages":
        return stages(defn.object_type).keys()
    if source == "pipelines":
        return pipeline_ids(defn.object_type)
    return None


def active_owner_ids() -> set[str]:
    return registry.cached(
        "owners",
        lambda: {
            str(pk)
            for pk in owner_model().objects.filter(archived=False).values_list("pk", flat=True)
        },
    )


def validate(ot, properties: dict, *, allow_read_only: bool = False) -> tuple[dict, list]:
    """Coerce caller values; returns ({name: canonical}, [PropertyError]). Saves nothing."""
    return Validator(ot, allow_read_only=allow_read_only)(properties)


class Validator:
    """`validate` for the rows of one write: the definitions and the allowed options of
    enumerations are looked up once, not per row and property (the bulk path's hot loop)."""

    def __init__(self, ot, *, allow_read_only: bool = False):
        self.ot = ot
        self.defs = registry.definitions(ot)
        self.allow_read_only = allow_read_only
        self.options: dict = {}  # {name: allowed values} of the properties seen

    def option_values(self, defn):
        try:
            return self.options[defn.name]
        except KeyError:
            found = self.options[defn.name] = option_values(defn)
            return found

    def __call__(self, properties: dict) -> tuple[dict, list]:
        defs, ot = self.defs, self.ot
        values: dict = {}
        errors: list[PropertyError] = []
        if not isinstance(properties, dict):
            error = PropertyError("properties", "INVALID_TYPE", "properties must be an object")
            return values, [error]
        for name, raw in properties.items():
            defn = defs.get(name) if isinstance(name, str) else None
            if defn is None:
                errors.append(
                    PropertyError(
                        str(name),
                        "PROPERTY_DOESNT_EXIST",
                        f'Property "{name}" does not exist on {ot.name}',
                        name,
                    )
                )
                continue
            if defn.read_only_value and not self.allow_read_only:
                continue  # computed by Comptoir: HubSpot ignores callers' values too
            try:
                values[name] = stored_form(defn, coerce(defn, raw, self.option_values(defn)))
            except PropertyError as exc:
                errors.append(exc)
        return values, errors


def check_required(ot, values: dict, errors: list, record=None) -> None:
    def present(name):
        if name in values:
            return values[name] is not None
        if record is None:
            return False
        return read_value(record, registry.definitions(ot)[name]) is not None

    for name in ot.required_all:
        if not present(name):
            errors.append(PropertyError(name, "REQUIRED", f'"{name}" is required'))
    if ot.required_any and not any(present(n) for n in ot.required_any):
        names = " or ".join(ot.required_any)
        errors.append(PropertyError(ot.required_any[0], "REQUIRED", f"{names} is required"))


def check_unique(ot, values: dict, record=None, user=None) -> None:
    """DuplicateValue for a unique value another record holds (naming that record only
    when `user` may see it; user None: a system caller, told everything)."""
    defs = registry.definitions(ot)
    for name, value in values.items():
        defn = defs[name]
        if not defn.has_unique_value or value is None:
            continue
        qs = base_queryset(ot).alias(_v=prop_expression(ot, defn)).filter(_v=value)
        if record is not None and record.pk:
            qs = qs.exclude(pk=record.pk)
        existing = qs.values_list("pk", flat=True).first()
        if existing is not None:
            raise DuplicateValue(ot, name, value, shown_id(ot, existing, user))


def shown_id(ot, existing_id: int, user) -> int | None:
    """The id of a record holding a taken value, or None when `user` may not see it."""
    if user is None or base_queryset(ot, user=user).filter(pk=existing_id).exists():
        return existing_id
    return None
