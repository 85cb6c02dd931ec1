"""Settings > Email through the browser's requests: a user connects, tests and disconnects
their own mailbox; bad input is refused field by field with nothing saved; nobody reaches
another user's mailbox; the password never comes back in a page or a log."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from comptoir.core.testing.factories import make_user
from comptoir.mail import services
from comptoir.mail.models import Mailbox, PortalMailAccount

URL = "/settings/email/"


def form_data(servers, **changes):
    data = {
        "provider": "gandi",
        "email_address": servers.user,
        "smtp_username": servers.user,
        "smtp_password": servers.password,
        "smtp_host": servers.host,
        "smtp_port": str(servers.smtps_port),
        "smtp_security": "ssl",
        "imap_host": servers.host,
        "imap_port": str(servers.dovecot.ssl_port if servers.dovecot else 993),
        "imap_security": "ssl",
        "imap_username": "",
        "imap_password": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def servers(mail_settings):
    return mail_settings


@pytest.mark.django_db
def test_the_menu_and_the_empty_page(client_in):
    page = client_in.get(URL).content.decode()
    assert 'href="/settings/email/" aria-current="page"' in page
    assert "No inbox is connected" in page
    assert "Gmail" in page and "Outlook 365" in page and "Infomaniak" in page
    assert "Test connection" not in page


@pytest.mark.django_db
def test_connect_test_and_disconnect(client_in, user, servers, caplog):
    servers.require_dovecot()
    caplog.set_level(logging.DEBUG)
    response = client_in.post(URL, form_data(servers))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(user=user)
    assert (mailbox.smtp_port, mailbox.provider) == (servers.smtps_port, "gandi")
    page = client_in.get(URL).content.decode()
    assert servers.password not in page
    assert "A password is set: leave blank to keep it." in page
    assert "Not tested yet" in page

    response = client_in.post(reverse("settings:email_test"), HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.count("Connection succeeded.") == 2, fragment
    assert "Last test passed" in fragment
    mailbox.refresh_from_db()
    assert services.passed(mailbox) is True and mailbox.last_tested_at is not None

    # Saving again with the password left blank keeps it.
    assert client_in.post(URL, form_data(servers, smtp_password="")).status_code == 302
    assert Mailbox.objects.get(user=user).smtp_password == servers.password

    assert client_in.post(reverse("settings:email_disconnect")).status_code == 302
    assert not Mailbox.objects.filter(user=user).exists()
    assert servers.password not in caplog.text


@pytest.mark.django_db
def test_a_wrong_password_is_said_plainly(client_in, user, servers):
    client_in.post(URL, form_data(servers, smtp_password="wrong-one"))
    fragment = client_in.post(reverse("settings:email_test"), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "Password: The server refused the user name or password." in text
    assert "Last test failed" in text
    assert "wrong-one" not in text
    assert services.passed(Mailbox.objects.get(user=user)) is False


@pytest.mark.django_db
def test_a_private_host_is_refused_naming_the_field(client_in, servers, settings):
    client_in.post(URL, form_data(servers))
    settings.COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS = False
    text = client_in.post(reverse("settings:email_test"), HTTP_HX_REQUEST="true").content.decode()
    assert "SMTP server: “127.0.0.1” is a private or local address" in text
    assert "IMAP server: “127.0.0.1” is a private or local address" in text


@pytest.mark.django_db
def test_a_preset_fills_the_blank_fields(client_in, user, servers):
    data = form_data(servers, provider="outlook")
    for name in ("smtp_host", "smtp_port", "smtp_security", "imap_host", "imap_port"):
        data[name] = ""
    assert client_in.post(URL, data).status_code == 302
    mailbox = Mailbox.objects.get(user=user)
    assert (mailbox.smtp_host, mailbox.smtp_port, mailbox.smtp_security) == (
        "smtp.office365.com",
        587,
        "starttls",
    )
    assert (mailbox.imap_host, mailbox.imap_port) == ("outlook.office365.com", 993)


BAD = [
    ("smtp_host", "smtp.example.com\r\nRCPT TO:<x@evil>", "without spaces"),
    ("smtp_host", "a" * 300, "at most 253 characters"),
    ("imap_host", "http://imap.example.com/", "without spaces"),
    ("smtp_username", "rep\r\nAUTH", "cannot contain line breaks"),
    ("smtp_username", "u" * 300, "at most 254 characters"),
    ("smtp_password", "pw\r\nQUIT", "cannot contain line breaks"),
    ("smtp_password", "p" * 1001, "at most 1000 characters"),
    ("imap_username", "x\ny", "cannot contain line breaks"),
    ("smtp_port", "25; DROP", "between 1 and 65535"),
    ("imap_port", "70000", "between 1 and 65535"),
    ("smtp_port", "-1", "between 1 and 65535"),
    ("smtp_security", "tls13", "Choose SSL/TLS, STARTTLS or none."),
    ("provider", "hotmail", "Choose a provider of the list."),
    ("email_address", "not an address", "valid email"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)]
)
def test_hostile_input_is_refused_field_by_field(client_in, servers, field, value, message):
    response = client_in.post(URL, form_data(servers, **{field: value}))
    assert response.status_code == 422
    assert not Mailbox.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert f'id="id_{field}_error"' in response.content.decode()


@pytest.mark.django_db
def test_a_new_mailbox_needs_a_password(client_in, servers):
    response = client_in.post(URL, form_data(servers, smtp_password=""))
    assert response.status_code == 422
    assert response.context["form"].errors["smtp_password"] == ["Enter the password."]


@pytest.mark.django_db
def test_nobody_reaches_another_users_mailbox(client, servers):
    owner, other = make_user(), make_user()
    client.force_login(owner)
    client.post(URL, form_data(servers, email_address="owner@example.com"))
    client.force_login(other)
    client.cookies["django_language"] = "en"
    page = client.get(URL).content.decode()
    assert "owner@example.com" not in page and "No inbox is connected" in page
    # The other user's test and disconnect find no mailbox of theirs: 404, as for anyone
    # without one, and the owner's mailbox is untouched.
    assert client.post(reverse("settings:email_test")).status_code == 404
    assert client.post(reverse("settings:email_disconnect")).status_code == 404
    assert Mailbox.objects.get(user=owner).last_tested_at is None
    # Posting the form changes only their own.
    client.post(URL, form_data(servers, email_address="other@example.com"))
    assert Mailbox.objects.get(user=owner).email_address == "owner@example.com"
    assert Mailbox.objects.get(user=other).email_address == "other@example.com"


@pytest.mark.django_db
def test_the_portal_account_is_for_admins(client_in, servers):
    assert "Portal sending account" not in client_in.get(URL).content.decode()
    data = {k: v for k, v in form_data(servers).items() if not k.startswith(("imap", "prov"))}
    assert client_in.post(reverse("settings:email_portal"), data).status_code == 404
    assert client_in.post(reverse("settings:email_portal_test")).status_code == 404
    assert not PortalMailAccount.objects.exists()


@pytest.mark.django_db
def test_the_portal_account_and_who_sends(client, servers, settings):
    admin = make_user(role="Super admin")
    rep = make_user()
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    assert services.sender_for(rep) is None
    data = {k: v for k, v in form_data(servers).items() if not k.startswith(("imap", "prov"))}
    data["email_address"] = "crm@example.com"
    assert client.post(reverse("settings:email_portal"), data).status_code == 302
    page = client.get(URL).content.decode()
    assert "Portal sending account" in page and servers.password not in page
    text = client.post(reverse("settings:email_portal_test"), HTTP_HX_REQUEST="true")
    assert "Connection succeeded." in text.content.decode()

    sender = services.sender_for(rep)
    assert (sender.source, sender.from_address, sender.smtp.port) == (
        "portal",
        "crm@example.com",
        servers.smtps_port,
    )
    client.force_login(rep)
    client.post(URL, form_data(servers, email_address="rep@example.com"))
    sender = services.sender_for(rep)
    assert (sender.source, sender.from_address) == ("mailbox", "rep@example.com")
    assert services.sender_for(admin).source == "portal"


@pytest.mark.django_db
def test_the_environment_account_is_the_last_resort(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "smtp.example.org", "port": 587, "use_tls": True},
        }
    }
    sender = services.sender_for(make_user())
    assert (sender.source, sender.smtp.host, sender.smtp.security) == (
        "environment",
        "smtp.example.org",
        "starttls",
    )


@pytest.mark.django_db
def test_a_password_no_key_can_read_is_asked_for_again(client_in, user, servers, settings):
    client_in.post(URL, form_data(servers))
    settings.COMPTOIR_SECRET_KEYS = [Fernet.generate_key().decode()]  # the old key is lost
    text = client_in.post(reverse("settings:email_test"), HTTP_HX_REQUEST="true").content.decode()
    assert "Password: The stored password can no longer be read" in text
    page = client_in.get(URL).content.decode()
    assert "A password is set" not in page
    response = client_in.post(URL, form_data(servers, smtp_password=""))
    assert response.context["form"].errors["smtp_password"] == ["Enter the password."]
    assert client_in.post(URL, form_data(servers)).status_code == 302
    assert Mailbox.objects.get(user=user).smtp_password == servers.password


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("smtp_host", "smtp.example.com\r\nX"), ("smtp_port", "abc"), ("smtp_username", "a\nb")],
)
def test_hostile_input_in_the_portal_account(client, servers, field, value):
    client.force_login(make_user(role="Super admin"))
    client.cookies["django_language"] = "en"
    data = {k: v for k, v in form_data(servers).items() if not k.startswith(("imap", "prov"))}
    response = client.post(reverse("settings:email_portal"), {**data, field: value})
    assert response.status_code == 422
    assert list(response.context["portal"]["form"].errors) == [field]
    assert not PortalMailAccount.objects.exists()
    assert servers.password not in response.content.decode()
