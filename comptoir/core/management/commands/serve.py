"""`comptoir serve`: the production server (gunicorn, threads), static files by WhiteNoise."""

import os
import re

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import get_internal_wsgi_application

BIND_RE = re.compile(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$")


class Command(BaseCommand):
    help = "Serve Comptoir with a production WSGI server (not runserver)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.COMPTOIR_BIND)
        # 0: one process per core plus one, at most 4.
        parser.add_argument("--workers", type=int, default=settings.WEB_CONCURRENCY)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, **opts):
        match = BIND_RE.match(opts["bind"])
        if not match or not 0 < int(match.group(2)) < 65536:
            raise CommandError(
                f"--bind (or COMPTOIR_BIND) {opts['bind']!r}: use host:port, e.g. 127.0.0.1:8000"
            )
        port = int(match.group(2))
        workers = opts["workers"] or min(4, (os.cpu_count() or 1) + 1)
        call_command("collectstatic", interactive=False, verbosity=0)

        from gunicorn.app.base import BaseApplication

        # The project's WSGI application (settings.WSGI_APPLICATION), as runserver finds it.
        application = get_internal_wsgi_application()

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", [opts["bind"]])
                self.cfg.set("workers", workers)
                self.cfg.set("threads", opts["threads"])
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("accesslog", "-")
                self.cfg.set("timeout", 120)
                # gunicorn's control socket (gunicornc) lives with the server's other files,
                # one per port so that two servers sharing a data directory keep theirs apart
                # (gunicorn would put it under $HOME otherwise).
                self.cfg.set("control_socket", str(settings.DATA_DIR / f"gunicorn-{port}.ctl"))

            def load(self):
                return application

        Server().run()
