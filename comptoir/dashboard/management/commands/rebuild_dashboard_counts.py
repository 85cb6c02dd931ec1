"""`comptoir rebuild_dashboard_counts`: recount the dashboard's counters from the records."""

import time

from django.core.management.base import BaseCommand

from comptoir.dashboard import counts


class Command(BaseCommand):
    help = "Recount the dashboard's per-day activity counters and per-owner contact counters."

    def handle(self, *args, **opts):
        started = time.monotonic()
        rows = counts.rebuild()
        self.stdout.write(f"{rows} day counters in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        counts.rebuild_contacts()
        self.stdout.write(f"contact counters in {time.monotonic() - started:.1f} s")
