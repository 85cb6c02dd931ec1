"""`comptoir seed_demo`: fill the CRM with realistic French and English demo data."""

import os
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from comptoir.core.db import refresh_statistics
from comptoir.demo.plan import Counts
from comptoir.demo.seeder import Seeder, SeedError

DEFAULTS = {"companies": 300, "contacts": 2000, "deals": 500, "activities": 3000}


def whole_number(option: str, value, *, minimum: int | None = 0) -> int:
    """An integer option (from the command line or call_command), or a CommandError."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("+-").isdecimal():
        number = int(value.strip())
    if number is None:
        raise CommandError(f"--{option} must be a whole number, got {value!r}.")
    if minimum is not None and number < minimum:
        raise CommandError(f"--{option} must be {minimum} or more, got {number}.")
    return number


def auto_jobs(counts: Counts) -> int:
    """Two writer processes for big runs on a machine with two cores or more."""
    total = counts.companies + counts.contacts + counts.deals + counts.activities
    if total < 20_000 or (os.cpu_count() or 1) < 2 or in_memory_database():
        return 1
    return 2


def in_memory_database() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


class Command(BaseCommand):
    help = (
        "Create demo companies, contacts, deals and activities (and demo owners when there "
        "are no users yet), through the bulk write path with history and associations."
    )

    def add_arguments(self, parser):
        for name, default in DEFAULTS.items():
            parser.add_argument(f"--{name}", default=default, help=f"how many (default {default})")
        parser.add_argument("--seed", default=None, help="same seed, same data (default: random)")
        parser.add_argument(
            "--batch-size", default=10_000, help="records per transaction (default 10000)"
        )
        parser.add_argument(
            "--jobs",
            default=None,
            help="writer processes (default: 2 for big runs with 2+ cores, else 1)",
        )

    def handle(self, *args, **opts):
        counts = Counts(**{name: whole_number(name, opts[name]) for name in DEFAULTS})
        batch_size = whole_number("batch-size", opts["batch_size"], minimum=1)
        if opts["jobs"] is None:
            jobs = auto_jobs(counts)
        else:
            jobs = whole_number("jobs", opts["jobs"], minimum=1)
            if jobs > 1 and in_memory_database():
                raise CommandError("--jobs must be 1 with an in-memory SQLite database.")
        if opts["seed"] is None:
            seed = random.SystemRandom().randrange(1_000_000)
        else:
            seed = whole_number("seed", opts["seed"], minimum=None)
        if counts.contacts == 0 and (counts.deals or counts.activities):
            raise CommandError("--deals and --activities need --contacts to be 1 or more.")

        def write(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            created = Seeder(counts, seed=seed, batch_size=batch_size, jobs=jobs, write=write).run()
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        refresh_statistics()  # a bulk load leaves the planner's statistics stale
        kinds = ", ".join(
            f"{created[k]:,} {k}" for k in ("notes", "tasks", "calls", "meetings", "emails")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created['companies']:,} companies, {created['contacts']:,} contacts, "
                f"{created['deals']:,} deals and {created['activities']:,} activities "
                f"({kinds}) over {created['owners']} owners "
                f"({created['new users']} new demo users) in {created['seconds']:.1f} s "
                f"(--seed {seed})."
            )
        )
