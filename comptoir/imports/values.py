"""Cells as spreadsheets write them → values the record services accept.

Each property kind reads its own cells (PropertyKind.import_cell, with the parsers of
core/properties/cells.py: dates in the order the user chose, decimal commas); this
module loads what they look values up in once per file: enumeration labels in English
or French, owners by email or name. The services validate the result as for any other
caller."""

from comptoir.core.pipelines.queries import pipeline_labels, stages
from comptoir.core.properties.cells import DATE_FORMATS, fold, parse_number_cell
from comptoir.core.properties.errors import PropertyError
from comptoir.users.models import Owner

# DATE_FORMATS, fold and parse_number_cell are read from here by the import pages.
__all__ = [
    "DATE_FORMATS",
    "CellConverter",
    "fold",
    "option_labels",
    "owner_lookup",
    "parse_number_cell",
]


class CellConverter:
    """Converts the cells of one property, with the lookups it needs loaded once."""

    def __init__(self, defn, *, date_format: str, decimal_comma: bool, owners: dict, labels=None):
        self.defn = defn
        self.date_format = date_format
        self.decimal_comma = decimal_comma
        self.owners = owners
        self.labels = labels if labels is not None else option_labels(defn)
        self.convert = self._kind_converter(defn)  # chosen once, not per cell

    def __call__(self, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.convert(value)

    def _kind_converter(self, defn):
        if defn.options_source == "owners":
            return self._owner
        kind = defn.kind
        return lambda value: kind.import_cell(defn, value, self)

    def _owner(self, value):
        key = str(value).strip().lower()
        found = self.owners.get(key) or self.owners.get(fold(key))
        if found is None:
            raise PropertyError(
                self.defn.name,
                "UNKNOWN_OWNER",
                f"no user or owner matches {value!r} (use their email address)",
                value,
            )
        return found


def option_labels(defn) -> dict:
    """{folded label or value: option value} in both languages."""
    result = {}
    if defn.options_source == "stages":
        for stage in stages(defn.object_type).values():
            for text in (stage.label, stage.label_fr):
                if text:
                    result.setdefault(fold(text), stage.stage_id)
        return result
    if defn.options_source == "pipelines":
        for french in (False, True):
            for pid, label in pipeline_labels(defn.object_type, french=french).items():
                result.setdefault(fold(label), pid)
        return result
    for option in defn.options or ():
        for text in (option.get("label"), option.get("label_fr")):
            if text:
                result.setdefault(fold(text), option["value"])
    for option in defn.options or ():
        result[fold(option["value"])] = option["value"]
    return result


def owner_lookup() -> dict:
    """{email, id or folded full name: owner id}."""
    result = {}
    for owner in Owner.objects.filter(archived=False):
        result[str(owner.pk)] = str(owner.pk)
        if owner.email:
            result[owner.email.lower()] = str(owner.pk)
        full = f"{owner.first_name} {owner.last_name}".strip()
        if full:
            result.setdefault(fold(full), str(owner.pk))
    return result
