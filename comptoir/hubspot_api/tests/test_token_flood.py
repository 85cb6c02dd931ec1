"""A flood of wrong bearer tokens: each gets the same 401, tells nothing about which tokens
exist, and leaves nothing behind in the server's memory."""

import json
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.properties import registry
from comptoir.users.services import TOKEN_PREFIX, create_token, deactivate_user, revoke_token

pytestmark = pytest.mark.django_db

FLOOD = 300


def call(client, raw):
    return client.get("/crm/v3/objects/contacts", HTTP_AUTHORIZATION=f"Bearer {raw}")


def answer(response) -> tuple:
    body = response.json()
    body.pop("correlationId")
    headers = tuple(sorted(k for k in response.headers if "RateLimit" in k))
    return response.status_code, json.dumps(body, sort_keys=True), headers


def test_wrong_tokens_all_get_the_same_401_and_are_not_remembered(client, api_user, token):
    assert call(client, token).status_code == 200
    remembered = len(registry._cache)
    with CaptureQueriesContext(connection) as queries:
        answers = {
            answer(call(client, TOKEN_PREFIX + secrets.token_urlsafe(32))) for _ in range(FLOOD)
        }
    assert len(answers) == 1
    status, body, ratelimit_headers = answers.pop()
    assert (status, json.loads(body)["category"], ratelimit_headers) == (
        401,
        "INVALID_AUTHENTICATION",
        (),
    )
    # One lookup each, nothing kept: a flood of misses cannot fill the process's memory.
    assert len(queries) <= FLOOD * 2
    assert len(registry._cache) == remembered


def test_revoked_and_deactivated_tokens_answer_like_random_ones(client, api_user, token):
    from comptoir.core.testing.factories import make_user

    revoked = create_token(api_user, "old")
    revoke_token(revoked[0])
    leaver = make_user("leaver@example.com", role="Super admin")
    leaver_token = create_token(leaver, "theirs")[1]
    deactivate_user(leaver)
    random_answer = answer(call(client, TOKEN_PREFIX + secrets.token_urlsafe(32)))
    assert answer(call(client, revoked[1])) == random_answer
    assert answer(call(client, leaver_token)) == random_answer
    assert answer(call(client, token[: len(token) - 1])) == random_answer
