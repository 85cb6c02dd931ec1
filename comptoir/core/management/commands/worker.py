"""`comptoir worker`: run background tasks, and enqueue periodic ones when due.

Nothing a job does stops the worker: a job's exception marks the job failed (logged with
its traceback) and the loop goes on; a database error while claiming a job or marking it
finished (a lock held past the busy timeout, a lost connection) is logged and tried again.
Only a signal stops it (SIGTERM or Ctrl-C: after the job in progress); a supervisor
restarts it whatever the cause (docs/deployment.md)."""

import logging
import os
import socket
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from comptoir.core import operations
from comptoir.core.scheduling.scheduler import tick

logger = logging.getLogger("comptoir.worker")
PAUSE = 1.0  # seconds before trying again after a database error, doubled up to a minute


class Worker(db_worker.Worker):
    """django_tasks_db's worker, kept alive through database errors."""

    def run(self) -> None:
        pause, failed_at = PAUSE, 0.0
        while True:
            try:
                return super().run()
            except Exception:  # claiming a job failed (its BEGIN EXCLUSIVE timed out...)
                logger.exception("The worker could not look for jobs; trying again")
            self.startup_delay = False
            now = time.monotonic()
            pause = min(pause * 2, 60) if now - failed_at < 120 else PAUSE
            failed_at = now
            time.sleep(pause)

    def run_task(self, db_task_result) -> None:
        try:
            super().run_task(db_task_result)
        except Exception as exc:  # the job ran; saving how it ended failed
            logger.exception("Job %s: its end could not be saved", db_task_result.id)
            self._mark_failed(db_task_result, exc)

    def _mark_failed(self, db_task_result, exc) -> None:
        pause = PAUSE
        while True:
            time.sleep(pause)
            pause = min(pause * 2, 60)
            try:
                db_worker.close_old_connections()  # a broken connection is opened again
                db_task_result.set_failed(exc)
            except Exception:
                logger.exception("Job %s: still cannot mark it failed", db_task_result.id)
            else:
                logger.warning("Job %s marked failed", db_task_result.id)
                return


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
        started_at = timezone.now()
        operations.beat(worker_id, started_at)
        if not opts["batch"]:
            threading.Thread(target=self._beat, args=(worker_id, started_at), daemon=True).start()
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

    def _beat(self, worker_id: str, started_at) -> None:
        """Alive: /readyz, /metrics and Settings > Background jobs count live workers."""
        while True:
            time.sleep(operations.HEARTBEAT_SECONDS)
            try:
                close_old_connections()
                operations.beat(worker_id, started_at)
            except Exception:  # a busy or lost database: say so and beat again later
                logger.exception("heartbeat failed")

    def _schedule(self, worker_id: str) -> None:
        while True:
            try:
                close_old_connections()
                tick(worker_id)
            except Exception:  # keep scheduling after a transient database error
                logger.exception("scheduler tick failed")
            time.sleep(30)
