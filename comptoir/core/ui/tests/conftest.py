import pytest

from comptoir.core.testing.factories import make_user


@pytest.fixture
def user(db):
    return make_user("rep@example.com", first_name="Rita", last_name="Rep")


@pytest.fixture
def client_in(client, user):
    """Django's test client signed in as `user`, in English."""
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client
