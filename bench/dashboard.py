# ruff: noqa: E501 - hand-written SQL reads best on long lines
"""Server time of the sales dashboard (issue 5, DASH-1..5) at 1M contacts, 200k deals and
2M activities, for several filter combinations:

    .venv/bin/python bench/dashboard.py --database sqlite --data-dir /tmp/seedbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/comptoir_bench_dash \
        .venv/bin/python bench/dashboard.py --database postgres

The page is rendered in-process by Django's test client (the time the server spends,
without the network), beside the same figures computed by hand-written SQL on the same
database (the ratio survives a noisy machine). Target: under 300 ms for any combination.
"""

import argparse
from urllib.parse import urlencode

from common import measure, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    setup_django(args.database, args.data_dir)

    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import setup_test_environment

    from comptoir.activities.models import Activity
    from comptoir.contacts.models import Contact
    from comptoir.dashboard.filters import DashboardFilters
    from comptoir.deals.models import Deal
    from comptoir.users.models import Owner, Team, User

    setup_test_environment()
    client = Client()
    user = User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.first()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    owner = Owner.objects.filter(archived=False).order_by("pk").first()
    team = Team.objects.order_by("pk").first()

    combos = [
        ("this month, everyone", {}),
        ("this week, everyone", {"period": "this_week"}),
        ("this quarter, everyone", {"period": "this_quarter"}),
        ("this year, everyone", {"period": "this_year"}),
        ("last quarter, one owner", {"period": "last_quarter", "who": f"owner:{owner.pk}"}),
        ("this year, one owner", {"period": "this_year", "who": f"owner:{owner.pk}"}),
        (
            "custom 3 years, everyone",
            {"period": "custom", "from": "2024-01-01", "to": "2026-12-31"},
        ),
    ]
    if team is not None:
        combos.append(
            ("this quarter, a team", {"period": "this_quarter", "who": f"team:{team.pk}"})
        )

    def page(params):
        url = "/dashboard/?" + urlencode(params)

        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    def raw(params):
        """The page's figures in hand-written SQL: forecast per stage, four productivity
        counts per owner, the weekly chart's rows, contacts with an owner, contacts called,
        deals created."""
        request = RequestFactory().get("/dashboard/", params)
        request.user = user
        f = DashboardFilters.from_request(request)
        start, end = f.period.start, f.period.end
        owners = f.owner_ids
        own = (
            ""
            if owners is None
            else f" AND hubspot_owner_id IN ({','.join(map(str, owners or [0]))})"
        )
        pg = connection.vendor == "postgresql"
        prop = (
            (lambda k: f"properties ->> '{k}'")
            if pg
            else (lambda k: f"json_extract(properties, '$.{k}')")
        )
        iso = lambda d: d.astimezone(__import__("datetime").UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731

        def run():
            with connection.cursor() as c:
                c.execute(
                    "SELECT dealstage, COUNT(*), SUM(amount) FROM deals_deal WHERE archived = %s "
                    f"AND pipeline = %s AND closedate >= %s AND closedate < %s{own} GROUP BY dealstage",
                    [False, f.pipeline, start, end],
                )
                c.fetchall()
                for kind, extra in (
                    ("calls", ""),
                    ("emails", f" AND {prop('hs_email_direction')} = 'EMAIL'"),
                    (
                        "meetings",
                        f" AND ({prop('hs_meeting_outcome')} IS NULL OR "
                        f"{prop('hs_meeting_outcome')} NOT IN ('CANCELED','NO_SHOW','RESCHEDULED'))",
                    ),
                ):
                    c.execute(
                        "SELECT hubspot_owner_id, COUNT(*) FROM activities_activity WHERE "
                        "object_type_name = %s AND archived = %s AND hs_timestamp >= %s AND "
                        f"hs_timestamp < %s{own}{extra} AND hubspot_owner_id IS NOT NULL "
                        "GROUP BY hubspot_owner_id",
                        [kind, False, start, end],
                    )
                    c.fetchall()
                c.execute(
                    "SELECT hubspot_owner_id, COUNT(*) FROM activities_activity WHERE "
                    f"object_type_name = 'tasks' AND archived = %s AND {prop('hs_task_status')} = 'COMPLETED' "
                    f"AND {prop('hs_task_completion_date')} >= %s AND {prop('hs_task_completion_date')} < %s{own} "
                    "AND hubspot_owner_id IS NOT NULL GROUP BY hubspot_owner_id",
                    [False, iso(start), iso(end)],
                )
                c.fetchall()
                c.execute(
                    "SELECT hubspot_owner_id, hs_timestamp FROM activities_activity WHERE "
                    "object_type_name IN ('calls','emails','meetings') AND archived = %s AND "
                    f"hs_timestamp >= %s AND hs_timestamp < %s{own} AND hubspot_owner_id IS NOT NULL",
                    [False, start, end],
                )
                c.fetchall()
                c.execute(
                    "SELECT COUNT(*), COUNT(hubspot_owner_id) FROM contacts_contact WHERE archived = %s",
                    [False],
                )
                c.fetchall()
                c.execute(
                    "SELECT COUNT(*) FROM contacts_contact WHERE archived = %s AND id IN (SELECT a.to_id "
                    "FROM core_association a WHERE a.from_type = 'calls' AND a.to_type = 'contacts' AND "
                    "a.from_id IN (SELECT id FROM activities_activity WHERE object_type_name = 'calls' "
                    f"AND archived = %s AND hs_timestamp >= %s AND hs_timestamp < %s{own}))",
                    [False, False, start, end],
                )
                c.fetchall()
                c.execute(
                    "SELECT COUNT(*) FROM deals_deal WHERE archived = %s AND pipeline = %s AND "
                    f"created_at >= %s AND created_at < %s{own}",
                    [False, f.pipeline, start, end],
                )
                c.fetchall()

        return run

    print(
        f"\n{args.database}: {Contact.objects.count():,} contacts, {Deal.objects.count():,} deals, "
        f"{Activity.objects.count():,} activities; server time in-process\n"
    )
    print("| filters | median ms | p95 ms | raw SQL median ms | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name, params in combos:
        ours = measure(page(params), runs=args.runs, warmup=2)
        base = measure(raw(params), runs=args.runs, warmup=2)
        ratio = ours["median"] / base["median"]
        print(
            f"| {name} | {ours['median']:.1f} | {ours['p95']:.1f} | {base['median']:.1f} "
            f"| {ratio:.1f}x | < 300 ms |",
            flush=True,
        )


if __name__ == "__main__":
    main()
