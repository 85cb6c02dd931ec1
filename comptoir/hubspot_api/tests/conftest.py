"""The real SDK (hubspot-api-client) and plain HTTP (requests), answered by Django in the
test's own process and transaction (comptoir.core.testing.sdk).

Tests run once, with the SDK's default settings; those marked `sdk_both_modes` (a smoke
subset) run a second time in strict mode (client_side_validation=True), where the SDK's
models check every value they send and receive."""

import pytest

from comptoir.core.testing.processes import _site_template, served_site, site  # noqa: F401
from comptoir.core.testing.sdk import Server, hubspot_client, requests_session
from comptoir.users.services import create_token, create_user


@pytest.fixture
def api_user(db):
    return create_user(
        "api@example.com",
        "Api-pass-123",
        first_name="Api",
        last_name="User",
        role="Super admin",  # an integration's user sees and changes everything
        check_password=False,
    )


@pytest.fixture
def token(api_user):
    return create_token(api_user, "Tests")[1]


@pytest.fixture
def sdk_server(db):
    """The in-process server. Rate-limit counters live in the cache under the token's id,
    and ids come back once a test's transaction is rolled back: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    return Server()


@pytest.fixture
def sdk_for(request, sdk_server):
    """Build HubSpot clients for any token, answered in process; default settings, or strict
    (client_side_validation=True) for the second run of `sdk_both_modes` tests."""
    strict = getattr(request, "param", False)

    def build(raw_token: str):
        return hubspot_client(raw_token, sdk_server, client_side_validation=strict)

    return build


@pytest.fixture
def hubspot(sdk_for, token):
    """HubSpot client with the test token (see sdk_for)."""
    return sdk_for(token)


@pytest.fixture
def http(sdk_server, token):
    """Plain HTTP (requests) for what the SDK cannot send."""
    session = requests_session(sdk_server)

    class Client:
        base = sdk_server.url

        def __call__(self, method, path, *, auth=True, **kw):
            headers = kw.pop("headers", {})
            if auth:
                headers.setdefault("Authorization", f"Bearer {token}")
            return session.request(method, self.base + path, headers=headers, timeout=30, **kw)

    return Client()
