import pytest

# Real `comptoir` processes on a database of their own (test_worker.py, test_busy.py), and
# on a new empty one (test_backups.py).
from comptoir.core.testing.processes import _site_template, fresh_site, site  # noqa: F401


@pytest.fixture
def no_stale_statistics():
    """Query plans as for a table never analysed (the index tests). An earlier test's ANALYZE
    leaves statistics behind: SQLite's from a transactional test (a flush keeps
    sqlite_stat1), PostgreSQL's from any test (ANALYZE writes pg_class's row counts in
    place, outside the transaction); with them the planner rightly scans or picks another
    index on a tiny table. Forgotten inside the test's transaction, so they come back after
    it."""
    from django.db import connection

    from comptoir.core.objects.registry import OBJECT_TYPES

    tables = sorted({ot.model._meta.db_table for ot in OBJECT_TYPES})
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_master")  # the planner reads them again
        else:  # "never analysed" (reltuples -1): the planner estimates from the pages
            cursor.execute(
                "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = ANY(%s::regclass[])",
                [tables],
            )


# An S3 server (moto) for the storage tests (test_shared_files.py).
from comptoir.core.testing.s3 import s3_server  # noqa: E402, F401
