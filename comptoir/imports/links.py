"""Several files joined by a common column (HubSpot's "multiple files with associations").

A linked file (say companies) is imported first. Its common column is mapped to a property
that finds one record (domain, name, record ID, a unique property). Each row of the main
file (say contacts) is then associated with the record whose property has the value of the
row's own common column: created by the linked file or there already (and visible to the
importer), as in HubSpot. A row whose value finds nothing is imported without the
association, with a warning."""

from dataclasses import dataclass

from comptoir.core.inputs import check_text, parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import coerce, normalize_domain
from comptoir.core.properties.errors import PropertyError
from comptoir.core.records.validation import option_values
from comptoir.imports.mapping import identifies
from comptoir.imports.values import CellConverter

NOT_FOUND = "ASSOCIATION_NOT_FOUND"


def key_value(ot, key, value):
    """The canonical form records are looked up by (a normalised email, domain...): the
    same for a row's own key, a common column and the preview's matches."""
    if value is None:
        return None
    if key == "hs_object_id":
        record_id = parse_id(str(value))
        if record_id is None:  # not an id, or past any id: no lookup
            raise PropertyError(key, "INVALID_OBJECT_ID", f"{value!r} is not a record id", value)
        return record_id
    if key == "name":
        return check_text(key, str(value).strip())
    if key == "email":
        # The lookup form; the service validates the address when it writes the row.
        return check_text(key, str(value).strip().lower())
    if key == "domain":
        return normalize_domain(str(value))
    defn = registry.definitions(ot)[key]
    return coerce(defn, value, option_values(defn))


class LinkProblem(ValueError):
    """A common column that cannot join two files (shown to the user, naming it)."""


@dataclass
class Link:
    """The main file's side of one linked file."""

    to: str  # the linked file's object type
    key: str  # the property the linked file's common column is mapped to
    index: int  # the main file's common column
    column: str
    file_name: str
    converter: CellConverter
    type_id: int | None = None

    def resolve(self, importer, rows, outcome) -> None:
        """Set `row.links[to]` to the id of each row's matching record, or warn."""
        wanted = {}
        for row in rows:
            if row.failed:
                continue
            raw = cell(row.cells, self.index)
            try:
                canonical = self.canonical(raw)
            except PropertyError as exc:
                importer.fail(row, outcome, self.to, exc, column=self.column, value=raw)
                continue
            if canonical is not None:
                wanted[row.line] = (row, canonical, raw)
        # Only the ids are needed: no record is loaded.
        values = {c for _, c, _ in wanted.values()}
        # A record the importer may not see is missing: never linked, never named.
        found = importer.existing(self.to, self.key, values, ids_only=True, user=importer.user)
        for row, canonical, raw in wanted.values():
            pk = found.get(canonical)
            if pk is not None:
                row.links[self.to] = pk
            else:
                error = self.missing(raw)
                importer.warn(row, outcome, self.to, error, column=self.column, value=raw)

    def canonical(self, raw):
        """The main file's cell in the form the linked records are looked up by."""
        return key_value(self.to, self.key, self.converter(raw))

    def missing(self, raw) -> PropertyError:
        singular = get_object_type(self.to).singular
        return PropertyError(
            self.key,
            NOT_FOUND,
            f"no {singular} has this {self.key} (in {self.file_name} or already in the CRM): "
            f"the row is imported without its {singular}",
            raw,
        )


def cell(cells, index):
    return cells[index] if index < len(cells) else None


def linked_key(linked) -> str:
    """The property the linked file's common column is mapped to, checked."""
    ot = linked.objects_choice
    entry = next((e for e in linked.mapping if e["column"] == linked.common_column), None)
    if not linked.common_column or entry is None:
        raise LinkProblem(f"choose the common column of {linked.file_name}")
    name = entry.get("property")
    if not name or entry.get("object_type") != ot or not identifies(ot, name):
        singular = get_object_type(ot).singular
        raise LinkProblem(
            f"the common column “{linked.common_column}” of {linked.file_name} must be mapped "
            f"to a property that identifies a {singular} (such as its domain name, name, "
            "record ID or a unique property)"
        )
    return name


def main_index(imp, linked) -> int:
    """The position of the main file's common column with a linked file, checked."""
    if linked.main_column not in imp.header:
        raise LinkProblem(f"choose the column of {imp.file_name} that matches {linked.file_name}")
    return imp.header.index(linked.main_column)


def check(imp) -> None:
    for linked in imp.linked_files.all():
        linked_key(linked)
        main_index(imp, linked)


def file_links(imp, owners) -> list[Link]:
    """The main file's links to its linked files (none for a one-file import)."""
    return [link_to(imp, linked, owners) for linked in imp.linked_files.order_by("pk")]


def link_to(imp, linked, owners) -> Link:
    """The main file's link to one linked file, checked (LinkProblem names what is missing)."""
    key = linked_key(linked)
    index = main_index(imp, linked)
    defn = registry.definitions(linked.objects_choice)[key]
    converter = CellConverter(
        defn, date_format=imp.date_format, decimal_comma=imp.decimal_comma, owners=owners
    )
    return Link(
        to=linked.objects_choice,
        key=key,
        index=index,
        column=linked.main_column,
        file_name=linked.file_name,
        converter=converter,
        type_id=linked.association_type_id,
    )
