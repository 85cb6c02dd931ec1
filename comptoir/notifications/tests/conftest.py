import pytest

from comptoir.core.testing.factories import make_user


@pytest.fixture
def alice(db):
    return make_user("alice@example.com", first_name="Alice", last_name="Arnaud")


@pytest.fixture
def bob(db):
    return make_user("bob@example.com", first_name="Bob", last_name="Bernard")


@pytest.fixture
def immediate_tasks():
    """Background tasks run at once, in this thread (emails are sent when queued)."""
    from django.tasks import task_backends
    from django.tasks.backends.immediate import ImmediateBackend

    task_backends["default"] = ImmediateBackend("default", {})
    yield
    del task_backends["default"]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (notifications are made after it)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
