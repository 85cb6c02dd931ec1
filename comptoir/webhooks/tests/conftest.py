import pytest

from comptoir.core.testing.factories import make_user
from comptoir.users.services import create_token
from comptoir.webhooks.tests.receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the receiver is on loopback
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def admin(db):
    return make_user("admin@example.com", first_name="Ada", last_name="Admin", role="Super admin")


@pytest.fixture
def app(admin):
    """A private app: its token is the app (appId = its id)."""
    return create_token(admin, "Sync app")[0]
