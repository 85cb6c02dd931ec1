"""The failed rows of an import as a file to fix and import again: the original columns
in the original order, plus an error column, in the file's own delimiter."""

import csv
import io

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.core.ui.phrases import FIELD_ERRORS
from comptoir.imports.files import DELIMITERS
from comptoir.imports.models import Import

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
    if (translation.get_language() or "en").startswith("en"):
        return failure.reason
    text = IMPORT_ERRORS.get(failure.error_type) or FIELD_ERRORS.get(failure.error_type)
    return str(text) if text else failure.reason


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

    writer.writerow([*imp.header, ERROR_COLUMN])
    yield "\ufeff" + flush()
    failures = imp.failures.filter(skipped=False, warning=False).order_by("line", "id")
    for failure in failures.iterator(chunk_size=1000):
        cells = list(failure.row) + [""] * max(0, len(imp.header) - len(failure.row))
        where = f"{failure.column}: " if failure.column else ""
        line = gettext("line %(line)s") % {"line": failure.line}
        writer.writerow([*cells, f"{where}{reason_text(failure)} ({line})"])
        yield flush()
