"""The failed rows of an import as a file to fix and import again: the original columns
in the original order, plus an error column, in the file's own delimiter."""

import csv
import io

from comptoir.imports.files import DELIMITERS
from comptoir.imports.models import Import

ERROR_COLUMN = "Error"


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
    failures = imp.failures.filter(skipped=False).order_by("line", "id")
    for failure in failures.iterator(chunk_size=1000):
        cells = list(failure.row) + [""] * max(0, len(imp.header) - len(failure.row))
        where = f"{failure.column}: " if failure.column else ""
        writer.writerow([*cells, f"{where}{failure.reason} (line {failure.line})"])
        yield flush()
