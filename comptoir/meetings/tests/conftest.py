import pytest

from comptoir.meetings.tests.radicale import running_radicale


@pytest.fixture(scope="session")
def radicale():
    with running_radicale() as server:
        yield server
