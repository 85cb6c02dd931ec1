"""Tracking benchmark (issue 17, points 3 and 9): the open pixel and the click redirect
through `comptoir serve`, beside a bare Django view's (/healthz) from the same server.

    .venv/bin/python bench/tracking.py --database sqlite --scale 0.1
    .venv/bin/python bench/tracking.py --database sqlite --scale 1     # the 1M-contact run
    .venv/bin/python bench/tracking.py --database postgres --scale 0.1 --mail-only

The database (bench/data/tracking-<database>, or PostgreSQL comptoir_bench_tracking) is
seeded on the first run: `seed_demo` with scale x (1M contacts, 100k companies, 200k deals,
1M activities), then scale x 100,000 sent emails with tracking on and scale x 1,000,000
events, so the pixel's SELECT and INSERT land on tables of a real portal's size.
`--mail-only` skips seed_demo (the pixel and the redirect read no CRM table; seeding 0.1
of the CRM on PostgreSQL takes over half an hour on the shared machine).

Load: CLIENTS processes on loopback, each with one keep-alive connection, sending requests
one after another for --seconds; the pixel and click URLs cycle over 500 emails (valid
signed tokens). The bare view, the pixel and the click are measured in turns, --runs
times each, compared by their medians. Each pixel or click request writes one event row,
as in production (queued by the server process and written in batches by its thread:
comptoir/mail/hits.py; the redirect reads nothing either: its token signs the address).
"""

import argparse
import http.client
import multiprocessing
import os
import statistics
import sys
import time

from common import ROOT, bench_database, free_port, start_server

SEED_ARGS = {"contacts": 1_000_000, "companies": 100_000, "deals": 200_000, "activities": 1_000_000}
EMAILS = 100_000
EVENTS = 1_000_000
CLIENTS = 4
SAMPLE = 500


def setup(database: str, data_dir: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    os.environ.setdefault("COMPTOIR_LOG_LEVEL", "WARNING")
    bench_database("tracking", database, data_dir=data_dir)
    import django

    django.setup()


def seed(scale: float, crm: bool = True) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from comptoir.contacts.models import Contact
    from comptoir.core.testing.factories import make_user
    from comptoir.mail import preferences
    from comptoir.mail.models import EmailEvent, OutboundEmail
    from comptoir.users.models import User

    call_command("migrate", verbosity=0)
    if crm and not Contact.objects.exists():
        counts = {k: int(v * scale) for k, v in SEED_ARGS.items()}
        start = time.perf_counter()
        call_command("seed_demo", seed=42, **counts)
        print(f"seeded {counts} in {time.perf_counter() - start:.0f} s")
    if OutboundEmail.objects.exists():
        return
    start = time.perf_counter()
    user = User.objects.order_by("pk").first() or make_user("bench@example.com")
    preferences.set_excluded_networks("10.0.0.0/8\n192.168.0.0/16\n2001:db8::/32")
    now = timezone.now()
    emails = int(EMAILS * scale)
    links = ["https://www.example.org/offre", "https://www.example.org/tarifs?x=1&y=2"]
    batch = []
    for n in range(emails):
        batch.append(
            OutboundEmail(
                user=user,
                status="sent",
                message_id=f"<bench-{n}@example.org>",
                sender_source="portal",
                from_address="bench@example.org",
                to=[f"Contact {n} <c{n}@example.com>"],
                subject=f"Offre {n}",
                html="<p>Offre</p>",
                text="Offre",
                send_at=now - dt.timedelta(days=1),
                sent_at=now - dt.timedelta(days=1),
                accepted_at=now - dt.timedelta(days=1),
                track_opens=True,
                track_clicks=True,
                tracked_links=links,
                sender_ip="192.0.2.1",
            )
        )
        if len(batch) == 5000:
            OutboundEmail.objects.bulk_create(batch)
            batch = []
    OutboundEmail.objects.bulk_create(batch)
    first = OutboundEmail.objects.order_by("pk").values_list("pk", flat=True).first()
    events, batch = int(EVENTS * scale), []
    for n in range(events):
        batch.append(
            EmailEvent(
                outbound_id=first + n % emails,
                kind="open" if n % 3 else "click",
                occurred_at=now - dt.timedelta(minutes=n % 10_000),
                ip="203.0.113.5",
                user_agent="Mozilla/5.0",
                tallied=True,
            )
        )
        if len(batch) == 10_000:
            EmailEvent.objects.bulk_create(batch)
            batch = []
    EmailEvent.objects.bulk_create(batch)
    print(f"{emails:,} emails and {events:,} events written in {time.perf_counter() - start:.0f} s")


AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def _client(args) -> tuple[int, list[float]]:
    port, paths, seconds, expected = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    done, times, i = 0, [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        conn.request("GET", paths[i % len(paths)], headers={"User-Agent": AGENT})
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        if response.status != expected:
            raise RuntimeError(f"{paths[i % len(paths)]}: {response.status}")
        done += 1
        i += 1
    conn.close()
    return done, times


def load(pool, port, paths, seconds, expected) -> tuple[float, float]:
    """(requests/s over all clients, median latency ms)."""
    shards = [paths[n::CLIENTS] or paths for n in range(CLIENTS)]
    results = pool.map(_client, [(port, shard, seconds, expected) for shard in shards])
    total = sum(done for done, _times in results)
    times = sorted(t for _done, ts in results for t in ts)
    return total / seconds, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of 1M contacts")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--data-dir")
    parser.add_argument(
        "--mail-only",
        action="store_true",
        help="seed only the emails and events (the pixel reads no CRM table), not seed_demo",
    )
    args = parser.parse_args()
    setup(args.database, args.data_dir)
    seed(args.scale, crm=not args.mail_only)

    from comptoir.contacts.models import Contact
    from comptoir.mail import tracking
    from comptoir.mail.models import EmailEvent, OutboundEmail

    ids = list(OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True)[:SAMPLE])
    pixels = [f"/t/o/{tracking.make_token(pk, tracking.OPEN)}/" for pk in ids]
    # The links as the emails carry them (tracking.rewrite): the token signs the address.
    links = dict(OutboundEmail.objects.filter(pk__in=ids).values_list("pk", "tracked_links"))
    clicks = [
        "/t/c/" + tracking.click_url(pk, pk % 2, links[pk][pk % 2]).split("/t/c/", 1)[1]
        for pk in ids
    ]
    events_before = EmailEvent.objects.count()
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    bares, opens, redirects = [], [], []
    try:
        with multiprocessing.Pool(CLIENTS) as pool:
            for paths, expected in ((["/healthz"], 200), (pixels, 200), (clicks, 302)):
                load(pool, port, paths, 2, expected)  # warm every process and thread
            for _ in range(args.runs):
                bares.append(load(pool, port, ["/healthz"], args.seconds, 200))
                opens.append(load(pool, port, pixels, args.seconds, 200))
                redirects.append(load(pool, port, clicks, args.seconds, 302))
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = EmailEvent.objects.count() - events_before

    def med(runs, i):
        return statistics.median(r[i] for r in runs)

    bare = med(bares, 0)
    print(
        f"\n{args.database}: {Contact.objects.count():,} contacts, "
        f"{OutboundEmail.objects.count():,} emails, {EmailEvent.objects.count():,} events; "
        f"comptoir serve {args.workers} processes x {args.threads} threads; {CLIENTS} "
        f"keep-alive clients, {args.seconds} s per run, median of {args.runs} runs in turns; "
        f"{written:,} events written during the runs\n"
    )
    print("| request | requests/s (runs) | median latency ms | ratio to the bare view | target |")
    print("|---|---|---|---|---|")
    for label, runs, target in (
        ("bare view `/healthz`", bares, "—"),
        ("open pixel `/t/o/<token>/`", opens, "≥ 0.5"),
        ("click redirect `/t/c/<token>/`", redirects, "≥ 0.5"),
    ):
        spread = ", ".join(f"{r[0]:.0f}" for r in runs)
        print(
            f"| {label} | **{med(runs, 0):.0f}** ({spread}) | {med(runs, 1):.2f} | "
            f"{med(runs, 0) / bare:.2f} | {target} |"
        )


if __name__ == "__main__":
    sys.exit(main())
