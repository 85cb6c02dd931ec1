"""Engine benchmarks at 1M contacts (issue 2, point 14).

    .venv/bin/python bench/engine.py --database sqlite     # seeds on first run (~15 min)
    .venv/bin/python bench/engine.py --database postgres

Each operation runs through Comptoir (search compiler, services) and, beside it, as
hand-written SQL with the same meaning on the same database; the ratio is what the
targets are about, the absolute figures tell what a user feels.
"""

import argparse
import random
import time

from common import TABLE_HEAD, measure, row, setup_django

SEED_ARGS = {"contacts": 1_000_000, "companies": 100_000, "deals": 200_000, "activities": 1_000_000}
TIERS = ["bronze", "silver", "gold", "platinum", "diamond"]


def seed_if_needed(scale: float) -> None:
    from django.core.management import call_command

    from comptoir.contacts.models import Contact

    call_command("migrate", verbosity=0)
    if Contact.objects.exists():
        return
    counts = {k: int(v * scale) for k, v in SEED_ARGS.items()}
    start = time.perf_counter()
    call_command("seed_demo", seed=42, **counts)
    print(f"seeded {counts} in {time.perf_counter() - start:.0f} s")
    add_tier_property()


def add_tier_property() -> None:
    """Benchmark fixture: a custom enumeration on every contact, then its index.

    The values are written with one UPDATE (fixture data for timing, not product
    behaviour): going through the services would only slow the setup down.
    """
    from django.db import connection, transaction

    from comptoir.core.properties.indexes import ensure_property_index
    from comptoir.core.properties.services import create_property

    create_property(
        "contacts",
        {
            "name": "tier",
            "label": "Tier",
            "type": "enumeration",
            "fieldType": "select",
            "options": [{"label": t.title(), "value": t} for t in TIERS],
        },
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "UPDATE contacts_contact SET properties = json_set(properties, '$.tier', "
                "CASE id % 5 WHEN 0 THEN 'bronze' WHEN 1 THEN 'silver' WHEN 2 THEN 'gold' "
                "WHEN 3 THEN 'platinum' ELSE 'diamond' END)"
            )
        else:
            cursor.execute(
                "UPDATE contacts_contact SET properties = properties || jsonb_build_object("
                "'tier', (ARRAY['bronze','silver','gold','platinum','diamond'])[id % 5 + 1])"
            )
    ensure_property_index("contacts", "tier")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def raw_sql(sql: str, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run() -> list[str]:
    from django.db import connection
    from django.db.models import Count

    from comptoir.core.history.source import ChangeSource
    from comptoir.core.records.services import create_record
    from comptoir.core.records.values import base_queryset
    from comptoir.core.search.compiler import filtered_queryset, order_by

    sqlite = connection.vendor == "sqlite"
    tier = "json_extract(properties, '$.tier')" if sqlite else "(properties ->> 'tier')"
    lastname_order = (
        "(LOWER(lastname) IS NULL), LOWER(lastname), id"
        if sqlite
        else "LOWER(lastname) ASC NULLS LAST, id"
    )
    columns = "*"
    lines = [TABLE_HEAD]

    # (a) filter on an indexed custom property + sort on lastname, page of 100.
    flt = [{"filters": [{"propertyName": "tier", "operator": "EQ", "value": "gold"}]}]
    ours = measure(
        lambda: list(
            filtered_queryset("contacts", filter_groups=flt).order_by(
                *order_by("contacts", ["lastname"])
            )[:100]
        )
    )
    raw = measure(
        lambda: raw_sql(
            f"SELECT {columns} FROM contacts_contact WHERE archived = %s AND {tier} = %s "
            f"ORDER BY {lastname_order} LIMIT 100",
            [False, "gold"],
        )
    )
    lines.append(row("(a) tier = gold, sort by last name, 100 rows", ours, raw, "< 20 ms, ≤ 2x"))

    # (b) full-text query for a last name.
    name = (
        base_queryset("contacts")
        .exclude(lastname=None)
        .order_by("pk")
        .values_list("lastname", flat=True)[5000]
    )
    from comptoir.core.search.text import query_tokens

    words = query_tokens(name)
    ours = measure(lambda: list(filtered_queryset("contacts", query=name).order_by("pk")[:100]))
    if sqlite:
        match = " ".join(f'"{w}"*' for w in words)
        raw = measure(
            lambda: raw_sql(
                "SELECT * FROM contacts_contact WHERE archived = 0 AND id IN (SELECT rowid FROM "
                "contacts_contact_fts WHERE contacts_contact_fts MATCH %s) ORDER BY id LIMIT 100",
                [match],
            )
        )
    else:
        tsq = " & ".join(f"{w}:*" for w in words)
        raw = measure(
            lambda: raw_sql(
                "SELECT * FROM contacts_contact WHERE archived = false AND to_tsvector('simple', "
                "search_text) @@ to_tsquery('simple', %s) ORDER BY id LIMIT 100",
                [tsq],
            )
        )
    lines.append(row(f"(b) full-text query {name!r}, 100 rows", ours, raw, "< 20 ms, ≤ 2x"))

    # (c) count of contacts per lifecycle stage.
    ours = measure(
        lambda: list(
            base_queryset("contacts")
            .values("lifecyclestage")
            .annotate(n=Count("id"))
            .order_by("lifecyclestage")
        ),
        runs=10,
    )
    raw = measure(
        lambda: raw_sql(
            "SELECT lifecyclestage, COUNT(id) FROM contacts_contact WHERE archived = %s "
            "GROUP BY lifecyclestage ORDER BY lifecyclestage",
            [False],
        ),
        runs=10,
    )
    lines.append(row("(c) contacts per lifecycle stage", ours, raw))

    # (d) create one contact through the service, history included.
    source = ChangeSource()
    counter = iter(range(10**9))
    rnd = random.Random(7)

    def create():
        n = next(counter)
        create_record(
            "contacts",
            {
                "email": f"bench{n}.{rnd.random():.12f}@bench-example.org",
                "firstname": "Bench",
                "lastname": f"Mark{n}",
                "lifecyclestage": "lead",
            },
            source=source,
        )

    ours = measure(create, runs=50)
    lines.append(row("(d) create a contact (service, history)", ours, None, "< 5 ms"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1M contacts")
    args = parser.parse_args()
    setup_django(args.database)
    seed_if_needed(args.scale)
    from comptoir.contacts.models import Contact

    print(f"\n{args.database}: {Contact.objects.count():,} contacts\n")
    print("\n".join(run()))


if __name__ == "__main__":
    main()
