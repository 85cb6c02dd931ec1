"""Settings > Background jobs (issue 19, point 7): workers, queue, periodic jobs and the
latest jobs with their failures, for administrators only."""

import pytest
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.core import operations
from comptoir.core.scheduling.models import PeriodicJob
from comptoir.core.testing.html import select
from comptoir.core.tests.jobs import echo, fail

pytestmark = pytest.mark.django_db

URL = "/settings/jobs/"


def _finish(result, status, traceback=""):
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=timezone.now(), traceback=traceback, worker_ids=["host-7"]
    )


def test_no_worker_is_said_plainly_in_french(admin_client):
    admin_client.cookies["django_language"] = "fr"
    html = admin_client.get(URL).content.decode()
    assert "Aucun worker en marche" in html
    assert "Aucun worker vu depuis un jour." in html
    assert "Les tâches périodiques apparaissent dès qu\u2019un worker a démarré." in html
    assert "Aucune tâche ici." in html
    assert "Tâches de fond" in [a.text for a in select(html, "nav a")]


def test_workers_queue_periodic_jobs_and_failures(admin_client):
    operations.beat("host-7", timezone.now())
    PeriodicJob.objects.create(
        name="purge_archived_records", interval_seconds=6 * 3600, next_run_at=timezone.now()
    )
    done = echo.enqueue("ok")
    _finish(done, TaskResultStatus.SUCCESSFUL)
    broken = fail.enqueue("boom")
    _finish(broken, TaskResultStatus.FAILED, "Traceback...\n  File x\nRuntimeError: boom\n")
    echo.enqueue("waits")
    html = admin_client.get(URL).content.decode()
    assert "1 worker running" in html
    assert "1 waiting, 0 running, 1 failed" in html
    assert select(html, 'tr[data-worker="host-7"]')
    assert select(html, 'tr[data-periodic="purge_archived_records"]')
    row = select(html, f'tr[data-job="{broken.id}"]')[0]
    assert "RuntimeError: boom" in row.text
    html = admin_client.get(URL + "?status=failed").content.decode()
    assert [tr.get("data-job") for tr in select(html, "tr[data-job]")] == [str(broken.id)]
    html = admin_client.get(URL + "?status=<script>").content.decode()  # unknown: everything
    assert len(select(html, "tr[data-job]")) >= 3 and "<script>" not in html


def test_only_administrators_see_it(rep_client):
    assert rep_client.get(URL).status_code == 404
