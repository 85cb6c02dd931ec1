"""Import benchmark (issue 6, point 10): a 1,000,000-row contacts CSV (email, names,
company, phone, two custom properties) imported as contacts and companies from one file,
so every row writes its contact, its history and its company association.

    .venv/bin/python bench/imports.py --database sqlite [--rows 1000000]
    .venv/bin/python bench/imports.py --database postgres

Each run starts from an empty database of its own (bench/data/imports-sqlite, or the
PostgreSQL database comptoir_bench_imports). Peak memory is the process's peak resident
size (ru_maxrss), read before and after the import. The machine is shared, so the
import's own CPU time (Python process only; SQLite runs in it, PostgreSQL does not) is
given beside the wall time. The raw-SQL baseline reads the same
file with the csv module and inserts its rows into a bare table (executemany on SQLite,
COPY on PostgreSQL) in batches of the same size: the floor any importer stands on.
"""

import argparse
import csv
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path

from common import ROOT

FIRST = ["Camille", "Hélène", "Jean", "Léa", "Lucas", "Chloé", "Hugo", "Inès", "Louis", "Zoé"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
SEGMENTS = ["PME", "ETI", "Grand compte", "Indépendant"]


def make_csv(path: Path, rows: int, companies: int = 20_000) -> None:
    marker = path.with_suffix(".rows")
    if path.exists() and marker.exists() and marker.read_text() == str(rows):
        return
    rng = random.Random(6)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Email", "First name", "Last name", "Company name", "Phone", "Budget", "Segment"]
        )
        for i in range(rows):
            writer.writerow(
                [
                    f"contact{i}@example{i % 997}.fr",
                    rng.choice(FIRST),
                    rng.choice(LAST),
                    f"Entreprise {rng.randrange(companies)}",
                    f"+33 6 {i % 100:02d} {i // 100 % 100:02d} {i // 10000 % 100:02d} 00",
                    f"{rng.randrange(100, 100000)}.{rng.randrange(100):02d}",
                    rng.choice(SEGMENTS),
                ]
            )
    path.with_suffix(".rows").write_text(str(rows))


def fresh_database(database: str, pg_name: str = "comptoir_bench_imports") -> str:
    data_dir = ROOT / "bench" / "data" / f"imports-{database}"
    if database == "postgres":
        import psycopg

        name = pg_name
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
        os.environ.pop("DATABASE_URL", None)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["COMPTOIR_DATA_DIR"] = str(data_dir)
    return str(data_dir)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_baseline(path: Path, batch: int) -> float:
    """Seconds to read the file and insert its rows into a bare table."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_import")
        cursor.execute(
            "CREATE TABLE bench_raw_import (email text, firstname text, lastname text, "
            "company text, phone text, budget numeric, segment text)"
        )
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        chunk = []
        for cells in reader:
            chunk.append(tuple(cells))
            if len(chunk) >= batch:
                _raw_insert(connection, transaction, chunk)
                chunk = []
        if chunk:
            _raw_insert(connection, transaction, chunk)
    return time.perf_counter() - start


def _raw_insert(connection, transaction, rows) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_raw_import FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO bench_raw_import VALUES (%s, %s, %s, %s, %s, %s, %s)", rows
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--pg-name",
        default="comptoir_bench_imports",
        help="the PostgreSQL database the run drops and creates (--database postgres)",
    )
    args = parser.parse_args()

    csv_path = ROOT / "bench" / "data" / f"import-contacts-{args.rows}.csv"
    make_csv(csv_path, args.rows)
    fresh_database(args.database, args.pg_name)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    os.environ.setdefault("COMPTOIR_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from comptoir.core.properties.services import create_property
    from comptoir.core.records.values import base_queryset
    from comptoir.imports import engine, services
    from comptoir.imports.models import Import
    from comptoir.users.services import create_user

    user = create_user(
        "bench@example.com", "Bench-pass-123", role="Super admin", check_password=False
    )
    create_property(
        "contacts", {"name": "budget", "label": "Budget", "type": "number", "fieldType": "number"}
    )
    create_property(
        "contacts", {"name": "segment", "label": "Segment", "type": "string", "fieldType": "text"}
    )
    with open(csv_path, "rb") as handle:
        imp = services.create_draft(user, File(handle, name=csv_path.name), "contacts+companies")
    print("mapping:", [(m["column"], m["object_type"], m["property"]) for m in imp.mapping])
    services.start(imp, user)
    before = peak_mb()
    cpu_start = time.process_time()
    start = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("engine.run(imp.pk)", globals(), locals(), os.environ["BENCH_PROFILE"])
    else:
        engine.run(imp.pk)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    after = peak_mb()
    imp = Import.objects.get(pk=imp.pk)
    contacts = base_queryset("contacts").count()
    companies = base_queryset("companies").count()
    raw = raw_baseline(csv_path, engine.BATCH_SIZE)
    print(f"state {imp.state}: created {imp.created}, updated {imp.updated}, failed {imp.failed}")
    print(f"contacts {contacts}, companies {companies}")
    print(f"CPU {cpu:.2f} s, {cpu * 1000 / args.rows:.3f} ms a row")
    print(
        f"| {args.database} | {args.rows:,} | {elapsed:.0f} s | {args.rows / elapsed:,.0f} | "
        f"{cpu:.0f} s | {args.rows / cpu:,.0f} | "
        f"{raw:.1f} s ({args.rows / raw:,.0f} rows/s) | {elapsed / raw:.1f}x | "
        f"{before:.0f} MB → {after:.0f} MB |"
    )


if __name__ == "__main__":
    main()
