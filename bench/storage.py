"""Stored files benchmark (issue 19, point 1): a 50 MB file saved into the database storage
(core/files/database.py: 1 MiB chunk rows, one transaction) and downloaded back as the
export download streams it (FileResponse over storage.open, 256 KiB blocks).

    .venv/bin/python bench/storage.py --database sqlite [--mb 50]
    .venv/bin/python bench/storage.py --database postgres

Each run starts from an empty database of its own (bench/data/storage-sqlite, or the
PostgreSQL database comptoir_bench_storage). Reported: the time of each step, the peak of
Python's allocations during it (tracemalloc) and the process's peak resident memory
(ru_maxrss) before and after; the baseline is the same file copied on the disk.
"""

import argparse
import os
import resource
import shutil
import sys
import time
import tracemalloc

from common import ROOT


def fresh_database(database: str):
    data_dir = ROOT / "bench" / "data" / f"storage-{database}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if database == "postgres":
        import psycopg

        name = "comptoir_bench_storage"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["COMPTOIR_DATA_DIR"] = str(data_dir)
    os.environ["COMPTOIR_STORAGE"] = "database"
    return data_dir


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(what, fn):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1024**2
    tracemalloc.stop()
    print(f"| {what} | {seconds:.2f} | {peak:.1f} | {rss_mb():.0f} |")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument(
        "--sqlite-mmap-off",
        action="store_true",
        help="PRAGMA mmap_size=0: the database file's pages read, not mapped (RSS)",
    )
    args = parser.parse_args()
    data_dir = fresh_database(args.database)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    os.environ.setdefault("COMPTOIR_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.http import FileResponse

    from comptoir.core.files import stored

    call_command("migrate", verbosity=0)
    if args.sqlite_mmap_off and args.database == "sqlite":
        from django.db import connection

        with connection.cursor() as cursor:  # the connection is kept: the pragma stays
            cursor.execute("PRAGMA mmap_size=0")
    source = data_dir / "source.bin"
    block = os.urandom(1024 * 1024)  # incompressible, as an XLSX file is
    with source.open("wb") as out:
        for _ in range(args.mb):
            out.write(block)
    del block
    print(f"{args.mb} MB on {args.database}; ru_maxrss before: {rss_mb():.0f} MB\n")
    print("| step | seconds | Python peak MB (tracemalloc) | process peak RSS MB |")
    print("|---|---|---|---|")
    step("copy on the disk (baseline)", lambda: shutil.copyfile(source, data_dir / "copy.bin"))

    def upload():
        with source.open("rb") as handle:
            return stored.save("exports/bench/source.bin", File(handle))

    name = step("save into the database storage", upload)

    def download():
        response = FileResponse(stored.open_file(name), as_attachment=True)
        response.block_size = 256 * 1024
        size = sum(len(piece) for piece in response.streaming_content)
        response.close()
        assert size == args.mb * 1024**2, size
        return size

    step("download (FileResponse, streamed)", download)
    step("local copy for a reader (cache/files)", lambda: stored.local_path(name))


if __name__ == "__main__":
    main()
