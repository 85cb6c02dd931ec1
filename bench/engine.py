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
    from comptoir.core.properties import registry

    call_command("migrate", verbosity=0)
    if not Contact.objects.exists():
        counts = {k: int(v * scale) for k, v in SEED_ARGS.items()}
        start = time.perf_counter()
        call_command("seed_demo", seed=42, **counts)
        print(f"seeded {counts} in {time.perf_counter() - start:.0f} s")
    if "tier" not in registry.definitions("contacts"):
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
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from comptoir.core.history.source import ChangeSource
    from comptoir.core.records.values import base_queryset
    from comptoir.core.records.writes import create_record
    from comptoir.core.search.compiler import filtered_queryset, order_by
    from comptoir.core.search.text import query_tokens

    sqlite = connection.vendor == "sqlite"
    tier = "json_extract(properties, '$.tier')" if sqlite else "(properties ->> 'tier')"
    # Same meaning as the compiler's sort: Unicode case folding, empty names last.
    lastname_order = (
        "(comptoir_lower(lastname) IS NULL), comptoir_lower(lastname), id"
        if sqlite
        else "LOWER(lastname) ASC NULLS LAST, id"
    )
    lines = [TABLE_HEAD]

    def compiled(qs):
        """The compiler's SQL run through a cursor: the query alone, no model objects."""
        sql, params = qs.query.sql_with_params()
        return lambda: raw_sql(sql, params)

    # (a) filter on an indexed custom property + sort on lastname, page of 100.
    flt = [{"filters": [{"propertyName": "tier", "operator": "EQ", "value": "gold"}]}]
    page_a = filtered_queryset("contacts", filter_groups=flt).order_by(
        *order_by("contacts", ["lastname"])
    )[:100]
    raw = measure(
        lambda: raw_sql(
            f"SELECT * FROM contacts_contact WHERE archived = %s AND {tier} = %s "
            f"ORDER BY {lastname_order} LIMIT 100",
            [False, "gold"],
        )
    )
    lines.append(
        row(
            "(a) tier = gold, sort by last name, 100 rows: compiled SQL",
            measure(compiled(page_a)),
            raw,
            "≤ 2x",
        )
    )
    lines.append(
        row(
            "(a) same through the ORM (100 model objects)",
            measure(lambda: list(page_a._chain())),
            raw,
            "< 20 ms",
        )
    )

    # (b) full-text query for a last name.
    name = (
        base_queryset("contacts")
        .exclude(lastname=None)
        .order_by("pk")
        .values_list("lastname", flat=True)[5000]
    )
    words = query_tokens(name)
    page_b = filtered_queryset("contacts", query=name).order_by("pk")[:100]
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
                "SELECT * FROM contacts_contact WHERE archived = false AND search_vector @@ "
                "to_tsquery('simple', %s) ORDER BY id LIMIT 100",
                [tsq],
            )
        )
    lines.append(
        row(
            f"(b) full-text query {name!r}, 100 rows: compiled SQL",
            measure(compiled(page_b)),
            raw,
            "≤ 2x",
        )
    )
    lines.append(
        row(
            "(b) same through the ORM (100 model objects)",
            measure(lambda: list(page_b._chain())),
            raw,
            "< 20 ms",
        )
    )

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
    stamp = random.Random().randrange(10**9)

    def create():
        n = next(counter)
        create_record(
            "contacts",
            {
                "email": f"bench{stamp}-{n}@bench-example.org",
                "firstname": "Bench",
                "lastname": f"Mark{n}",
                "lifecyclestage": "lead",
            },
            source=source,
        )

    def create_by_hand():
        n = next(counter)
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO contacts_contact (properties, created_at, updated_at, archived, "
                "search_text, email, firstname, lastname, lifecyclestage, hs_email_domain) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [
                    "{}",
                    now,
                    now,
                    False,
                    f"bench mark{n}",
                    f"hand{stamp}-{n}@bench-example.org",
                    "Bench",
                    f"Mark{n}",
                    "lead",
                    "bench-example.org",
                ],
            )
            new_id = cursor.fetchone()[0]
            for prop in ("email", "firstname", "lastname", "lifecyclestage", "hs_email_domain"):
                cursor.execute(
                    "INSERT INTO core_propertychange (object_type, object_id, property, value, "
                    "changed_at, source_type) VALUES (%s, %s, %s, %s, %s, %s)",
                    ["0-1", new_id, prop, "x", now, "CRM_UI"],
                )

    ours = measure(create, runs=100)
    raw = measure(create_by_hand, runs=100)
    lines.append(row("(d) create a contact (service, history)", ours, raw, "< 5 ms"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1M contacts")
    parser.add_argument("--data-dir", help="reuse a seeded data directory (SQLite)")
    args = parser.parse_args()
    setup_django(args.database, args.data_dir)
    seed_if_needed(args.scale)
    from comptoir.contacts.models import Contact

    print(f"\n{args.database}: {Contact.objects.count():,} contacts\n")
    print("\n".join(run()))


if __name__ == "__main__":
    main()
