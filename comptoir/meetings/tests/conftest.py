import pytest

from comptoir.core.testing.processes import _site_template  # noqa: F401
from comptoir.meetings.tests.radicale import running_radicale


@pytest.fixture(scope="session")
def radicale():
    with running_radicale() as server:
        yield server


@pytest.fixture(autouse=True)
def immediate_tasks():
    """The worker's tasks (invitations, calendar events) run at once, in this thread."""
    from django.tasks import task_backends
    from django.tasks.backends.immediate import ImmediateBackend

    task_backends["default"] = ImmediateBackend("default", {})
    yield
    del task_backends["default"]
