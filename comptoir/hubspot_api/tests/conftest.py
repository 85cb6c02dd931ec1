"""The real SDK against a live server, once with defaults and once in strict mode."""

import gc

import pytest
from hubspot import HubSpot

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


@pytest.fixture(params=[False, True], ids=["default", "strict"])
def sdk_for(request, live_server):
    """Build HubSpot clients for any token, pointed at the live server; every test using it
    runs twice: default settings, then strict (client_side_validation=True)."""

    def build(raw_token: str) -> HubSpot:
        return HubSpot(
            access_token=raw_token, host=live_server.url, client_side_validation=request.param
        )

    yield build
    # Every SDK api object owns a urllib3 pool whose keep-alive sockets live until it is
    # garbage collected (often late: exceptions caught by pytest.raises form cycles). Each
    # open socket keeps a live-server thread, and its database session, alive; PostgreSQL
    # then refuses to drop the test database. Collect now so those threads end.
    gc.collect()


@pytest.fixture
def hubspot(sdk_for, token):
    """HubSpot client with the test token, in both modes (see sdk_for)."""
    return sdk_for(token)


@pytest.fixture
def http(live_server, token):
    """Plain HTTP for what the SDK cannot send."""
    import requests

    class Client:
        base = live_server.url

        def __call__(self, method, path, *, auth=True, **kw):
            headers = kw.pop("headers", {})
            if auth:
                headers.setdefault("Authorization", f"Bearer {token}")
            return requests.request(method, self.base + path, headers=headers, timeout=30, **kw)

    return Client()
