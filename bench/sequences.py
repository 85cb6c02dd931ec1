"""Sequences benchmark (issue 18, point 2): N active enrolments all due at once, run by the
worker's periodic job (`engine.run_due`) within the send rules.

    .venv/bin/python bench/sequences.py --database sqlite [--enrollments 10000]
    .venv/bin/python bench/sequences.py --database postgres

Each run starts from an empty database of its own (bench/data/sequences-sqlite, or the
PostgreSQL database comptoir_bench_sequences), seeded with --mailboxes reps (each with a
connected mailbox), N contacts (bulk write path) and N enrolments (spread over the reps)
in a 3-step sequence (automated email, a follow-up 2 business days later, a call task),
all due on a Tuesday at 10:00 in Paris, inside the 8-18 send window.

Two runs are timed:

1. At 10:00: every enrolment is looked at once; each mailbox sends its daily limit
   (--limit), each email written through the mail app (OutboundEmail, its engagement on
   the contact's timeline with history, the send task queued); the others wait for the
   next business day's window (Wednesday 08:00).
2. At 21:00 the same day, on a copy of the same situation made due again: all are outside
   the window and wait (the cost of the rule alone).

Checked after run 1: no mailbox over its limit, every email written inside the window,
nothing left due. Reported: times, emails/s and enrolments/s, and the process's peak
resident memory (ru_maxrss). SMTP sending itself is bench/send_emails.py's subject.
"""

import argparse
import datetime as dt
import os
import resource
import sys
import time

from common import ROOT, bench_database

TUESDAY_10 = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris
TUESDAY_21 = dt.datetime(2026, 3, 3, 20, 0, tzinfo=dt.UTC)


def fresh_database(database: str) -> None:
    bench_database("sequences", database, fresh=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    os.environ.setdefault("COMPTOIR_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(enrollments: int, mailboxes: int, limit: int):
    from comptoir.core.history.models import SourceType
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.records.bulk import bulk_create_records
    from comptoir.core.testing.factories import make_user
    from comptoir.emailtemplates.services import create_template
    from comptoir.mail import services as mail_services
    from comptoir.sequences import services
    from comptoir.sequences.models import Enrollment, SequenceSettings

    reps = []
    for n in range(mailboxes):
        rep = make_user(f"rep{n}@example.com", first_name=f"Rep{n}")
        mail_services.connect_mailbox(
            rep,
            {
                "email_address": f"rep{n}@example.com",
                "provider": "",
                "smtp_host": "127.0.0.1",
                "smtp_port": 2525,
                "smtp_security": "none",
                "smtp_username": "",
                "smtp_password": "",
                "imap_host": "127.0.0.1",
                "imap_port": 993,
                "imap_security": "ssl",
            },
        )
        reps.append(rep)
    SequenceSettings.objects.create(pk=SequenceSettings.SINGLETON, daily_limit=limit)
    owner = reps[0]
    template = create_template(
        owner,
        name="Premier contact",
        subject="Bonjour {{ contact.firstname }}",
        body="<p>Bonjour {{ contact.firstname }}, voici notre offre.</p>",
        shared=True,
    )
    sequence = services.save_sequence(
        owner, {"name": "Bench", "shared": True, "window_start": 8, "window_end": 18}
    )
    services.save_step(owner, sequence, {"kind": "email", "delay_days": 0, "template": template.pk})
    services.save_step(owner, sequence, {"kind": "email", "delay_days": 2, "template": template.pk})
    services.save_step(owner, sequence, {"kind": "call", "delay_days": 1, "title": "Appeler"})
    rows = [
        {"email": f"c{n}@client.example", "firstname": f"Client{n}", "lastname": "Bench"}
        for n in range(enrollments)
    ]
    start = time.perf_counter()
    result = bulk_create_records(
        "contacts", rows, source=ChangeSource(type=SourceType.IMPORT), rollups_now=False
    )
    ids = [pk for pk in result.ids if pk is not None]
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                sequence=sequence,
                contact_id=pk,
                user=reps[n % mailboxes],
                due_at=TUESDAY_10,
                enrolled_at=TUESDAY_10,
                updated_at=TUESDAY_10,
            )
            for n, pk in enumerate(ids)
        ],
        batch_size=2000,
    )
    print(f"seeded {len(ids):,} contacts and enrolments in {time.perf_counter() - start:.0f} s")
    return reps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--enrollments", type=int, default=10_000)
    parser.add_argument("--mailboxes", type=int, default=10)
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args()
    fresh_database(args.database)
    reps = seed(args.enrollments, args.mailboxes, args.limit)

    from django.db.models import Count

    from comptoir.mail.models import OutboundEmail
    from comptoir.sequences import engine
    from comptoir.sequences.models import Enrollment, StepExecution

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcomes = engine.run_due(TUESDAY_10, seconds=10**6)
    first = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    emails = outcomes.get("email", 0)
    per_sender = dict(
        StepExecution.objects.values("sender_id")
        .annotate(n=Count("pk"))
        .values_list("sender_id", "n")
    )
    assert max(per_sender.values()) <= args.limit, per_sender
    assert emails == min(args.enrollments, args.limit * len(reps)), outcomes
    assert not Enrollment.objects.filter(state="active", due_at__lte=TUESDAY_10).exists()
    paris = engine.zone_named("Europe/Paris")
    waiting = set(
        Enrollment.objects.filter(executions__isnull=True).values_list("due_at", flat=True)
    )
    assert waiting <= {dt.datetime(2026, 3, 4, 8, tzinfo=paris)}, waiting
    assert OutboundEmail.objects.count() == emails

    # Run 2: the same enrolments made due again, at night.
    Enrollment.objects.filter(executions__isnull=True).update(due_at=TUESDAY_21)
    deferred_n = Enrollment.objects.filter(executions__isnull=True).count()
    start = time.perf_counter()
    night = engine.run_due(TUESDAY_21, seconds=10**6)
    second = time.perf_counter() - start
    assert night.get("deferred", 0) == deferred_n, night

    print(
        f"{args.database}: {args.enrollments:,} enrolments due, {len(reps)} mailboxes, "
        f"limit {args.limit}/day"
    )
    print(
        f"  run at 10:00: {first:.1f} s, {outcomes}: {emails / first:.1f} emails/s, "
        f"{args.enrollments / first:.0f} enrolments/s"
    )
    print(
        f"  run at 21:00: {second:.1f} s for {deferred_n:,} held by the window "
        f"({deferred_n / second:.0f}/s)"
    )
    print(f"  peak RSS {rss_after / 1024:.0f} MB (before the runs: {rss_before / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
