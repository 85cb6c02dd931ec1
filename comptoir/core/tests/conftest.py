import pytest

# Real `comptoir` processes on a database of their own (test_worker.py, test_busy.py).
from comptoir.core.testing.processes import _site_template, site  # noqa: F401


@pytest.fixture
def no_stale_statistics():
    """Query plans as for a table of unknown size (the index tests): an index build in an
    earlier transactional test (the worker's ANALYZE on a table of three rows) leaves
    statistics a flush does not clear, and with them SQLite rightly scans a tiny table.
    Deleted inside the test's transaction, so they come back after it."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_master")  # the planner reads them again
