"""Documents benchmark (issue 18, point 1): what a shared document's reader costs the
server. Every open reader posts a beacon every 10 seconds (comptoir/documents/
public_views.py: one locked SELECT of the view, one UPDATE or INSERT per page read, one
UPDATE of the view); the document's page reads its figures in a constant number of
queries whatever its views.

    .venv/bin/python bench/documents.py --database sqlite [--views 2000 --beacons 4000]
    .venv/bin/python bench/documents.py --database postgres

Each run starts from an empty database of its own (bench/data/documents-sqlite, or the
PostgreSQL database comptoir_bench_documents). Measured in-process through Django's test
client (the whole request: middleware, view, transaction), one request after another:
beacons against /healthz (a bare view, no database) as the baseline; then the document's
page with --views views of 10 pages read each. Reported: median and p95 ms, beacons/s,
and how many readers one process serves at one beacon per 10 s each.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time

from common import ROOT, bench_database

PAGES = 10


def fresh_database(database: str) -> None:
    bench_database("documents", database, fresh=True)
    os.environ.setdefault("COMPTOIR_LOG_LEVEL", "WARNING")


def timed(fn, count: int) -> list[float]:
    times = []
    for i in range(count):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def summary(times: list[float]) -> str:
    median = statistics.median(times)
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    return f"median {median:.2f} ms, p95 {p95:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--views", type=int, default=2000)
    parser.add_argument("--beacons", type=int, default=4000)
    args = parser.parse_args()
    fresh_database(args.database)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from comptoir.core.testing.factories import make_user
    from comptoir.documents import services
    from comptoir.documents.models import PageTime, ViewSession
    from comptoir.documents.tests.pdfs import make_pdf

    call_command("migrate", verbosity=0)
    user = make_user("bench@example.com", first_name="Bench")
    document = services.upload_document(
        user, SimpleUploadedFile("offre.pdf", make_pdf(PAGES)), name="Offre"
    )
    link = services.create_link(user, document, email="reader@client.fr")
    readers = [services.start_view(link) for _ in range(200)]
    long_ago = timezone.now() - dt.timedelta(days=1)  # each beacon finds time elapsed
    ViewSession.objects.update(last_seen_at=long_ago)
    client = Client()
    url = f"/d/{link.token}/beacon/"

    def bare(i):
        assert client.get("/healthz").status_code == 200

    def beacon(i):
        reader = readers[i % len(readers)]
        data = {"s": reader.key, "page": str(1 + i % PAGES), "seconds": "10"}
        response = client.post(url, data)
        assert response.status_code == 204, response.content
        if i % len(readers) == len(readers) - 1:
            ViewSession.objects.update(last_seen_at=long_ago)

    baseline = timed(bare, min(args.beacons, 2000))
    beacons = timed(beacon, args.beacons)
    per_second = 1000 / statistics.median(beacons)
    print(f"Database: {args.database}")
    print(f"bare view (/healthz): {summary(baseline)}")
    print(f"beacon ({args.beacons}, 200 readers, {PAGES} pages): {summary(beacons)}")
    print(
        f"  {per_second:.0f} beacons/s in one process: {per_second * 10:.0f} readers at one "
        "beacon per 10 s"
    )

    # The document's page with many views (rows written in bulk: what is measured is reading).
    started = time.perf_counter()
    sessions = ViewSession.objects.bulk_create(
        ViewSession(
            link=link,
            document=document,
            key=f"bench-{n}",
            viewer_email=f"r{n % 500}@client.fr",
            seconds=PAGES * 12,
        )
        for n in range(args.views)
    )
    PageTime.objects.bulk_create(
        PageTime(session=s, page=p, seconds=12) for s in sessions for p in range(1, PAGES + 1)
    )
    print(f"{args.views} views of {PAGES} pages written in {time.perf_counter() - started:.1f} s")
    client.force_login(user)

    def detail(i):
        assert client.get(f"/sales-tools/documents/{document.pk}/").status_code == 200

    print(f"document page ({args.views + len(readers)} views): {summary(timed(detail, 50))}")


if __name__ == "__main__":
    main()
