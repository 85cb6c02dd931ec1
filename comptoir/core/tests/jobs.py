"""Jobs for the worker's tests, run by a real `comptoir worker` (test_worker.py)."""

import os
import threading
import time
from pathlib import Path

from django.tasks import task

from comptoir.core.testing.processes import hold_lock


@task
def fail(message: str) -> None:
    raise RuntimeError(message)


@task
def leave(code: int) -> None:
    raise SystemExit(code)


@task
def echo(value: str) -> str:
    return value


@task
def lock_the_queue(ready: str, release: str) -> str:
    """Return while another connection holds the lock on the queue: saving how the job
    ended meets a locked database until the test releases it."""
    thread = threading.Thread(target=hold_lock, args=(Path(ready), Path(release)), daemon=True)
    thread.start()
    while thread.is_alive() and not Path(ready).exists():
        thread.join(0.05)
    assert Path(ready).exists(), "the lock could not be taken"
    return "done"


@task
def note_run(directory: str, name: str, pause: float = 0.0) -> str:
    """Leave one line per run in `directory/name` (which process ran it): a job run twice
    leaves two lines. `pause`: seconds the job lasts."""
    time.sleep(pause)
    with open(Path(directory) / name, "a") as handle:
        handle.write(f"{os.getpid()}\n")
    return name
