"""Prospects benchmark (issue 18, point 4; TOOL-6): the beacon endpoint `/p/collect`
through `comptoir serve`, in page views (events) written per second, beside a bare Django
view (/healthz) from the same server.

    .venv/bin/python bench/prospects.py --database sqlite
    .venv/bin/python bench/prospects.py --database postgres

The database (bench/data/prospects-<database>, or PostgreSQL comptoir_bench_prospects) is
seeded on the first run with the website's settings and PAGE_VIEWS raw page views (a
portal a few weeks into its retention period), so the INSERT lands on a table and indexes
of a real size.

Load: CLIENTS processes on loopback, each with one keep-alive connection, posting beacons
one after another for --seconds, as the snippet sends them (text/plain JSON, the website's
Origin, a consented visitor id, real-looking URLs and titles). Two shapes: one page view a
beacon (a visitor opening a page: the common case) and --batch page views a beacon (a
single-page application's views, or a tab's views flushed together when it is hidden).
Each shape is measured --runs times in turns with the bare view, compared by medians. Every
request is checked whole and written, as in production (public_views.collect).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import sys
import time

from common import ROOT, bench_database, free_port, start_server

PAGE_VIEWS = 500_000
CLIENTS = 4
SITE = "https://www.acme-shop.fr"
PATHS = ["/", "/tarifs", "/produits/robot-x", "/blog/automatiser-sa-prospection", "/contact"]


def setup(database: str, data_dir: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    os.environ.setdefault("COMPTOIR_LOG_LEVEL", "WARNING")
    bench_database("prospects", database, data_dir=data_dir)
    import django

    django.setup()


def seed() -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from comptoir.prospects import conf
    from comptoir.prospects.models import PageView

    call_command("migrate", verbosity=0)
    conf.save("acme-shop.fr", "198.51.100.0/24 durand.fr", 90, True)
    if PageView.objects.exists():
        return
    start = time.perf_counter()
    now = timezone.now()
    batch = []
    for n in range(PAGE_VIEWS):
        batch.append(
            PageView(
                occurred_at=now - dt.timedelta(seconds=n * 5),
                visitor=f"{n % 50_000:022d}",
                url=SITE + PATHS[n % len(PATHS)],
                referrer="https://www.google.fr/",
                title="Acme Shop",
                ip=f"81.250.{n % 250}.{n % 200 + 1}",
                user_agent="Mozilla/5.0",
                processed=True,
            )
        )
        if len(batch) == 10_000:
            PageView.objects.bulk_create(batch)
            batch = []
    PageView.objects.bulk_create(batch)
    print(f"{PAGE_VIEWS:,} page views written in {time.perf_counter() - start:.0f} s")


AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def bodies(batch: int, count: int = 200) -> list[bytes]:
    rng = random.Random(batch)
    found = []
    for n in range(count):
        visitor = "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789_-") for _ in range(22)
        )
        events = [
            {
                "u": SITE + rng.choice(PATHS) + f"?utm_source=newsletter&n={n}",
                "r": "https://www.google.fr/",
                "t": "Acme Shop - robots pour l'industrie",
            }
            for _ in range(batch)
        ]
        found.append(json.dumps({"v": visitor, "h": "", "i": "", "e": events}).encode())
    return found


def _client(args) -> tuple[int, list[float]]:
    port, path, payloads, seconds, expected = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    done, times, i = 0, [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        if payloads:
            conn.request(
                "POST",
                path,
                body=payloads[i % len(payloads)],
                headers={
                    "User-Agent": AGENT,
                    "Origin": SITE,
                    "Content-Type": "text/plain;charset=UTF-8",
                },
            )
        else:
            conn.request("GET", path, headers={"User-Agent": AGENT})
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        if response.status != expected:
            raise RuntimeError(f"{path}: {response.status}")
        done += 1
        i += 1
    conn.close()
    return done, times


def load(pool, port, path, payloads, seconds, expected) -> tuple[float, float]:
    """(requests/s over all clients, median latency ms)."""
    shards = [payloads[n::CLIENTS] for n in range(CLIENTS)] if payloads else [[]] * CLIENTS
    results = pool.map(_client, [(port, path, shard, seconds, expected) for shard in shards])
    total = sum(done for done, _times in results)
    times = sorted(t for _done, ts in results for t in ts)
    return total / seconds, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10, help="page views a beacon, second shape")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    setup(args.database, args.data_dir)
    seed()

    from comptoir.prospects.models import PageView

    single, batched = bodies(1), bodies(args.batch)
    before = PageView.objects.count()
    port = free_port()
    # All the load comes from 127.0.0.1: no per-address limit for the bench.
    env = {**os.environ, "COMPTOIR_LOG_LEVEL": "WARNING", "COMPTOIR_PROSPECTS_RATE_LIMIT": "0"}
    server = start_server(port, args.workers, args.threads, env=env)
    bares, ones, many = [], [], []
    try:
        with multiprocessing.Pool(CLIENTS) as pool:
            load(pool, port, "/healthz", None, 2, 200)  # warm every process and thread
            load(pool, port, "/p/collect", single, 2, 204)
            for _ in range(args.runs):
                bares.append(load(pool, port, "/healthz", None, args.seconds, 200))
                ones.append(load(pool, port, "/p/collect", single, args.seconds, 204))
                many.append(load(pool, port, "/p/collect", batched, args.seconds, 204))
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = PageView.objects.count() - before

    def med(runs, i):
        return statistics.median(r[i] for r in runs)

    print(
        f"\n{args.database}: {before:,} page views before the runs; comptoir serve "
        f"{args.workers} processes x {args.threads} threads; {CLIENTS} keep-alive clients, "
        f"{args.seconds} s per run, median of {args.runs} runs in turns; {written:,} page "
        f"views written during the runs (warm-up included)\n"
    )
    print("| request | requests/s (runs) | page views/s | median latency ms | target |")
    print("|---|---|---|---|---|")
    rows = (
        ("bare view `/healthz`", bares, 0, "—"),
        ("beacon, 1 page view", ones, 1, "≥ 1,000 page views/s"),
        (f"beacon, {args.batch} page views", many, args.batch, "≥ 1,000 page views/s"),
    )
    for label, runs, per, target in rows:
        spread = ", ".join(f"{r[0]:.0f}" for r in runs)
        events = f"**{med(runs, 0) * per:,.0f}**" if per else "—"
        print(
            f"| {label} | {med(runs, 0):,.0f} ({spread}) | {events} | {med(runs, 1):.2f} | "
            f"{target} |"
        )


if __name__ == "__main__":
    sys.exit(main())
