"""`comptoir migrate_files`: move files written on this machine's disk before the storage
existed (imports, exports, attachments, photos) into the configured storage (the database
by default). Run it once on each machine that wrote files, after upgrading; running it
again does nothing."""

from django.core.management.base import BaseCommand

from comptoir.core.files.migration import migrate_files


class Command(BaseCommand):
    help = "Move files kept on this machine's disk into the configured storage."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep", action="store_true", help="Leave the old files where they are."
        )

    def handle(self, *args, keep, **options):
        log = self.stdout.write if options["verbosity"] > 1 else (lambda text: None)
        outcome = migrate_files(keep=keep, log=log)
        for missing in outcome.missing:
            self.stderr.write(f"No file for {missing} (left as it is).")
        self.stdout.write(f"Moved {len(outcome.moved)} files into the storage.")
