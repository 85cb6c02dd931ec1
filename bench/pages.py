"""Server time of browser pages at 1M contacts (issue 4, point 12).

    .venv/bin/python bench/pages.py --database sqlite --data-dir /tmp/seedbench

Each page is rendered in-process by Django's test client (the time the server spends,
without the network), beside the raw SQL the page needs (bounded count and the rows).

    .venv/bin/python bench/pages.py --catalogue --database sqlite --scale 0.1

runs instead the list pages of the click catalogue (issue 16) over HTTP through
`comptoir serve`: bench/catalogue.py with `--forms page`; its options apply.
"""

import argparse
import json
import sys
from urllib.parse import urlencode

from common import measure, setup_django

LIST_FILTER = [
    {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}]}
]


def main() -> None:
    if "--catalogue" in sys.argv:
        import catalogue

        sys.argv = [a for a in sys.argv if a != "--catalogue"] + ["--forms", "page"]
        return catalogue.main()
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    setup_django(args.database, args.data_dir)

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from comptoir.contacts.models import Contact
    from comptoir.users.models import User

    setup_test_environment()
    client = Client()
    user = User.objects.order_by("pk").first()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    sqlite = connection.vendor == "sqlite"
    contact = (
        Contact.objects.filter(archived=False).order_by("-pk").values_list("pk", flat=True)[1000]
    )

    def page(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    lower = "comptoir_lower" if sqlite else "LOWER"

    def raw_list():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM contacts_contact WHERE archived = %s "
                "AND lifecyclestage = %s LIMIT 10001) AS page",
                [False, "customer"],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT * FROM contacts_contact WHERE archived = %s AND lifecyclestage = %s "
                "ORDER BY created_at DESC, id DESC LIMIT 26",
                [False, "customer"],
            )
            cursor.fetchall()

    url = "/contacts/?" + urlencode({"filters": json.dumps(LIST_FILTER)})
    rows = [
        ("contacts list, 25 rows, 8 columns, one filter", page(url), raw_list, "< 150 ms"),
        ("contacts list, sorted by last name", page("/contacts/?sort=lastname"), None, ""),
        ("contacts list, full-text search", page("/contacts/?q=martin"), None, ""),
        ("contact record page", page(f"/contacts/{contact}/"), None, ""),
        ("deals board (default pipeline)", page("/deals/board/"), None, ""),
        ("tasks page (due today)", page("/tasks/"), None, ""),
    ]
    print(f"\n{args.database}: {Contact.objects.count():,} contacts; server time in-process\n")
    print("| page | median ms | p95 ms | raw SQL median ms | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name, fn, raw_fn, target in rows:
        ours = measure(fn, runs=20)
        raw = measure(raw_fn, runs=20) if raw_fn else None
        ratio = f"{ours['median'] / raw['median']:.1f}x" if raw else "—"
        raw_text = f"{raw['median']:.1f}" if raw else "—"
        print(
            f"| {name} | {ours['median']:.1f} | {ours['p95']:.1f} | {raw_text} | {ratio} "
            f"| {target} |"
        )
    print(f"\n(`{lower}` is the Unicode case folding the list sorts with.)")


if __name__ == "__main__":
    main()
