"""Password reset by email, delivered to a real SMTP server."""

import re

import pytest

from comptoir.core.testing.factories import make_user
from comptoir.core.testing.smtp import smtp_server

pytestmark = pytest.mark.django_db


def test_reset_link_by_email_sets_a_new_password(client, user, settings):
    with smtp_server(settings) as inbox:
        response = client.post("/password-reset/", {"email": "rep@example.com"})
        assert response["Location"] == "/password-reset/sent/"
        client.post("/password-reset/", {"email": "nobody@example.com"})
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "rep@example.com"
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Fresh-pass-456", "new_password2": "Fresh-pass-456"},
    )
    assert done.status_code == 302
    assert client.login(username="rep@example.com", password="Fresh-pass-456")


def test_mismatched_passwords_are_refused_on_the_field(client, user, settings):
    with smtp_server(settings) as inbox:
        client.post("/password-reset/", {"email": "rep@example.com"})
    link = re.search(
        r"(/password-reset/\S+/)", inbox.messages[0].get_body(("plain",)).get_content()
    ).group(1)
    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Fresh-pass-456", "new_password2": "Other-pass-789"},
    )
    assert "match" in response.content.decode()
    assert client.login(username="rep@example.com", password="Pass-word-123")


# -- throttling: per account (the email typed) and per client address ----------------------

TOO_MANY = "Too many password-reset requests. Try again in 60 minutes."


def ask(client, email, address="203.0.113.7"):
    return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_reset_emails_to_one_account_are_capped_and_the_refusal_is_neutral(client, user, settings):
    from comptoir.users.throttle import RESET_ACCOUNT

    with smtp_server(settings) as inbox:
        answers = {}
        for email in ("rep@example.com", "nobody@example.com"):
            for n in range(30):  # from as many addresses: the account limit holds alone
                answers.setdefault(email, []).append(ask(client, email, f"198.51.100.{n}"))
    assert len(inbox.messages) == RESET_ACCOUNT.limit
    assert {m["To"] for m in inbox.messages} == {"rep@example.com"}
    # The same answers whether the account exists or not: nothing to enumerate.
    for email, responses in answers.items():
        codes = [r.status_code for r in responses]
        assert codes == [302] * RESET_ACCOUNT.limit + [429] * (30 - RESET_ACCOUNT.limit), email
        assert TOO_MANY in responses[-1].content.decode()


def test_the_account_is_the_email_typed_in_any_case(client, user, settings):
    from comptoir.users.throttle import RESET_ACCOUNT

    with smtp_server(settings) as inbox:
        for n in range(RESET_ACCOUNT.limit + 2):
            ask(client, ["REP@example.com", "rep@EXAMPLE.com "][n % 2], f"198.51.100.{n}")
    assert len(inbox.messages) == RESET_ACCOUNT.limit


def test_one_address_asking_for_many_accounts_is_capped(client, settings):
    from comptoir.users.throttle import RESET_ADDRESS

    users = [make_user(f"user{n}@example.com") for n in range(RESET_ADDRESS.limit + 3)]
    with smtp_server(settings) as inbox:
        codes = [ask(client, u.email).status_code for u in users]
        # Another address still gets its email.
        assert ask(client, users[-1].email, "198.51.100.9").status_code == 302
    assert codes == [302] * RESET_ADDRESS.limit + [429] * 3
    assert len(inbox.messages) == RESET_ADDRESS.limit + 1


def test_the_refusal_in_french(client, user, settings):
    from comptoir.users.throttle import RESET_ACCOUNT

    client.cookies["django_language"] = "fr"
    with smtp_server(settings):
        for _ in range(RESET_ACCOUNT.limit):
            ask(client, "rep@example.com")
        response = ask(client, "rep@example.com")
    assert response.status_code == 429
    assert (
        "Trop de demandes de réinitialisation du mot de passe. Réessayez dans 60\u00a0minutes."
        in response.content.decode()
    )
