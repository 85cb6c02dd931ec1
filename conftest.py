import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# No timed assertions in the suite: Hypothesis's deadline and "too slow" health check time
# each example, and a loaded machine (CI shares its cores) made them fail at random.
hypothesis_settings.register_profile(
    "comptoir", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("comptoir")


# Real SMTP and IMAP servers (aiosmtpd, Dovecot) for the tests that need them.
pytest_plugins = ["comptoir.core.testing.mailservers", "comptoir.core.testing.oauth_provider"]


def pytest_configure(config):
    # Every test user would otherwise pay PBKDF2's 1.5M iterations (about 1.5 s here);
    # the production hasher is tested where hashing itself is the subject.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _group(item) -> int:
    """pytest-django's order (database tests, then transactional ones) with the tests that
    use no test database first: they start real processes (marked `slow`) and may run at
    any time, while the database groups must keep Django's order."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in fixtures or "live_server" in fixtures
    if marker is not None:
        transactional = transactional or marker.kwargs.get("transaction", False)
    if transactional:
        return 2
    return 1 if marker is not None or "db" in fixtures else 0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Long tests start first (pytest-xdist hands tests out in this order): the two workers
    then end together instead of one waiting for the other's last slow test."""
    items.sort(key=lambda item: (_group(item), item.get_closest_marker("slow") is None))


def pytest_generate_tests(metafunc):
    """Tests marked `sdk_both_modes` run twice: the SDK with default settings, then strict
    (client_side_validation=True); every other SDK test runs once, with defaults."""
    if "sdk_for" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "sdk_both_modes"
    ):
        metafunc.parametrize("sdk_for", [False, True], indirect=True, ids=["default", "strict"])


@pytest.fixture(autouse=True)
def _fresh_registry():
    """Each test starts with an empty definition cache (rows may differ between tests)."""
    from comptoir.core.properties import registry

    registry.clear_local()
    yield
    registry.clear_local()


@pytest.fixture(autouse=True)
def _language_kept():
    """A test that switches the thread's language (a French request, a French email) gives
    it back, so the next test on this worker does not read French by accident."""
    from django.utils import translation

    language = translation.get_language()
    yield
    if language:
        translation.activate(language)
    else:
        translation.deactivate_all()


@pytest.fixture
def query_budget():
    """`with query_budget("api.list.contacts"):` fails past the committed budget
    (comptoir/core/testing/budgets.py; UPDATE_QUERY_BUDGETS=1 records the counts)."""
    from comptoir.core.testing.budgets import cold_caches, query_budget

    cold_caches()  # counts independent of the tests before (a block warms what it measures)
    return query_budget


@pytest.fixture
def ui_source():
    from comptoir.core.testing.factories import UI

    return UI


@pytest.fixture
def user(db):
    from comptoir.core.testing.factories import make_user

    return make_user("seller@example.com", first_name="Sam", last_name="Seller")


@pytest.fixture
def client_in(client, user):
    """Django's test client signed in as `user`, in English."""
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client
