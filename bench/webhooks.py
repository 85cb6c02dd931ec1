"""Webhooks benchmark (issue 19, point 5): what the outbox costs the write path, and how
fast the worker sends.

    .venv/bin/python bench/webhooks.py --database sqlite [--updates 1000] [--rows 10000]
    .venv/bin/python bench/webhooks.py --database postgres

Each run starts from an empty database of its own (bench/data/webhooks-sqlite, or the
PostgreSQL database comptoir_bench_webhooks). Measured, alternating rounds without and with
subscriptions so that a noisy machine weighs on both alike (medians of the rounds):

* `--updates` single-record updates through the write path (`update_record` with an API
  source, as `PATCH /crm/v3/objects/contacts/{id}` calls it), each its own transaction;
  subscribed: `contact.propertyChange` of the property changed, so every update writes
  one event (and wakes the worker at most once a second);
* a bulk create of `--rows` contacts (`bulk_create_records`, the import path); subscribed:
  `contact.creation`, one event per row;
* then the worker's delivery of every event captured to a real HTTP receiver on
  loopback (http.server in a thread): batches of 100, signed, events/s.
"""

import argparse
import os
import resource
import shutil
import statistics
import sys
import time

from common import ROOT


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data_dir = ROOT / "bench" / "data" / f"webhooks-{args.database}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    os.environ["COMPTOIR_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if args.database == "postgres":
        import psycopg

        db = "comptoir_bench_webhooks"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {db}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    os.environ["COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS"] = "1"
    os.environ["COMPTOIR_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from comptoir.core.history.models import SourceType
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.properties import registry
    from comptoir.core.records.bulk import bulk_create_records
    from comptoir.core.records.writes import update_record
    from comptoir.core.testing.factories import make_contact, make_user
    from comptoir.users.services import create_token
    from comptoir.webhooks import delivery, services
    from comptoir.webhooks.models import WebhookEvent, WebhookSubscription
    from comptoir.webhooks.tests.receiver import Receiver

    call_command("migrate", verbosity=0)
    user = make_user("bench@example.com", role="Super admin")
    app, _raw = create_token(user, "Bench app")
    source = ChangeSource(type=SourceType.API, id=str(app.pk), actor_id=user.pk)
    receiver = Receiver()
    services.set_target(app, receiver.url)
    contacts = [make_contact(email=f"u{i}@bench.fr").pk for i in range(200)]
    counter = {"n": 0}

    def updates() -> float:
        start = time.perf_counter()
        for i in range(args.updates):
            counter["n"] += 1
            update_record(
                "contacts",
                contacts[i % len(contacts)],
                {"firstname": f"F{counter['n']}"},
                source=source,
            )
        return time.perf_counter() - start

    def bulk() -> float:
        counter["n"] += 1
        rows = [{"email": f"b{counter['n']}-{i}@bench.fr"} for i in range(args.rows)]
        start = time.perf_counter()
        result = bulk_create_records("contacts", rows, source=source)
        assert not result.errors
        return time.perf_counter() - start

    def subscribed(on: bool) -> None:
        WebhookSubscription.objects.all().delete()
        registry.invalidate()
        if on:
            services.create_subscription(app, "contacts", "propertyChange", "firstname")
            services.create_subscription(app, "contacts", "creation")

    times = {("updates", False): [], ("updates", True): [], ("bulk", False): [], ("bulk", True): []}
    for _round in range(args.rounds):
        for on in (False, True):
            subscribed(on)
            times[("updates", on)].append(updates())
            times[("bulk", on)].append(bulk())
    events = WebhookEvent.objects.count()
    expected = args.rounds * (args.updates + args.rows)
    assert events == expected, (events, expected)

    start = time.perf_counter()
    delivered = 0
    while True:
        done = delivery.deliver_due("bench")
        if not done:
            break
        delivered += done
    sending = time.perf_counter() - start
    received = sum(r["body"].count('"eventId"') for r in receiver.requests)
    receiver.stop()
    assert received == events, (received, events)

    def med(key):
        return statistics.median(times[key])

    print(f"database: {args.database}, rounds: {args.rounds}")
    u0, u1 = med(("updates", False)), med(("updates", True))
    print(
        f"{args.updates} updates: {u0:.2f} s without, {u1:.2f} s with a subscription "
        f"({u0 / args.updates * 1000:.2f} → {u1 / args.updates * 1000:.2f} ms each, "
        f"{(u1 / u0 - 1) * 100:+.0f} %)"
    )
    b0, b1 = med(("bulk", False)), med(("bulk", True))
    print(
        f"bulk create of {args.rows}: {b0:.2f} s without, {b1:.2f} s with "
        f"({(b1 / b0 - 1) * 100:+.0f} %)"
    )
    print(
        f"delivery: {events} events in {delivered} batches, {sending:.1f} s, "
        f"{events / sending:.0f} events/s"
    )
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
