import pytest

# Real `comptoir` processes on a database of their own (test_locks.py).
from comptoir.core.testing.processes import _site_template, site  # noqa: F401

# The SDK fixtures (a token user, the HubSpot client answered in process) of the API tests.
from comptoir.hubspot_api.tests.conftest import (  # noqa: F401
    api_user,
    http,
    hubspot,
    sdk_for,
    sdk_server,
    token,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def importer_user(db):
    from comptoir.core.testing.factories import make_user

    return make_user(
        "importer@example.com", first_name="Inès", last_name="Porte", role="Super admin"
    )


@pytest.fixture
def run_worker(monkeypatch):
    """Run queued tasks as `comptoir worker --batch` does, in this process."""
    from django.core.management import call_command

    # The worker closes idle connections between tasks; here that would be the test's own.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("worker", batch=True, no_scheduler=True, verbosity=0)

    return run
