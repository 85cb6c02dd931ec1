"""A 50 MB file imports with bounded memory: rows stream from disk in batches."""

import tracemalloc

import pytest

from comptoir.core.properties.services import create_property
from comptoir.core.records.values import base_queryset
from comptoir.imports import engine, services
from comptoir.imports.tests.helpers import upload

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROWS = 5_000
PEAK_LIMIT = 120 * 1024 * 1024  # generous: a batch of rows, not the file


def test_a_50_mb_file_is_imported_with_bounded_memory(importer_user, tmp_path):
    create_property(
        "contacts", {"name": "notes", "label": "Notes", "type": "string", "fieldType": "textarea"}
    )
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("Email,First name,Notes,Archive\r\n")
        for i in range(ROWS):
            notes = f"Note {i} " + "é" * 900
            archive = "x" * 9400  # a wide column left unmapped, as real exports have
            handle.write(f'big{i}@example.com,Prénom{i},"{notes}",{archive}\r\n')
    assert path.stat().st_size > 50 * 1024 * 1024
    imp = upload(importer_user, path.read_bytes()[:0] or b"Email\r\na@example.com\r\n")
    # The real upload is streamed by Django to disk; here the draft points at the big file.
    imp.file_path, imp.file_size, imp.file_name = str(path), path.stat().st_size, "big.csv"
    services.read_header(imp)
    from comptoir.imports.mapping import auto_map

    imp.mapping = auto_map(imp.header, imp.object_types)
    assert [m["property"] for m in imp.mapping] == ["email", "firstname", "notes", ""]
    imp.save()
    services.start(imp, importer_user)
    tracemalloc.start()
    try:
        engine.run(imp.pk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    imp.refresh_from_db()
    assert (imp.state, imp.created, imp.failed) == ("DONE", ROWS, 0)
    assert base_queryset("contacts").count() == ROWS
    assert peak < PEAK_LIMIT, f"peak {peak / 1024 / 1024:.0f} MB"
