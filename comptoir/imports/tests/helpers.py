"""Files a user really has, and running an import the way the worker does."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.imports import engine, services
from comptoir.imports.models import Import


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False, newline="\r\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    for row in rows:
        writer.writerow(row)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(sheets: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(user, data: bytes, name="contacts.csv", objects="contacts") -> Import:
    return services.create_draft(user, SimpleUploadedFile(name, data), objects)


def run_import(imp: Import, user=None, batch_size=engine.BATCH_SIZE, **changes) -> Import:
    for key, value in changes.items():
        setattr(imp, key, value)
    imp.save()
    services.start(imp, user or imp.user)
    engine.run(imp.pk, batch_size=batch_size)
    imp.refresh_from_db()
    return imp


def upload_files(user, files: dict) -> Import:
    """Several files joined by a common column: {object type: (file name, bytes)}."""
    uploads = {ot: SimpleUploadedFile(name, data) for ot, (name, data) in files.items()}
    return services.create_files_draft(user, uploads)
