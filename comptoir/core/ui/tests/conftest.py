import pytest

from comptoir.core.testing.factories import make_user


@pytest.fixture
def user(db):
    return make_user("rep@example.com", first_name="Rita", last_name="Rep")
