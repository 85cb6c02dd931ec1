"""`comptoir restore ARCHIVE`: a backup into a new, empty installation (core/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.backups import BackupError, restore, verify


class Command(BaseCommand):
    help = "Check a backup archive and restore it into this installation's empty database."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--check", action="store_true", help="only check the archive")

    def handle(self, *args, **opts):
        path = Path(opts["archive"])
        if not path.is_file():
            raise CommandError(f"restore: {path} is not a file.")
        try:
            if opts["check"]:
                archive = verify(path)
                made = archive.manifest
                self.stdout.write(
                    f"{path.name}: intact, {len(made['members'])} members, "
                    f"made {made['created_at']} by Comptoir {made['comptoir']}."
                )
                return
            archive = restore(path, log=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise CommandError(f"restore: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Restored {path.name} ({archive.manifest['created_at']}).")
        )
