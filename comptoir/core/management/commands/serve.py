"""`comptoir serve`: the production server (gunicorn, threads), static files by WhiteNoise."""

import os
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import get_internal_wsgi_application

BIND_RE = re.compile(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$")


class Command(BaseCommand):
    help = "Serve Comptoir with a production WSGI server (not runserver)."
    # The checks import the URLs, hence the metrics: they run in handle(), once the metrics
    # know where the server's processes keep their counters.
    requires_system_checks = []

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
        _metrics_directory(settings.DATA_DIR / "metrics" / str(port))
        self.check()
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
                self.cfg.set("child_exit", _forget_process)

            def load(self):
                return application

        Server().run()


def _metrics_directory(path: Path) -> None:
    """Where each server process writes its metrics (comptoir/core/metrics.py): emptied at
    start, so that a restart begins from zero as Prometheus expects of a counter."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def _forget_process(server, worker) -> None:
    """gunicorn's child_exit hook: a dead process's gauges are dropped (its counters stay)."""
    # Imported here: prometheus_client decides at import whether it counts for several
    # processes, which PROMETHEUS_MULTIPROC_DIR (set in handle) tells it.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
