import pytest

from comptoir.core.testing.factories import make_user


@pytest.fixture
def admin(db):
    return make_user("admin@example.com", first_name="Ada", last_name="Admin", role="Super admin")


@pytest.fixture
def rep(db):
    return make_user("rep@example.com", first_name="Rita", last_name="Rep", role="Sales manager")


@pytest.fixture
def admin_client(client, admin):
    """Django's test client signed in as an admin, in English."""
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    return client
