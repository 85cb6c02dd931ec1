"""`comptoir rotate_secret_keys`: re-encrypt every stored secret with the newest key.

Run it after putting a new key first in COMPTOIR_SECRET_KEYS (or in the data dir's
`secret_keys` file: `--new-key` prints one, `--add-key` prepends one to that file); once it
reports nothing left to rotate, the old keys can be removed. It works in batches, each row
is updated only if it still holds the token that was read (a concurrent change wins), and a
second run finds nothing to do."""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from comptoir.core import secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored secret (mail passwords...) with the newest secret key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--new-key", action="store_true", help="Print a new key and change nothing."
        )
        parser.add_argument(
            "--add-key",
            action="store_true",
            help="Prepend a new key to the data dir's key file, then rotate.",
        )

    def handle(self, *args, batch_size, new_key, add_key, **options):
        if new_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if add_key:
            if getattr(settings, "COMPTOIR_SECRET_KEYS", None):
                raise CommandError(
                    "The keys come from COMPTOIR_SECRET_KEYS: put the new key first there."
                )
            path = secrets.key_file()
            old = path.read_text() if path.exists() else ""
            path.write_text(Fernet.generate_key().decode() + "\n" + old)
            path.chmod(0o600)
        rotated = unreadable = 0
        for model, field in secrets.secret_fields():
            done, lost = self._rotate(model, field, batch_size)
            rotated += done
            unreadable += lost
        self.stdout.write(f"{rotated} secret(s) re-encrypted with the newest key.")
        if unreadable:
            self.stderr.write(
                f"{unreadable} secret(s) could not be read with any current key and were left "
                "as they are: their owners must enter them again."
            )

    def _rotate(self, model, field, batch_size) -> tuple[int, int]:
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        column = connection.ops.quote_name(field.column)
        select = (
            f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} <> '' "
            f"ORDER BY {pk} LIMIT %s"
        )
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"
        last, rotated, unreadable = None, 0, 0
        while True:
            with connection.cursor() as cursor:
                if last is None:
                    cursor.execute(select.replace(f"{pk} > %s AND ", ""), [batch_size])
                else:
                    cursor.execute(select, [last, batch_size])
                rows = cursor.fetchall()
            if not rows:
                return rotated, unreadable
            with transaction.atomic(), connection.cursor() as cursor:
                for row_pk, token in rows:
                    try:
                        new = secrets.rotated(token)
                    except InvalidToken:
                        unreadable += 1
                        continue
                    if new is not None:
                        cursor.execute(update, [new, row_pk, token])
                        rotated += cursor.rowcount
            last = rows[-1][0]
