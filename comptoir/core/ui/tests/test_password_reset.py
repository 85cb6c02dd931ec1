"""Password reset by email, delivered to a real SMTP server."""

import re

import pytest

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
