"""`comptoir worker`: run background tasks, and enqueue periodic ones when due."""

import logging
import os
import socket
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from comptoir.core.scheduling.scheduler import tick

logger = logging.getLogger("comptoir.worker")


class Command(BaseCommand):
    help = "Run background tasks (imports, reminders, purges...) from the database queue."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="append", default=None, help="queue name(s)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="do not enqueue periodic jobs"
        )

    def handle(self, *args, **opts):
        worker_id = f"{socket.gethostname()}-{os.getpid()}"
        if not opts["no_scheduler"]:
            if opts["batch"]:
                tick(worker_id)
            else:
                threading.Thread(target=self._schedule, args=(worker_id,), daemon=True).start()
        worker = Worker(
            queue_names=opts["queue"] or ["*"],
            interval=opts["interval"],
            batch=opts["batch"],
            backend_name="default",
            startup_delay=not opts["batch"],
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if not opts["batch"]:
            worker.configure_signals()
        self.stdout.write(f"Worker {worker_id} started.")
        worker.run()

    def _schedule(self, worker_id: str) -> None:
        while True:
            try:
                close_old_connections()
                tick(worker_id)
            except Exception:  # keep scheduling after a transient database error
                logger.exception("scheduler tick failed")
            time.sleep(30)
