"""Database upkeep shared by the worker, the seeders and imports."""

from django.db import connection


def refresh_statistics() -> None:
    """Let the query planner know the data as it is now.

    SQLite picks between a filter index and a sort index from sqlite_stat1; stale or
    missing statistics after a bulk load make it sort 200,000 rows instead of walking
    an index. A full ANALYZE (about 20 s at a million contacts): sampled statistics
    (analysis_limit) misjudged a 5-value property as near-unique and chose the slow plan.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")
        cursor.execute("ANALYZE")
