"""`comptoir worker` outlives whatever a job or the database does (issue 13): a real worker
process, real jobs (comptoir/core/tests/jobs.py), a lock really held by another connection
(on SQLite the database's write lock, on PostgreSQL the queue table's)."""

import json

import pytest

from comptoir.core.testing.processes import wait_for

pytestmark = pytest.mark.slow


def _enqueue(site, *calls: str) -> list[str]:
    """Enqueue `calls` (such as `fail("boom")`) in order; their job ids."""
    listed = ", ".join(f"str(jobs.{call}.id)" for call in calls)
    code = f"import json\nfrom comptoir.core.tests import jobs\nprint(json.dumps([{listed}]))"
    return json.loads(site.python(code).strip().splitlines()[-1])


def _jobs(site, ids) -> dict:
    """{id: (status, exception class path, return value)}."""
    code = (
        "import json\nfrom django_tasks_db.models import DBTaskResult\n"
        f"rows = DBTaskResult.objects.filter(id__in={ids!r})\n"
        "print(json.dumps({str(r.id): [r.status, r.exception_class_path, r.return_value] "
        "for r in rows}))"
    )
    return json.loads(site.python(code).strip().splitlines()[-1])


def _alive(site, worker) -> None:
    assert worker.poll() is None, "the worker stopped:\n" + site.log("worker.log")


def _when_done(site, worker, ids) -> dict:
    def done():
        _alive(site, worker)
        jobs = _jobs(site, ids)
        return jobs if all(jobs[i][0] in ("SUCCESSFUL", "FAILED") for i in ids) else None

    return wait_for(done, "every job finished", tries=120, pause=0.5)


def test_failing_jobs_and_a_job_whose_end_meets_a_locked_database_do_not_stop_it(site):
    ready, release = site.root / "ready", site.root / "release"
    ids = _enqueue(
        site,
        'fail.enqueue("boom")',
        "leave.enqueue(3)",
        f"lock_the_queue.enqueue({str(ready)!r}, {str(release)!r})",
        'echo.enqueue("after")',
    )
    worker = site.start("worker", "--no-scheduler", "--interval", "0.2", log="worker.log")
    # The third job returns while another connection holds the lock: saving its end fails.
    wait_for(
        lambda: _alive(site, worker) or "its end could not be saved" in site.log("worker.log"),
        "the worker meets the lock",
    )
    release.write_text("go")
    jobs = _when_done(site, worker, ids)
    assert jobs[ids[0]][:2] == ["FAILED", "builtins.RuntimeError"]
    assert jobs[ids[1]][:2] == ["FAILED", "builtins.SystemExit"]
    assert jobs[ids[2]][:2] == ["FAILED", "django.db.utils.OperationalError"]
    assert jobs[ids[3]] == ["SUCCESSFUL", "", "after"]
    log = site.log("worker.log")
    assert "RuntimeError: boom" in log  # each failure is logged with its traceback
    assert f"Job {ids[2]} marked failed" in log
    _alive(site, worker)


def test_a_database_locked_while_it_looks_for_jobs_does_not_stop_it(site):
    ready, release = site.root / "ready", site.root / "release"
    worker = site.start("worker", "--no-scheduler", "--interval", "0.2", log="worker.log")
    wait_for(lambda: "Starting worker" in site.log("worker.log"), "the worker starts")
    hold = (
        "from pathlib import Path\nfrom comptoir.core.testing.processes import hold_lock\n"
        f"hold_lock(Path({str(ready)!r}), Path({str(release)!r}))"
    )
    holder = site.start("shell", "-c", hold, log="holder.log")
    wait_for(ready.exists, "the lock is held")
    wait_for(
        lambda: _alive(site, worker) or "could not look for jobs" in site.log("worker.log"),
        "the worker meets the lock",
    )
    release.write_text("go")
    assert holder.wait(timeout=60) == 0, site.log("holder.log")
    ids = _enqueue(site, 'echo.enqueue("after")')
    assert _when_done(site, worker, ids)[ids[0]] == ["SUCCESSFUL", "", "after"]
