"""What the preview's rows will be associated with: for each file linked to the main one by a
common column, the linked file's row with the same key, or a record already in the CRM, or
nothing; for a contacts-and-companies file, the company found or created.

The keys are normalised by comptoir.imports.links, as the engine does when it runs. A linked
file is read once, as a stream, looking only for the sample's keys, and no further than the
last of them: a 50 MB file is never held in memory."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.core.files import stored as stored_files
from comptoir.core.i18n import type_label
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import can_edit
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError
from comptoir.core.records.values import display_name
from comptoir.imports import files, links
from comptoir.imports.models import Mode
from comptoir.imports.values import CellConverter, owner_lookup


@dataclass
class Target:
    """What one row will be associated with through one link."""

    line: int | None = None  # the linked file's row
    label: str = ""  # that row's name (a company's name, a contact's full name...)
    record: str = ""  # an existing record's name (one the user may see: others are missing)
    url: str = ""
    new: bool = False  # created from this row (a contacts-and-companies file)
    empty: bool = False  # no value in the common column: nothing to associate
    error: str = ""


def link_columns(importer, user, rows) -> list[dict]:
    """One column per link: {"label", "problem", "targets": [Target per row]}; `rows` are
    the engine's converted rows of the sample."""
    columns = []
    one_file = "companies" in importer.object_types and importer.main != "companies"
    if one_file and importer.keys["companies"] is not None:
        columns.append(_company_column(importer, user, rows))
    imp = importer.imp
    owners = None
    for linked in imp.linked_files.order_by("pk"):
        label = _("%(object)s (%(file)s)") % {
            "object": type_label(linked.objects_choice, plural=False),
            "file": linked.file_name,
        }
        owners = owners if owners is not None else owner_lookup()
        try:
            link = links.link_to(imp, linked, owners)
        except links.LinkProblem as exc:
            columns.append({"label": label, "problem": str(exc), "targets": [None] * len(rows)})
            continue
        targets = _targets(importer, link, linked, user, rows, owners)
        columns.append({"label": label, "problem": "", "targets": targets})
    return columns


def _company_column(importer, user, rows) -> dict:
    """A contacts-and-companies file: each row's company, found by its domain (else name)
    or created from the row, as the engine's `companies_of` does."""
    ot, key = "companies", importer.keys["companies"]
    keys, targets = [], []
    for row in rows:
        value = None if row.failed else row.values[ot].get(key)
        try:
            canonical = links.key_value(ot, key, value)
        except PropertyError as exc:
            canonical, target = None, Target(error=exc.message)
        else:
            target = Target(empty=canonical is None)
        keys.append(canonical)
        targets.append(target)
    existing = _existing(importer, ot, key, {k for k in keys if k is not None}, user)
    for row, canonical, target in zip(rows, keys, targets, strict=True):
        if canonical is None:
            continue
        if canonical in existing:
            for name, value in existing[canonical].items():
                setattr(target, name, value)
        elif importer.mode != Mode.UPDATE:
            target.new = True
            target.label = str(row.values[ot].get("name") or canonical)
    return {"label": type_label(ot, plural=False), "problem": "", "targets": targets}


def _converter(imp, ot, key, owners) -> CellConverter:
    return CellConverter(
        registry.definitions(ot)[key],
        date_format=imp.date_format,
        decimal_comma=imp.decimal_comma,
        owners=owners,
    )


def _targets(importer, link, linked, user, rows, owners) -> list:
    """Each row's match through `link`: in the linked file, in the CRM, both or neither."""
    ot, key = link.to, link.key
    keys, targets = [], []
    for row in rows:
        try:
            canonical = link.canonical(links.cell(row.cells, link.index))
        except PropertyError as exc:
            keys.append(None)
            targets.append(Target(error=exc.message))
            continue
        keys.append(canonical)
        targets.append(Target(empty=canonical is None))
    wanted = {k for k in keys if k is not None}
    in_file = find_rows(linked, key, wanted, owners)
    existing = _existing(importer, ot, key, wanted, user)
    for canonical, target in zip(keys, targets, strict=True):
        if canonical is None:
            continue
        target.line, target.label = in_file.get(canonical, (None, ""))
        for name, value in existing.get(canonical, {}).items():
            setattr(target, name, value)
    return targets


def find_rows(linked, key, wanted: set, owners) -> dict:
    """{key: (line, name)} of the linked file's first row with each wanted key, read in one
    streaming pass that stops once every key is found."""
    ot = linked.objects_choice
    if not wanted or linked.common_column not in linked.header:
        return {}
    index = linked.header.index(linked.common_column)
    converter = _converter(linked, ot, key, owners)
    names = _name_columns(linked)
    found = {}
    rows = files.rows(
        stored_files.local_path(linked.file_path),
        files.FileInfo(
            file_format=linked.file_format,
            encoding=linked.encoding,
            delimiter=linked.delimiter,
            sheet=linked.sheet,
        ),
    )
    try:
        for line, cells in rows:
            raw = links.cell(cells, index)
            if line == 1 or raw is None or raw == "":
                continue
            try:
                canonical = links.key_value(ot, key, converter(raw))
            except PropertyError:
                continue  # the engine fails this row of the linked file: it matches nothing
            if canonical in wanted and canonical not in found:
                found[canonical] = (line, _row_name(ot, cells, names) or str(raw).strip())
                if len(found) == len(wanted):
                    break
    except files.FileProblem:
        pass  # the linked file's own page shows why it cannot be read
    finally:
        rows.close()
    return found


def _name_columns(linked) -> dict:
    """{property: column} of the linked file's columns that make up a record's name."""
    ot = get_object_type(linked.objects_choice)
    return {
        e["property"]: i
        for i, e in enumerate(linked.mapping)
        if e.get("object_type") == ot.name and e.get("property") in ot.display_properties
    }


def _row_name(ot, cells, names) -> str:
    """As records are named: a contact's first and last names (else email), a company's
    name (else domain)..."""
    value = {n: str(links.cell(cells, i) or "").strip() for n, i in names.items()}
    if ot == "contacts":
        full = " ".join(v for v in (value.get("firstname"), value.get("lastname")) if v)
        if full:
            return full
    return next((value[n] for n in get_object_type(ot).display_properties if value.get(n)), "")


def _existing(importer, ot, key, wanted, user) -> dict:
    """{key: Target fields} for the keys a live record the user may see has: its name and
    page. A record the user may not see is missing, as for the engine."""
    found = importer.existing(ot, key, wanted, user=user) if wanted else {}
    return {
        canonical: {
            "record": display_name(ot, record),
            "url": reverse(f"{ot}:detail", args=[record.pk]),
        }
        for canonical, record in found.items()
    }


def existing_records(importer, user, rows) -> list:
    """Each sample row's existing record the import would update (one the user may see and
    change), or None: a new record, or no key to match by."""
    ot, key = importer.main, importer.keys[importer.main]
    if key is None:
        return [None] * len(rows)
    keys = []
    for row in rows:
        try:
            value = None if row.failed else row.values[ot].get(key)
            keys.append(links.key_value(ot, key, value))
        except PropertyError:
            keys.append(None)
    found = importer.existing(ot, key, {k for k in keys if k is not None}, user=user)
    return [
        record if record is not None and can_edit(user, ot, record) else None
        for record in (found.get(k) if k is not None else None for k in keys)
    ]
