# ruff: noqa: E501 - hand-written SQL reads best on long lines
"""Fill a bench database up to the dashboard's size (1M contacts, 200k deals, 2M
activities) with plain SQL, for when `seed_demo` at full size does not fit in the time
available (it runs at ~600 contacts/s on a shared machine). Rows bypass the services: this
is data to read, not a test of the write path. Seed a small portal first (owners,
pipelines), fill, then recount the dashboard's counters from the rows:

    .venv/bin/python bench/fill_dashboard.py --data-dir /tmp/seedbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/comptoir_bench_dash \\
        .venv/bin/python bench/fill_dashboard.py --database postgres
    .venv/bin/comptoir rebuild_dashboard_counts   # same COMPTOIR_DATA_DIR / DATABASE_URL

Activities: 30% notes, 25% calls, 25% tasks (half completed a day after their date), 12%
meetings (70% held), 8% emails (70% sent); 60% dated in 2026, the rest in 2024-2025; 85%
with one of the portal's owners. Each call is associated with a random contact.
"""

import argparse
import time

from common import setup_django

# The few expressions the two dialects write differently.
SQLITE = {
    "series": "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) SELECT i FROM n) n",
    "pct": "abs(random()) % 100",
    "pick": "abs(random()) % {n}",
    "false": "0",
    "json": "json_object",
    "in_2026": "datetime('2026-01-01', '+' || (abs(random()) % 28339200) || ' seconds')",
    "before": "datetime('2024-01-01', '+' || (abs(random()) % 63158400) || ' seconds')",
    "close": "datetime(w, '+' || (abs(random()) % 180) || ' days')",
    "done": "strftime('%Y-%m-%dT%H:%M:%S.000Z', w, '+1 day')",
    "ignore": "INSERT OR IGNORE INTO",
    "conflict": "",
}
POSTGRES = {
    "series": "generate_series(1, {n}) AS n(i)",
    "pct": "floor(random() * 100)::int",
    "pick": "floor(random() * {n})::int",
    "false": "false",
    "json": "jsonb_build_object",
    "in_2026": "timestamptz '2026-01-01 00:00:00+00' + floor(random() * 28339200) * interval '1 second'",
    "before": "timestamptz '2024-01-01 00:00:00+00' + floor(random() * 63158400) * interval '1 second'",
    "close": "w + floor(random() * 180) * interval '1 day'",
    "done": "to_char((w + interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.000\"Z\"')",
    "ignore": "INSERT INTO",
    "conflict": "ON CONFLICT DO NOTHING",
}


def statements(d: dict, have: int, args, owners: list[int], stage_ids: list[str], link) -> list:
    pct, json, false = d["pct"], d["json"], d["false"]
    pick = " ".join(f"WHEN {i} THEN {o}" for i, o in enumerate(owners))
    owner_sql = f"CASE WHEN {pct} < 85 THEN CASE {d['pick'].format(n=len(owners))} {pick} END END"
    # 60% in 2026 (up to 27 November), the rest over 2024 and 2025.
    when_sql = f"CASE WHEN {pct} < 60 THEN {d['in_2026']} ELSE {d['before']} END"
    stage_case = "CASE {p} {whens} END".format(
        p=d["pick"].format(n=len(stage_ids)),
        whens=" ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(stage_ids)),
    )
    steps = []
    if have < args.contacts:
        steps.append(
            (
                "contacts",
                f"""INSERT INTO contacts_contact (properties, created_at, updated_at, archived, search_text, email, firstname, lastname, lifecyclestage, hubspot_owner_id)
                SELECT '{{}}', w, w, {false}, '', 'fill' || i || '@example.net', 'Fill', 'Contact ' || i, 'lead', o
                FROM (SELECT i, {when_sql} AS w, {owner_sql} AS o FROM {d["series"].format(n=args.contacts - have)}) s""",
            )
        )
    steps.append(
        (
            "deals",
            f"""INSERT INTO deals_deal (properties, created_at, updated_at, archived, search_text, dealname, amount, pipeline, dealstage, closedate, hubspot_owner_id)
            SELECT '{{}}', w, w, {false}, '', 'Fill deal ' || i, ({d["pick"].format(n=50000)}) + 500, 'default', {stage_case},
                   {d["close"]}, o
            FROM (SELECT i, {when_sql} AS w, {owner_sql} AS o FROM {d["series"].format(n=args.deals)}) s""",
        )
    )
    steps.append(
        (
            "activities",
            f"""INSERT INTO activities_activity (properties, created_at, updated_at, archived, search_text, object_type_name, hs_timestamp, hubspot_owner_id)
            SELECT CASE k
                WHEN 'emails' THEN {json}('hs_email_subject', 'Fill', 'hs_email_direction', CASE WHEN r < 70 THEN 'EMAIL' ELSE 'INCOMING_EMAIL' END)
                WHEN 'meetings' THEN CASE WHEN r < 70 THEN {json}('hs_meeting_title', 'Fill', 'hs_meeting_outcome', 'COMPLETED')
                                          WHEN r < 85 THEN {json}('hs_meeting_title', 'Fill', 'hs_meeting_outcome', 'CANCELED')
                                          ELSE {json}('hs_meeting_title', 'Fill') END
                WHEN 'tasks' THEN CASE WHEN r < 50 THEN {json}('hs_task_subject', 'Fill', 'hs_task_status', 'COMPLETED',
                                          'hs_task_completion_date', {d["done"]})
                                       ELSE {json}('hs_task_subject', 'Fill', 'hs_task_status', 'NOT_STARTED') END
                WHEN 'calls' THEN {json}('hs_call_title', 'Fill')
                ELSE {json}('hs_note_body', 'Fill') END,
              w, w, {false}, '', k, w, o
            FROM (SELECT i, {pct} AS r, {when_sql} AS w, {owner_sql} AS o,
                    CASE WHEN i % 100 < 30 THEN 'notes' WHEN i % 100 < 55 THEN 'calls' WHEN i % 100 < 80 THEN 'tasks'
                         WHEN i % 100 < 92 THEN 'meetings' ELSE 'emails' END AS k FROM {d["series"].format(n=args.activities)}) s""",
        )
    )
    random_contact = (
        "1 + abs(random()) % m.top" if d is SQLITE else "1 + floor(random() * m.top)::int"
    )
    steps.append(
        (
            "call links",
            f"""INSERT INTO core_association (from_type, from_id, to_type, to_id, type_id, category)
            SELECT 'calls', id, 'contacts', cid, {link.type_id}, '{link.category}' FROM (
              SELECT a.id, {random_contact} AS cid
              FROM activities_activity a, (SELECT MAX(id) AS top FROM contacts_contact) m
              WHERE a.object_type_name = 'calls'
              AND a.id NOT IN (SELECT from_id FROM core_association WHERE from_type = 'calls')) s""",
        )
    )
    steps.append(
        (
            "inverse links",
            f"""{d["ignore"]} core_association (from_type, from_id, to_type, to_id, type_id, category)
            SELECT 'contacts', to_id, 'calls', from_id, {link.inverse_type_id}, category
            FROM core_association WHERE from_type = 'calls' AND to_type = 'contacts' {d["conflict"]}""",
        )
    )
    return steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--data-dir")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    args = parser.parse_args()
    setup_django(args.database, args.data_dir)

    from django.db import connection, transaction

    from comptoir.core.associations import types
    from comptoir.core.objects.registry import get_object_type
    from comptoir.core.pipelines.queries import stages

    calls, contacts = get_object_type("calls"), get_object_type("contacts")
    link = types.default_type(calls, contacts)
    stage_ids = [s.stage_id for s in stages().values() if s.pipeline_id == "default"]
    with connection.cursor() as c:
        c.execute("SELECT id FROM users_owner ORDER BY id")
        owners = [r[0] for r in c.fetchall()]
        c.execute("SELECT COUNT(*) FROM contacts_contact")
        have = c.fetchone()[0]
    dialect = POSTGRES if connection.vendor == "postgresql" else SQLITE
    steps = statements(dialect, have, args, owners, stage_ids, link)
    for name, sql in steps:
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
        print(f"{name}: {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"analyze: {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
