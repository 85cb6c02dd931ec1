"""A long import tunes its SQLite connection for batches and gives it back as it was."""

import pytest
from django.db import connection

from comptoir.core import db

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")


def _pragmas():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cache, cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_bulk_writes_tunes_the_connection_then_restores_it(monkeypatch):
    monkeypatch.setattr(db, "_on_disk_sqlite", lambda: True)  # the test database is in memory
    with db.bulk_writes():
        assert _pragmas() == (-524288, 262144)
    assert _pragmas() == (-131072, 1000)


@pytest.mark.django_db(transaction=True)
def test_bulk_writes_restores_the_connection_when_the_run_fails(monkeypatch):
    monkeypatch.setattr(db, "_on_disk_sqlite", lambda: True)
    with pytest.raises(RuntimeError), db.bulk_writes():
        raise RuntimeError("worker stopped")
    assert _pragmas() == (-131072, 1000)


@pytest.mark.django_db(transaction=True)
def test_an_import_keeps_the_usual_cache_then_restores_the_connection(monkeypatch):
    """Imports bound their memory (the usual cache, no mmap) but still checkpoint rarely."""
    monkeypatch.setattr(db, "_on_disk_sqlite", lambda: True)
    with db.bulk_writes(db.IMPORT_PRAGMAS):
        assert _pragmas() == (-131072, 262144)
    assert _pragmas() == (-131072, 1000)
