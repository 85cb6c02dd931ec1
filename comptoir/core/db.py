"""Database upkeep shared by the worker, the seeders and imports."""

from contextlib import contextmanager

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


# A writer of many batches on SQLite keeps 512 MiB of pages instead of 128 and checkpoints
# its WAL every ~1 GiB instead of every ~4 MB, so index pages touched by consecutive
# batches are read and flushed once (the demo seeder measured -20 to -30 % wall time at a
# million contacts). Per connection only: the data written is the same.
BULK_PRAGMAS = ("PRAGMA cache_size=-524288", "PRAGMA wal_autocheckpoint=262144")
# An import keeps its memory bounded whatever the file (issue 6: under 500 MB): the usual
# cache and no mmap during the run, since pages read through mmap count in the process's
# resident memory and a million-row import reads most of the database.
IMPORT_PRAGMAS = (
    "PRAGMA cache_size=-131072",
    "PRAGMA mmap_size=0",
    "PRAGMA wal_autocheckpoint=262144",
)
# What the connection goes back to (config/env.py's init_command, SQLite's default).
USUAL_PRAGMAS = (
    "PRAGMA cache_size=-131072",
    "PRAGMA mmap_size=1073741824",
    "PRAGMA wal_autocheckpoint=1000",
)


def _on_disk_sqlite() -> bool:
    return connection.vendor == "sqlite" and not connection.is_in_memory_db()


def tune_for_bulk_writes(pragmas=BULK_PRAGMAS) -> None:
    if _on_disk_sqlite():
        with connection.cursor() as cursor:
            for pragma in pragmas:
                cursor.execute(pragma)


@contextmanager
def bulk_writes(pragmas=BULK_PRAGMAS):
    """Tune this connection for a long run of batches, then give it back as it was, with
    the WAL copied into the database (other connections read it faster then)."""
    tune_for_bulk_writes(pragmas)
    try:
        yield
    finally:
        if _on_disk_sqlite():
            with connection.cursor() as cursor:
                for pragma in USUAL_PRAGMAS:
                    cursor.execute(pragma)
                if not connection.in_atomic_block:  # a checkpoint cannot run in one
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
