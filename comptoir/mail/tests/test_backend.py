"""Django's default mailer sends through the portal's account once an admin sets one,
else through COMPTOIR_SMTP_*, else to the console."""

import email
import email.policy

import pytest
from django.core.mail import EmailMessage, mailers

from comptoir.mail import services

pytestmark = pytest.mark.django_db


def portal_mailer(settings, **options):
    settings.MAILERS = {
        "default": {"BACKEND": "comptoir.mail.backend.PortalBackend", "OPTIONS": options}
    }
    return mailers.default


def message():
    return EmailMessage("Hello", "A notification.", None, ["rep@example.com"])


def received(servers, before):
    assert len(servers.inbox.messages) == before + 1
    return email.message_from_bytes(servers.inbox.messages[-1], policy=email.policy.default)


def test_the_portal_account_set_in_settings_sends(settings, mail_settings):
    servers = mail_settings
    services.save_portal_account(
        {
            "email_address": "crm@example.com",
            "smtp_host": servers.host,
            "smtp_port": servers.smtp_starttls_port,
            "smtp_security": "starttls",
            "smtp_username": servers.user,
            "smtp_password": servers.password,
        }
    )
    before = len(servers.inbox.messages)
    # The environment names another server: the account from Settings wins.
    assert portal_mailer(settings, host="smtp.invalid", port=25).send_messages([message()]) == 1
    sent = received(servers, before)
    assert sent["From"] == "crm@example.com" and sent["Subject"] == "Hello"


def test_the_environment_account_when_none_is_set(settings, mail_settings):
    servers = mail_settings
    before = len(servers.inbox.messages)
    mailer = portal_mailer(
        settings,
        host=servers.host,
        port=servers.smtps_port,
        use_ssl=True,
        username=servers.user,
        password=servers.password,
    )
    assert mailer.send_messages([message()]) == 1
    assert received(servers, before)["From"] == settings.DEFAULT_FROM_EMAIL


def test_the_console_when_there_is_no_account(settings, capsys):
    assert portal_mailer(settings, host="", port=25).send_messages([message()]) == 1
    assert "Subject: Hello" in capsys.readouterr().out


def test_a_portal_account_on_a_private_host_is_refused(settings, mail_settings):
    services.save_portal_account(
        {
            "email_address": "crm@example.com",
            "smtp_host": "127.0.0.1",
            "smtp_port": mail_settings.smtps_port,
            "smtp_security": "ssl",
            "smtp_username": "u",
            "smtp_password": "p",
        }
    )
    settings.COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(OSError, match="private or local address"):
        portal_mailer(settings, host="").send_messages([message()])
