"""`comptoir backup`: one archive of the database and the stored files (core/backups.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.backups import BackupError, create_backup, prune_backups


class Command(BaseCommand):
    help = "Write a backup archive (database, stored files, keys) and print its path."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="",
            help="directory of the archive (default: COMPTOIR_BACKUP_DIR, else <data dir>/backups)",
        )
        parser.add_argument("--keep", type=int, default=0, help="then keep only the N newest")

    def handle(self, *args, **opts):
        directory = Path(
            opts["output"] or settings.COMPTOIR_BACKUP_DIR or settings.DATA_DIR / "backups"
        )
        try:
            archive = create_backup(directory)
        except (BackupError, OSError) as exc:
            raise CommandError(f"backup: {exc}") from None
        self.stdout.write(str(archive))
        if opts["keep"] > 0:
            for old in prune_backups(directory, opts["keep"]):
                self.stderr.write(f"Deleted the older {old.name}")
