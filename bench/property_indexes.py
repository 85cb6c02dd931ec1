"""Sorting and filtering on JSON properties, before and after their indexes (issue 16, point 2).

    .venv/bin/python bench/property_indexes.py --database sqlite --contacts 150000
    .venv/bin/python bench/property_indexes.py --database postgres --contacts 150000

Seeds its own data set on first run (bench/data/ondemand-sqlite, PostgreSQL database
comptoir_bench_ondemand; DATABASE_URL overrides it): demo contacts and one custom text
property, `region`, written by one UPDATE (fixture data, not product behaviour).
Then measures, through the search compiler and the list page's own queries:

* before: without the built-in `city` indexes (dropped for the run) and without an index on
  `region`;
* after: the `city` indexes as the migration makes them, and `region`'s built by
  `index_requests.build`, what the worker runs once a saved view or repeated queries ask.

The database is left as the migrations and the worker leave it (every index present).
"""

import argparse
import os
import sys
import time

from common import ROOT, measure, setup_django

CASES = (
    ("list sorted by city, first page (25)", "page", ["city"], None),
    ("list sorted by city descending, first page", "page", ["-city"], None),
    ("list filtered city = Paris: count + page", "list", ["-createdate"], ("city", "Paris")),
    ("API search city EQ Paris, limit 100, total", "api", [], ("city", "Paris")),
    ("list sorted by region (custom), first page", "page", ["region"], None),
    ("API search region EQ r7 (custom), total", "api", [], ("region", "r7")),
)


def seed(contacts: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from comptoir.contacts.models import Contact
    from comptoir.core.properties import registry
    from comptoir.core.properties.services import create_property

    call_command("migrate", verbosity=0)
    if not Contact.objects.exists():
        start = time.perf_counter()
        call_command(
            "seed_demo", seed=42, contacts=contacts, companies=contacts // 20, deals=0,
            activities=0, jobs=1, verbosity=0,
        )  # fmt: skip
        print(f"seeded {contacts} contacts in {time.perf_counter() - start:.0f} s", flush=True)
    if "region" not in registry.definitions("contacts"):
        create_property(
            "contacts", {"name": "region", "label": "Region", "type": "string", "fieldType": "text"}
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "UPDATE contacts_contact SET properties = "
                    "json_set(properties, '$.region', 'r' || (id % 50))"
                )
            else:
                cursor.execute(
                    "UPDATE contacts_contact SET properties = properties || "
                    "jsonb_build_object('region', 'r' || (id % 50))"
                )


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def city_statements():
    from django.db import connection

    from comptoir.core.properties import registry
    from comptoir.core.properties.indexes import index_statements, value_sql

    defn = registry.definition("contacts", "city")
    return index_statements(
        "contacts_contact", "json_contact_city", value_sql(defn, connection.vendor),
        connection.vendor,
    )  # fmt: skip


def without_indexes() -> None:
    from django.db import connection

    from comptoir.core.properties import registry
    from comptoir.core.properties.indexes import drop_property_index, drop_statements

    with connection.cursor() as cursor:
        for statement in drop_statements("json_contact_city", connection.vendor):
            cursor.execute(statement)
    drop_property_index("contacts", "region")
    registry.clear_local()
    analyze()


def with_indexes() -> dict:
    from django.db import connection

    from comptoir.core.properties import index_requests, registry

    sizes = {}
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in city_statements():
            cursor.execute(statement)
    sizes["city build s"] = time.perf_counter() - start
    start = time.perf_counter()
    index_requests.build("contacts", "region")  # the worker task's body
    sizes["region build s"] = time.perf_counter() - start
    registry.clear_local()
    analyze()
    return sizes


def runner(kind: str, sorts, flt):
    from comptoir.core.savedviews import listing
    from comptoir.core.search.compiler import filtered_queryset, order_by, scan_worthwhile, search

    groups = (
        [{"filters": [{"propertyName": flt[0], "operator": "EQ", "value": flt[1]}]}] if flt else []
    )

    if kind == "page":
        return lambda: list(
            filtered_queryset("contacts").order_by(*order_by("contacts", sorts))[:26]
        )
    if kind == "list":

        def run():  # as core/ui/views.list_context: the bounded count, then page_of
            qs = filtered_queryset("contacts", filter_groups=groups)
            count, _ = listing.bounded_count(qs)
            if scan_worthwhile(count, True):  # many matches: walk the sort index (SQLite)
                qs = filtered_queryset("contacts", filter_groups=groups, scan=True)
            list(qs.order_by(*order_by("contacts", sorts))[:26])
            return count

        return run
    return lambda: search("contacts", {"filterGroups": groups, "limit": 100, "sorts": sorts})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--contacts", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if args.database == "postgres":
        os.environ.setdefault(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/comptoir_bench_ondemand"
        )
    setup_django(args.database, str(ROOT / "bench" / "data" / f"ondemand-{args.database}"))
    seed(args.contacts)

    from comptoir.contacts.models import Contact
    from comptoir.core.properties.indexes import index_sizes

    total = Contact.objects.count()
    paris = runner("list", ["-createdate"], ("city", "Paris"))()
    without_indexes()
    before = {name: measure(runner(*case), runs=args.runs) for name, *case in CASES}
    built = with_indexes()
    after = {name: measure(runner(*case), runs=args.runs) for name, *case in CASES}
    sizes = index_sizes(["json_contact_city", "prop_contacts_region"])

    print(f"\n{args.database}: {total} contacts, {paris} in Paris (the list counts to 10,000)")
    print("| operation | before median ms | before p95 | after median ms | after p95 |")
    print("|---|---|---|---|---|")
    for name, *_ in CASES:
        b, a = before[name], after[name]
        print(
            f"| {name} | {b['median']:.1f} | {b['p95']:.1f} | {a['median']:.1f} | {a['p95']:.1f} |"
        )
    mib = {k: f"{v / 2**20:.1f} MiB" if v else "—" for k, v in sizes.items()}
    print(
        f"\nindex sizes (both indexes of each): {mib}; built in "
        f"{built['city build s']:.1f} s (city) and {built['region build s']:.1f} s (region)"
    )


if __name__ == "__main__":
    sys.exit(main())
