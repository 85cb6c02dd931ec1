"""`comptoir init`: make a database ready for production. It migrates, then creates the
first administrator (from flags, the environment or a prompt), and seeds nothing: the
demo data is `comptoir demo`'s alone. Run again, it only migrates (an upgrade)."""

import getpass
import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from comptoir.users.models import User
from comptoir.users.services import UserError, create_user


class Command(BaseCommand):
    help = "Migrate the database and create the first administrator (no demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="", help="the first administrator's email")
        parser.add_argument(
            "--password-file",
            default="",
            help="read the password from this file (else COMPTOIR_ADMIN_PASSWORD, else a prompt)",
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--no-input", action="store_true", help="never prompt (fail if something is missing)"
        )

    def handle(self, *args, **opts):
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if admin is not None:
            self.stdout.write(
                f"An administrator exists already ({admin.email}): nothing to create."
            )
            return
        interactive = not opts["no_input"] and sys.stdin.isatty()
        email = opts["email"] or self._ask("Administrator's email: ", interactive, "--email")
        password = self._password(opts["password_file"], interactive)
        try:
            user = create_user(
                email,
                password,
                first_name=opts["first_name"],
                last_name=opts["last_name"],
                is_admin=True,
            )
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created the administrator {user.email}.")
            + "\nNext: run `comptoir serve` and `comptoir worker` (docs/deployment.md), then "
            "sign in and invite your team in Settings > Users."
        )

    def _ask(self, prompt: str, interactive: bool, flag: str) -> str:
        if not interactive:
            raise CommandError(f"{flag} is required when nothing can be asked (--no-input).")
        return input(prompt).strip()

    def _password(self, path: str, interactive: bool) -> str:
        if path:
            try:
                with open(path, encoding="utf-8") as handle:
                    return handle.read().rstrip("\r\n")
            except OSError as exc:
                raise CommandError(
                    f"--password-file: cannot read {path} ({exc.strerror})."
                ) from None
        if os.environ.get("COMPTOIR_ADMIN_PASSWORD"):
            return os.environ["COMPTOIR_ADMIN_PASSWORD"]
        if not interactive:
            raise CommandError(
                "password: give --password-file or COMPTOIR_ADMIN_PASSWORD when nothing can "
                "be asked (--no-input)."
            )
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != first:
            raise CommandError("password: the two passwords differ.")
        return first
