"""Sign-in throttling: failed attempts counted per account and per client address, in the
database so that every server process sees the same counts."""

import datetime as dt

import pytest
from django.utils import timezone

from comptoir.core.testing.factories import make_user
from comptoir.users import throttle
from comptoir.users.models import ThrottleCounter

pytestmark = pytest.mark.django_db

RIGHT = "Pass-word-123"
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes."


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return make_user("rep@example.com")


def sign_in(client, email, password, address="203.0.113.7", **extra):
    return client.post(
        "/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_wrong_passwords_lock_the_account_and_the_right_one_is_refused_too(client, user):
    for n in range(throttle.SIGNIN_ACCOUNT.limit):
        response = sign_in(client, "rep@example.com", f"wrong-{n}")
        assert response.status_code == 200
        assert "That email and password do not match" in response.content.decode()
    for password in ("wrong-again", RIGHT):
        response = sign_in(client, "rep@example.com", password)
        assert response.status_code == 429
        html = response.content.decode()
        assert LOCKED in html and "do not match" not in html
    assert "_auth_user_id" not in client.session
    # From another address too: the lock is on the account.
    assert sign_in(client, "rep@example.com", RIGHT, address="198.51.100.9").status_code == 429


def test_the_email_signs_in_whatever_its_case_and_spaces(client, user):
    assert signed_in(sign_in(client, " Rep@Example.COM ", RIGHT))


def test_the_account_is_the_email_typed_normalised(client, user):
    typed = ["REP@example.com", " rep@EXAMPLE.com ", "Rep@Example.Com"]
    for n in range(throttle.SIGNIN_ACCOUNT.limit):
        sign_in(client, typed[n % len(typed)], "wrong")
    assert sign_in(client, "rep@example.com", RIGHT).status_code == 429


def test_the_lock_ends_with_its_cooling_period(client, user):
    for _ in range(throttle.SIGNIN_ACCOUNT.limit):
        sign_in(client, "rep@example.com", "wrong")
    assert sign_in(client, "rep@example.com", RIGHT).status_code == 429
    # The cooling period passes (the counter's window is in the database).
    ThrottleCounter.objects.update(window_ends=timezone.now() - dt.timedelta(seconds=1))
    assert signed_in(sign_in(client, "rep@example.com", RIGHT))


def test_a_success_resets_the_account_counter(client, user):
    for _ in range(throttle.SIGNIN_ACCOUNT.limit - 1):
        sign_in(client, "rep@example.com", "wrong")
    assert signed_in(sign_in(client, "rep@example.com", RIGHT))
    client.logout()
    for _ in range(throttle.SIGNIN_ACCOUNT.limit - 1):
        sign_in(client, "rep@example.com", "wrong")
    assert signed_in(sign_in(client, "rep@example.com", RIGHT))


def test_one_address_trying_many_accounts_is_stopped(client, user):
    for n in range(throttle.SIGNIN_ADDRESS.limit):
        response = sign_in(client, f"guess{n}@example.com", "wrong")
        assert response.status_code == 200
    # Even an account with no failure of its own, with its right password, from there.
    response = sign_in(client, "rep@example.com", RIGHT)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Another address is not concerned.
    assert signed_in(sign_in(client, "rep@example.com", RIGHT, address="198.51.100.9"))


def test_the_address_counter_survives_a_success(client, user):
    """Signing in to one's own account between guesses must not reset the address count."""
    for n in range(throttle.SIGNIN_ADDRESS.limit - 1):
        sign_in(client, f"guess{n}@example.com", "wrong")
    assert signed_in(sign_in(client, "rep@example.com", RIGHT))
    client.logout()
    assert sign_in(client, "other@example.com", "wrong").status_code == 200
    assert sign_in(client, "rep@example.com", RIGHT).status_code == 429


def test_the_message_in_french(client, user):
    client.cookies["django_language"] = "fr"
    for _ in range(throttle.SIGNIN_ACCOUNT.limit):
        sign_in(client, "rep@example.com", "wrong")
    response = sign_in(client, "rep@example.com", RIGHT)
    assert response.status_code == 429
    assert (
        "Trop de tentatives de connexion échouées. Réessayez dans 15\u00a0minutes."
        in response.content.decode()
    )


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, user, settings):
    settings.COMPTOIR_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = {"address": "127.0.0.1"}
    for n in range(throttle.SIGNIN_ADDRESS.limit):
        sign_in(
            client, f"guess{n}@example.com", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy
        )
    # The attacker's address is locked, not the proxy's other clients.
    assert (
        sign_in(
            client, "rep@example.com", RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy
        ).status_code
        == 429
    )
    # A client cannot dodge by adding its own X-Forwarded-For entries: the proxy appends
    # the real one last, and that is the one read.
    spoofed = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"}
    assert sign_in(client, "rep@example.com", RIGHT, **spoofed, **proxy).status_code == 429
    assert signed_in(
        sign_in(client, "rep@example.com", RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    )


def test_an_untrusted_sender_cannot_choose_its_address(client, user, settings):
    settings.COMPTOIR_TRUSTED_PROXIES = []
    for n in range(throttle.SIGNIN_ADDRESS.limit):
        sign_in(client, f"guess{n}@example.com", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert (
        sign_in(client, "rep@example.com", RIGHT, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code
        == 429
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_all_counted():
    """Each request counts on the one row through conditional UPDATEs: hits from several
    connections at once (as from several server processes) lose nothing."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The in-memory test database shares one cache between threads, whose table locks
        # fail at once instead of waiting like a file database's busy timeout.
        pytest.skip("needs a database that waits for locks (PostgreSQL runs it)")
    rule = throttle.Rule("test", 1000, dt.timedelta(minutes=5))
    start = threading.Barrier(6)
    errors = []

    def worker():
        try:
            start.wait()
            for _ in range(10):
                throttle.hit(rule, "203.0.113.7")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ThrottleCounter.objects.get().count == 60


def test_the_worker_purges_counters_whose_window_is_over(client, user):
    from comptoir.users.tasks import purge_throttle_counters

    sign_in(client, "rep@example.com", "wrong")
    sign_in(client, "other@example.com", "wrong", address="198.51.100.9")
    assert ThrottleCounter.objects.count() == 4  # two accounts, two addresses
    first_two = ThrottleCounter.objects.order_by("pk").values_list("pk", flat=True)[:2]
    ThrottleCounter.objects.filter(pk__in=list(first_two)).update(
        window_ends=timezone.now() - dt.timedelta(seconds=1)
    )
    assert purge_throttle_counters.call() == 2
    assert ThrottleCounter.objects.count() == 2
