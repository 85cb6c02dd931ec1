"""The failed rows of an import as a file to fix and import again: the original columns
in the original order, plus an error column, in the file's own delimiter. Texts a
spreadsheet would run as formulas are guarded (comptoir.imports.formulas) and the importer
takes the guard off, so the file imports back to the values of the original file."""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.core.i18n import is_english
from comptoir.core.properties import registry
from comptoir.core.properties.errors import FIELD_ERRORS, PropertyError
from comptoir.imports.files import DELIMITERS
from comptoir.imports.formulas import NumberText, csv_row
from comptoir.imports.models import Import
from comptoir.imports.values import parse_number_cell

ERROR_COLUMN = "Error"
IMPORT_ERRORS = {
    "UNKNOWN_OWNER": _("No user has this email address: the owner is unknown."),
    "NOT_ALLOWED": _("You may not change this existing record."),
    "CREATE_ONLY_IMPORT_EXISTING_OBJECT": _(
        "This record exists already and the import creates new records only."
    ),
    "UPDATE_ONLY_IMPORT_NO_MATCH": _(
        "No existing record matches and the import updates records only."
    ),
    "DUPLICATE_ROW": _("This row repeats an earlier row that could not be imported."),
    "INVALID_OBJECT_ID": _("This is not a record ID."),
    "ASSOCIATION_NOT_FOUND": _(
        "No record of the other file or of the CRM has this value: "
        "the row was imported without the association."
    ),
}


def reason_text(failure) -> str:
    """The reason in the active language: English keeps the engine's detailed message."""
    return reason_for(failure.error_type, failure.reason)


def reason_for(code: str, message: str) -> str:
    """Why a value or row was refused, in the active language (the engine's messages are
    English; other languages get the translated text of the error's code)."""
    if is_english():
        return message
    text = IMPORT_ERRORS.get(code) or FIELD_ERRORS.get(code)
    return str(text) if text else message


def failure_text(column: str, code: str, message: str) -> str:
    """A row's error as the preview and the error report both say it: its column, then
    why, in the active language."""
    where = gettext("%(column)s: ") % {"column": column} if column else ""
    return f"{where}{reason_for(code, message)}"


def error_rows(imp: Import):
    """Yield the errors file line by line (UTF-8 with a BOM, which Excel needs)."""
    delimiter = DELIMITERS.get(imp.delimiter, ",") if imp.file_format == "CSV" else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(csv_row([*imp.header, ERROR_COLUMN]))
    yield "\ufeff" + flush()
    numbers = _number_columns(imp)
    failures = imp.failures.filter(skipped=False, warning=False).order_by("line", "id")
    for failure in failures.iterator(chunk_size=1000):
        cells = list(failure.row) + [""] * max(0, len(imp.header) - len(failure.row))
        for index in numbers:
            number = _number(cells[index], imp.decimal_comma) if index < len(cells) else None
            if number is not None:
                cells[index] = NumberText(str(cells[index]), number)
        line = gettext("line %(line)s") % {"line": failure.line}
        text = failure_text(failure.column, failure.error_type, failure.reason)
        writer.writerow(csv_row([*cells, f"{text} ({line})"]))
        yield flush()


def _number_columns(imp: Import) -> list[int]:
    """The columns mapped to number properties: a number there is data, never a formula."""
    columns = []
    for index, entry in enumerate(imp.mapping):
        ot, name = entry.get("object_type"), entry.get("property")
        defn = registry.definitions(ot).get(name) if ot in imp.object_types and name else None
        if defn is not None and defn.kind.numeric:
            columns.append(index)
    return columns


def _number(cell, decimal_comma: bool) -> Decimal | None:
    if cell is None or cell == "":
        return None
    try:
        return Decimal(str(parse_number_cell(cell, decimal_comma, "")))
    except PropertyError:
        return None
