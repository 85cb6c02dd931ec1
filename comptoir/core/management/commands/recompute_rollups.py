"""`comptoir recompute_rollups`: recompute every record's rollups (last activity, last
contacted, numbers of activities and of associated records), a repair after a bug or a
restore. Batched: each record that changed is written in a short transaction of its own,
with its history (source AUTOMATION, "rollups"), so the CRM stays usable while it runs."""

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.records import rollups


class Command(BaseCommand):
    help = "Recompute the rollups of every contact, company and deal (in short batches)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=rollups.CHUNK)

    def handle(self, *args, batch_size: int, verbosity: int = 1, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        source = ChangeSource(type=SourceType.AUTOMATION, id="rollups")
        write = self.stdout.write if verbosity else None
        done = rollups.recompute_all(source, batch=batch_size, write=write)
        if verbosity:
            self.stdout.write(f"{sum(done.values())} records changed.")
