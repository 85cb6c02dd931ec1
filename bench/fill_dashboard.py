# ruff: noqa: E501 - hand-written SQL reads best on long lines
"""Fill a SQLite bench database up to the dashboard's size (1M contacts, 200k deals, 2M
activities) with plain SQL, for when `seed_demo` at full size does not fit in the time
available (it runs at ~600 contacts/s on a shared machine). Rows bypass the services: this
is data to read, not a test of the write path; run `comptoir migrate` afterwards so the
dashboard's day counters are built from it (that also measures the build).

    .venv/bin/python bench/fill_dashboard.py --data-dir /tmp/seedbench

Activities: 30% notes, 25% calls, 25% tasks (half completed a day after their date), 12%
meetings (70% held), 8% emails (70% sent); 60% dated in 2026, the rest in 2024-2025; 85%
with one of the portal's owners. Each call is associated with a random contact.
"""

import argparse
import time

from common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    args = parser.parse_args()
    setup_django("sqlite", args.data_dir)

    from django.db import connection, transaction

    from comptoir.core.associations import types
    from comptoir.core.objects.registry import get_object_type
    from comptoir.core.pipelines.queries import stages

    calls, contacts = get_object_type("calls"), get_object_type("contacts")
    link = types.default_type(calls, contacts)
    stage_ids = [s.stage_id for s in stages().values() if s.pipeline_id == "default"]
    with connection.cursor() as c:
        owners = [r[0] for r in c.execute("SELECT id FROM users_owner ORDER BY id").fetchall()]
        have = c.execute("SELECT COUNT(*) FROM contacts_contact").fetchone()[0]
    pick = " ".join(f"WHEN {i} THEN {o}" for i, o in enumerate(owners))
    owner_sql = (
        f"CASE WHEN abs(random()) % 100 < 85 THEN CASE abs(random()) % {len(owners)} {pick} END END"
    )
    # 60% in 2026 (up to 27 November), the rest over 2024 and 2025.
    when_sql = (
        "CASE WHEN abs(random()) % 100 < 60 "
        "THEN datetime('2026-01-01', '+' || (abs(random()) % 28339200) || ' seconds') "
        "ELSE datetime('2024-01-01', '+' || (abs(random()) % 63158400) || ' seconds') END"
    )
    steps = []
    if have < args.contacts:
        steps.append(
            (
                "contacts",
                f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {args.contacts - have})
                INSERT INTO contacts_contact (properties, created_at, updated_at, archived, search_text, email, firstname, lastname, lifecyclestage, hubspot_owner_id)
                SELECT '{{}}', w, w, 0, '', 'fill' || i || '@example.net', 'Fill', 'Contact ' || i, 'lead', o
                FROM (SELECT i, {when_sql} AS w, {owner_sql} AS o FROM n)""",
            )
        )
    stage_case = "CASE abs(random()) % {n} {whens} END".format(
        n=len(stage_ids), whens=" ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(stage_ids))
    )
    steps.append(
        (
            "deals",
            f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {args.deals})
            INSERT INTO deals_deal (properties, created_at, updated_at, archived, search_text, dealname, amount, pipeline, dealstage, closedate, hubspot_owner_id)
            SELECT '{{}}', w, w, 0, '', 'Fill deal ' || i, (abs(random()) % 50000) + 500, 'default', {stage_case},
                   datetime(w, '+' || (abs(random()) % 180) || ' days'), o
            FROM (SELECT i, {when_sql} AS w, {owner_sql} AS o FROM n)""",
        )
    )
    steps.append(
        (
            "activities",
            f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {args.activities})
            INSERT INTO activities_activity (properties, created_at, updated_at, archived, search_text, object_type_name, hs_timestamp, hubspot_owner_id)
            SELECT CASE k
                WHEN 'emails' THEN json_object('hs_email_subject', 'Fill', 'hs_email_direction', CASE WHEN r < 70 THEN 'EMAIL' ELSE 'INCOMING_EMAIL' END)
                WHEN 'meetings' THEN CASE WHEN r < 70 THEN json_object('hs_meeting_title', 'Fill', 'hs_meeting_outcome', 'COMPLETED')
                                          WHEN r < 85 THEN json_object('hs_meeting_title', 'Fill', 'hs_meeting_outcome', 'CANCELED')
                                          ELSE json_object('hs_meeting_title', 'Fill') END
                WHEN 'tasks' THEN CASE WHEN r < 50 THEN json_object('hs_task_subject', 'Fill', 'hs_task_status', 'COMPLETED',
                                          'hs_task_completion_date', strftime('%Y-%m-%dT%H:%M:%S.000Z', w, '+1 day'))
                                       ELSE json_object('hs_task_subject', 'Fill', 'hs_task_status', 'NOT_STARTED') END
                WHEN 'calls' THEN json_object('hs_call_title', 'Fill')
                ELSE json_object('hs_note_body', 'Fill') END,
              w, w, 0, '', k, w, o
            FROM (SELECT i, abs(random()) % 100 AS r, {when_sql} AS w, {owner_sql} AS o,
                    CASE WHEN i % 100 < 30 THEN 'notes' WHEN i % 100 < 55 THEN 'calls' WHEN i % 100 < 80 THEN 'tasks'
                         WHEN i % 100 < 92 THEN 'meetings' ELSE 'emails' END AS k FROM n)""",
        )
    )
    steps.append(
        (
            "call links",
            f"""INSERT INTO core_association (from_type, from_id, to_type, to_id, type_id, category)
            SELECT 'calls', id, 'contacts', cid, {link.type_id}, '{link.category}' FROM (
              SELECT id, 1 + abs(random()) % (SELECT MAX(id) FROM contacts_contact) AS cid
              FROM activities_activity WHERE object_type_name = 'calls'
              AND id NOT IN (SELECT from_id FROM core_association WHERE from_type = 'calls'))""",
        )
    )
    steps.append(
        (
            "inverse links",
            f"""INSERT OR IGNORE INTO core_association (from_type, from_id, to_type, to_id, type_id, category)
            SELECT 'contacts', to_id, 'calls', from_id, {link.inverse_type_id}, category
            FROM core_association WHERE from_type = 'calls' AND to_type = 'contacts'""",
        )
    )
    steps.append(("analyze", "ANALYZE"))
    for name, sql in steps:
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
        print(f"{name}: {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
