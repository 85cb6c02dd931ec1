"""What the contacts' pg_trgm GIN indexes cost the bulk write path on PostgreSQL (issue 16):
the COPY of 5,000 contact rows inside `bulk_create_records` (`insert_rows` timed), median
over --runs, four configurations alternated, everything rolled back:

* the indexes as migrations make them (fastupdate on, 4 MB pending list);
* a 64 MB pending list for the transaction (SET LOCAL gin_pending_list_limit);
* the same, then the pending entries merged at the end (gin_clean_pending_list), timed too;
* fastupdate off (--fastupdate-off), or the indexes dropped.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a migrated database> \\
        .venv/bin/python bench/gin_write_cost.py --runs 5
"""

import argparse
import statistics
import time

from common import setup_django

N = 5000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fastupdate-off", action="store_true")
    args = parser.parse_args()
    setup_django("postgres")
    from django.db import connection, transaction

    from comptoir.core.history.models import SourceType
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.properties.substring_indexes import substring_indexes
    from comptoir.core.records import bulk

    timed = {}
    real = bulk.insert_rows

    def insert_rows(table, columns, rows):
        start = time.perf_counter()
        real(table, columns, rows)
        if table == "contacts_contact":
            timed["copy"] = time.perf_counter() - start

    bulk.insert_rows = insert_rows

    def rows(tag):
        return [
            {
                "firstname": f"Marie{i % 50}",
                "lastname": f"Martin{i % 300}",
                "email": f"w{tag}{i}@example{i % 97}.org",
                "city": ["Paris", "Lyon", "Lille"][i % 3],
                "jobtitle": "Sales manager",
                "phone": f"+33 1 {i:08d}",
                "company": f"Company {i % 500}",
                "address": f"{i} rue de la Paix",
                "zip": f"{75000 + i % 20}",
                "country": "France",
            }
            for i in range(N)
        ]

    source = ChangeSource(type=SourceType.IMPORT, id="bench")
    indexes = [i.index for i in substring_indexes() if i.object_type == "contacts"]
    last = "fastupdate off" if args.fastupdate_off else "no GIN"
    configs = ["as built", "pending 64MB", "64MB + merge", last]
    results = {c: [] for c in configs}
    for run in range(args.runs):
        for number, config in enumerate(configs):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    if config in ("pending 64MB", "64MB + merge"):
                        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
                    for index in indexes:
                        if config == "fastupdate off":
                            cursor.execute(f'ALTER INDEX "{index}" SET (fastupdate = off)')
                        elif config == "no GIN":
                            cursor.execute(f'DROP INDEX "{index}"')
                made = bulk.bulk_create_records(
                    "contacts", rows(f"r{run}c{number}x"), source=source
                )
                assert made.created == N, made.errors
                merge = 0.0
                if config == "64MB + merge":
                    start = time.perf_counter()
                    with connection.cursor() as cursor:
                        for index in indexes:
                            cursor.execute(
                                "SELECT gin_clean_pending_list(%s::regclass)", [f'"{index}"']
                            )
                    merge = time.perf_counter() - start
                results[config].append(timed["copy"] + merge)
                transaction.set_rollback(True)
    for config in configs:
        median = statistics.median(results[config])
        print(
            f"{config}: COPY of {N:,} contacts, median {median * 1000:.0f} ms "
            f"({N / median:,.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
