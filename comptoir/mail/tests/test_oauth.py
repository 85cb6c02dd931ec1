"""Mailboxes connected with OAuth2 (issue 17, point 1): an administrator registers a Google
application, a rep connects with "Connect with Google", and Comptoir then signs in to SMTP
(aiosmtpd) and IMAP (Dovecot, checking tokens by RFC 7662 introspection) with SASL XOAUTH2;
the worker renews tokens; a revoked consent is said in words.

Google itself cannot be reached from the test machines: the provider here is a small real
HTTP server speaking the same token protocol (authorization code with PKCE, refresh)."""

import datetime as dt
import urllib.parse

import pytest
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from comptoir.core.testing.factories import make_user
from comptoir.core.testing.oauth_provider import EMAIL
from comptoir.mail import oauth, services
from comptoir.mail.models import Mailbox


def connect(client, provider) -> Mailbox:
    start = client.get(reverse("settings:email_oauth_start", args=["google"]))
    assert start.status_code == 302
    authorize = start["Location"]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    assert query["code_challenge_method"] == "S256" and query["access_type"] == "offline"
    assert "https://mail.google.com/" in query["scope"].split()
    back = client.get(reverse("settings:email_oauth_callback"), provider.consent(authorize))
    assert back.status_code == 302 and back["Location"] == reverse("settings:email")
    return Mailbox.objects.get(user__email="rep@example.com")


@pytest.mark.django_db
def test_a_rep_connects_gmail_and_both_servers_take_the_token(client, google):
    provider, _smtp, dovecot = google
    rep = make_user("rep@example.com")
    client.force_login(rep)
    page = client.get(reverse("settings:email")).content.decode()
    assert "Connect with Google" in page and "Connect with Microsoft" not in page
    mailbox = connect(client, provider)
    assert (mailbox.auth_method, mailbox.email_address, mailbox.provider) == (
        "xoauth2",
        EMAIL,
        "gmail",
    )
    assert mailbox.smtp_password == "" and mailbox.oauth_refresh_token in provider.refresh
    # Encrypted at rest: the column does not hold the token.
    with db.cursor() as cursor:
        cursor.execute("select oauth_refresh_token from mail_mailbox where id = %s", [mailbox.pk])
        assert mailbox.oauth_refresh_token not in cursor.fetchone()[0]
    mailbox.refresh_from_db()
    assert mailbox.last_test["smtp"]["code"] == "ok"  # tested on the way back
    if dovecot is None:
        pytest.skip("Dovecot could not run here")
    assert mailbox.last_test["imap"]["code"] == "ok"
    page = client.get(reverse("settings:email")).content.decode()
    assert f"Connected as {EMAIL}" in page


@pytest.mark.django_db
def test_the_worker_renews_tokens_and_a_revoked_consent_is_said(client, google):
    provider, _smtp, _dovecot = google
    rep = make_user("rep@example.com")
    client.force_login(rep)
    mailbox = connect(client, provider)
    before = mailbox.oauth_access_token
    assert oauth.refresh_expiring() == 0  # an hour left: nothing to do
    Mailbox.objects.filter(pk=mailbox.pk).update(
        oauth_expires_at=timezone.now() + dt.timedelta(minutes=3)
    )
    assert oauth.refresh_expiring() == 1
    mailbox.refresh_from_db()
    assert mailbox.oauth_access_token != before
    assert mailbox.oauth_expires_at > timezone.now() + dt.timedelta(minutes=50)
    assert provider.requests[-1]["grant_type"] == "refresh_token"

    provider.revoked = True
    Mailbox.objects.filter(pk=mailbox.pk).update(oauth_expires_at=timezone.now())
    mailbox.refresh_from_db()
    result = services.test_mailbox(mailbox)
    assert result["smtp"]["code"] == "oauth_revoked"
    page = client.get(reverse("settings:email")).content.decode()
    assert "no longer accepts Comptoir" in page


@pytest.mark.django_db
def test_a_forged_or_replayed_return_connects_nothing(client, google):
    provider, _smtp, _dovecot = google
    rep = make_user("rep@example.com")
    client.force_login(rep)
    start = client.get(reverse("settings:email_oauth_start", args=["google"]))
    answer = provider.consent(start["Location"])
    forged = client.get(
        reverse("settings:email_oauth_callback"), {**answer, "state": "someone-elses"}
    )
    assert forged.status_code == 302 and not Mailbox.objects.exists()
    # The pending flow is used up: the right state no longer works either.
    assert client.get(reverse("settings:email_oauth_callback"), answer).status_code == 302
    assert not Mailbox.objects.exists()
    page = client.get(reverse("settings:email")).content.decode()
    assert "did not come back from this page" in page
    denied_start = client.get(reverse("settings:email_oauth_start", args=["google"]))
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(denied_start["Location"]).query))
    client.get(
        reverse("settings:email_oauth_callback"),
        {"error": "access_denied", "state": state["state"]},
    )
    assert not Mailbox.objects.exists()
    assert client.get(reverse("settings:email_oauth_start", args=["yahoo"])).status_code == 404


@pytest.mark.django_db
def test_only_admins_register_applications_and_the_secret_stays_hidden(client, google):
    admin = make_user("admin@example.com", role="Super admin")
    rep = make_user("rep@example.com")
    url = reverse("settings:email_oauth_app", args=["microsoft"])
    client.force_login(rep)
    assert client.post(url, {"microsoft-client_id": "x"}).status_code in (403, 404)
    client.force_login(admin)
    bad = client.post(url, {"microsoft-client_id": "id\nX", "microsoft-tenant": "a b"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "cannot contain line breaks" in html and "Letters, digits, dots and dashes" in html
    ok = client.post(
        url,
        {"microsoft-client_id": "ms-1", "microsoft-client_secret": "ms-secret",
         "microsoft-tenant": "contoso.onmicrosoft.com"},
    )  # fmt: skip
    assert ok.status_code == 302
    page = client.get(reverse("settings:email")).content.decode()
    assert "ms-secret" not in page and "A secret is set" in page
    assert "/settings/email/oauth/callback/" in page  # the redirect address to register
    app = oauth.app_for("microsoft")
    authorize, _ = oauth.authorization("microsoft", "https://crm.example/cb")
    assert authorize.startswith(
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?"
    )
    assert app.client_secret == "ms-secret"
