"""`comptoir demo`: what the README's first command runs after installing."""

import atexit
import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from comptoir.contacts.models import Contact
from comptoir.users.models import User
from comptoir.users.services import create_user

DEMO_EMAIL = "demo@comptoir.local"
DEMO_PASSWORD = "comptoir-demo"


class Command(BaseCommand):
    help = "Migrate, seed demo data on first run, print the URL and login, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="prepare only")
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start a background worker"
        )
        parser.add_argument(
            "--use-database-url",
            action="store_true",
            help="put the demo into the database DATABASE_URL names (by default refused)",
        )

    def handle(self, *args, **opts):
        # The demo is for trying Comptoir: a database named in the environment is more
        # likely a production one than a playground (comptoir init installs without demo).
        if os.environ.get("DATABASE_URL") and not opts["use_database_url"]:
            raise CommandError(
                "DATABASE_URL is set: comptoir demo would put demo data and a demo "
                "administrator into that database. For production use `comptoir init` "
                "(docs/deployment.md); for a demo on it, add --use-database-url."
            )
        call_command("migrate", interactive=False, verbosity=0)
        if User.objects.exists() and not User.objects.filter(email=DEMO_EMAIL).exists():
            raise CommandError(
                "This database has users already: comptoir demo seeds only a new database "
                "(or its own earlier demo). Use another COMPTOIR_DATA_DIR for a demo."
            )
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            create_user(
                DEMO_EMAIL,
                DEMO_PASSWORD,
                first_name="Camille",
                last_name="Martin",
                is_admin=True,
                team="Ventes",
                check_password=False,
            )

        if not Contact.objects.exists():
            self.stdout.write("Seeding demo data…")
            call_command("seed_demo", seed=1)
        host, _, port = opts["bind"].rpartition(":")
        self.stdout.write(
            self.style.SUCCESS(
                f"\nComptoir is ready: http://{host}:{port}/\n"
                f"Log in as {DEMO_EMAIL} with password {DEMO_PASSWORD}\n"
            )
        )
        self.stdout.flush()  # the URL and login show at once, even when output is a file
        if not opts["no_serve"]:
            if not opts["no_worker"]:
                self._start_worker()
            call_command("serve", bind=opts["bind"])

    def _start_worker(self) -> None:
        """One machine, one command: imports, exports and reminders need a worker beside
        the server; it stops with the demo."""
        worker = subprocess.Popen([sys.executable, "-m", "comptoir.manage", "worker"])
        atexit.register(worker.terminate)
        self.stdout.write(f"Background worker started (process {worker.pid}).")
        self.stdout.flush()
