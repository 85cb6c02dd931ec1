"""Settings > Background jobs in Chromium, in French, at 1280 and 390 px (issue 19, point 7):
an administrator sees that no worker runs, then the failed job and its error, filtered."""

import pytest
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from comptoir.core import operations
from comptoir.core.tests.jobs import echo, fail
from tests.browser.settings_helpers import admin, no_sideways_scroll, review_shot

__all__ = ["admin"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_finds_the_failed_job_and_whether_a_worker_runs(admin, page, live_server, width):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    page.set_viewport_size({"width": width, "height": 900})
    echo.enqueue("attend")
    broken = fail.enqueue("boom")
    DBTaskResult.objects.filter(pk=broken.id).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        traceback="Traceback (most recent call last):\n  File x\n"
        "RuntimeError: le fichier a disparu\n",
    )
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Tâches de fond").click()
    expect(page.get_by_role("heading", name="Tâches de fond")).to_be_visible()
    expect(page.get_by_text("Aucun worker en marche")).to_be_visible()
    expect(page.get_by_text("1 en attente, 0 en cours, 1 en échec")).to_be_visible()
    page.get_by_role("link", name="Échec", exact=True).click()
    table = page.get_by_role("table", name="Dernières tâches")
    expect(table.locator("tbody tr")).to_have_count(1)  # the failed job alone
    row = table.locator("tbody tr")
    expect(row).to_contain_text("Fail")
    row.locator("summary", has_text="RuntimeError: le fichier a disparu").click()  # unfolds
    expect(row.locator("pre")).to_contain_text("Traceback (most recent call last)")
    if width == 390:
        no_sideways_scroll(page)
    operations.beat("serveur-1", timezone.now())
    page.reload()
    expect(page.get_by_text("1 worker en marche")).to_be_visible()
    review_shot(page, f"settings-jobs-{width}")
