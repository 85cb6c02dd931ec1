""" "Contains" filters with and without substring indexes (issue 16, point 1).

    .venv/bin/python bench/contains.py --database sqlite --scale 0.15
    .venv/bin/python bench/contains.py --database postgres --scale 0.15

Seeds the demo data once (`--scale` of 1M contacts, 100k companies, 200k deals; no
activities) into its own SQLite file or PostgreSQL database (comptoir_contains_bench),
adds a custom text property `bench_note` on every contact, then times the search
compiler's `search()` (a page and the total, as the API and the list page ask) for each
"contains" request: before (the scan: on SQLite without the FTS prefilter, on PostgreSQL
with the trigram index dropped in a rolled-back transaction) and after. Prints the
figures and the size of every substring index.
"""

import argparse
import os
import time

from common import ROOT, measure, setup_django

SEED = {"contacts": 1_000_000, "companies": 100_000, "deals": 200_000, "activities": 0}

REQUESTS = [
    ("last name contains Robert", "lastname", "Robert", None),
    ("first name contains Marie", "firstname", "Marie", None),
    ("email contains *acme*", "email", "*acme*", None),
    ("email contains *@gmail.com", "email", "*@gmail.com", None),
    ("last name contains Rob*", "lastname", "Rob*", None),
    ("city contains par*", "city", "par*", None),
    ("custom text bench_note contains *urgent*", "bench_note", "*urgent*", None),
    ("last name contains Robert, sorted by last name (list page)", "lastname", "Robert", "s"),
    ("last name NOT_CONTAINS *obe*", "lastname", "*obe*", "not"),
]


def seed(scale: float) -> None:
    from django.core.management import call_command

    from comptoir.contacts.models import Contact
    from comptoir.core.properties import registry

    call_command("migrate", verbosity=0)
    if not Contact.objects.exists():
        counts = {k: int(v * scale) for k, v in SEED.items()}
        start = time.perf_counter()
        call_command("seed_demo", seed=42, **counts)
        print(f"seeded {counts} in {time.perf_counter() - start:.0f} s (substring triggers on)")
    if "bench_note" not in registry.definitions("contacts"):
        add_note_property()


def add_note_property() -> None:
    """A custom text property on every contact, written with one UPDATE (fixture data)."""
    from django.db import connection, transaction

    from comptoir.core.properties.services import create_property

    create_property(
        "contacts",
        {"name": "bench_note", "label": "Note", "type": "string", "fieldType": "text"},
    )
    note = (
        "'note ' || id || ' ' || CASE id % 25 WHEN 0 THEN 'urgent: send the quote' "
        "WHEN 1 THEN 'Urgent' WHEN 2 THEN 'met at the fair' ELSE 'call back' END"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "UPDATE contacts_contact SET properties = "
                f"json_set(properties, '$.bench_note', {note})"
            )
        else:
            cursor.execute(
                "UPDATE contacts_contact SET properties = "
                f"properties || jsonb_build_object('bench_note', {note})"
            )
        cursor.execute("ANALYZE")


def body(name, value, how):
    op = "NOT_CONTAINS_TOKEN" if how == "not" else "CONTAINS_TOKEN"
    request = {
        "filterGroups": [{"filters": [{"propertyName": name, "operator": op, "value": value}]}],
        "limit": 25 if how == "s" else 100,
    }
    if how == "s":
        request["sorts"] = [{"propertyName": "lastname", "direction": "ASCENDING"}]
    return request


def timed(name, value, how, *, indexed: bool):
    from django.db import connection, transaction

    from comptoir.core.properties import registry
    from comptoir.core.search.compiler import search

    defn = registry.definition("contacts", name)
    saved = defn.substring_index
    result = {}

    def run():
        result["total"] = search("contacts", body(name, value, how)).total

    if connection.vendor == "sqlite":
        defn.substring_index = saved if indexed else ""  # the cached definition, this run only
        try:
            return measure(run, runs=5, warmup=1), result
        finally:
            defn.substring_index = saved
    if indexed or not saved:
        return measure(run, runs=5, warmup=1), result
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP INDEX "{saved}"')
        figures = measure(run, runs=5, warmup=1)
        transaction.set_rollback(True)
    return figures, result


def write_cost(n: int = 5000) -> str:
    """The substring indexes' cost on the bulk write path (imports, the demo seeder): `n`
    new contacts through `bulk_create_records`, with the contact indexes and without them
    (dropped inside the transaction), everything rolled back."""
    import random

    from django.db import connection, transaction

    from comptoir.core.history.models import SourceType
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.properties.substring_indexes import _sqlite_drop, substring_indexes
    from comptoir.core.records.bulk import bulk_create_records

    rng = random.Random(7)
    first = ["Marie", "Jean", "Robert", "Anne", "Luc", "Emma", "Paul", "Julie"]
    last = ["Martin", "Bernard", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon"]
    cities = ["Paris", "Lyon", "Lille", "Nantes", "London", "Leeds"]

    def rows(tag):
        return [
            {
                "firstname": rng.choice(first),
                "lastname": rng.choice(last),
                "email": f"w{tag}{i}@example{i % 97}.org",
                "city": rng.choice(cities),
                "jobtitle": "Sales manager",
                "phone": f"+33 1 {i:08d}",
                "company": f"Company {i % 500}",
                "address": f"{i} rue de la Paix",
                "zip": f"{75000 + i % 20}",
                "country": "France",
            }
            for i in range(n)
        ]

    source = ChangeSource(type=SourceType.IMPORT, id="bench")
    times = {}
    with transaction.atomic():
        bulk_create_records("contacts", rows("w"), source=source)  # warm-up, not timed
        start, cpu = time.perf_counter(), time.process_time()
        bulk_create_records("contacts", rows("a"), source=source)
        times["with"] = time.perf_counter() - start
        times["with cpu"] = time.process_time() - cpu
        with connection.cursor() as cursor:
            for index in substring_indexes():
                if index.object_type != "contacts":
                    continue
                if connection.vendor == "sqlite":
                    for statement in _sqlite_drop(index.index):
                        cursor.execute(statement)
                else:
                    cursor.execute(f'DROP INDEX "{index.index}"')
        start, cpu = time.perf_counter(), time.process_time()
        bulk_create_records("contacts", rows("b"), source=source)
        times["without"] = time.perf_counter() - start
        times["without cpu"] = time.process_time() - cpu
        transaction.set_rollback(True)
    return (
        f"bulk_create_records, {n:,} contacts: {n / times['with']:,.0f} rows/s with the "
        f"contact substring indexes, {n / times['without']:,.0f} rows/s without; "
        f"per CPU-second of this process (SQLite's work included, PostgreSQL's not): "
        f"{n / times['with cpu']:,.0f} with, {n / times['without cpu']:,.0f} without"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=0.15, help="fraction of 1M contacts")
    parser.add_argument(
        "--no-seed", action="store_true", help="measure the data there, seeded or not"
    )
    parser.add_argument(
        "--write-cost", action="store_true", help="only measure the cost on bulk writes"
    )
    args = parser.parse_args()
    if args.database == "postgres":
        os.environ.setdefault(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/comptoir_contains_bench"
        )
    setup_django(args.database, str(ROOT / "bench" / "data" / f"contains-{args.database}"))
    if args.no_seed:  # the data there (a seed cut short: no rollups, no statistics)
        from django.db import connection

        from comptoir.core.properties import registry

        if "bench_note" not in registry.definitions("contacts") and not args.write_cost:
            add_note_property()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        seed(args.scale)
    if args.write_cost:
        print(write_cost())
        return
    from comptoir.contacts.models import Contact
    from comptoir.core.properties.substring_indexes import (
        ensure_substring_index,
        substring_index_size,
        substring_indexes,
    )

    print(f"\n{args.database}: {Contact.objects.count():,} contacts\n")
    rows = []
    from comptoir.core.properties import registry

    for label, name, value, how in REQUESTS:
        if name not in registry.definitions("contacts"):
            continue
        if name == "bench_note":
            before, _ = timed(name, value, how, indexed=False)
            start = time.perf_counter()
            ensure_substring_index("contacts", "bench_note")
            built = time.perf_counter() - start
            label += f" (index built on demand in {built:.1f} s)"
            after, result = timed(name, value, how, indexed=True)
        else:
            before, _ = timed(name, value, how, indexed=False)
            after, result = timed(name, value, how, indexed=True)
        rows.append(
            f"| {label} | {result['total']:,} | {before['median']:.0f} | "
            f"{after['median']:.0f} | {after['p95']:.0f} |"
        )
        print(rows[-1], flush=True)
    print("| request (`search()`, page + total) | total | before ms | after ms | after p95 ms |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print("\n| substring index | size MB |\n|---|---|")
    total = 0
    for index in substring_indexes():
        size = substring_index_size(index.index) or 0
        total += size
        print(f"| {index.object_type}.{index.property} (`{index.index}`) | {size / 1e6:.1f} |")
    print(f"| all | {total / 1e6:.1f} |")
    print()
    print(write_cost())


if __name__ == "__main__":
    main()
