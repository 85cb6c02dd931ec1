"""The connection test against real servers (aiosmtpd, Dovecot): success, and each kind
of failure answered in plain words naming the field to fix."""

import socket

import pytest
from django.utils import translation

from comptoir.mail.connection import IMAP, SMTP, Endpoint, check, describe

pytestmark = pytest.mark.slow


def smtp(servers, port, security, password=None, host=None):
    return Endpoint(
        SMTP, host or servers.host, port, security, servers.user, password or servers.password
    )


def imap(servers, port, security, password=None):
    return Endpoint(IMAP, servers.host, port, security, servers.user, password or servers.password)


def test_smtp_with_starttls_and_with_implicit_tls(mail_settings):
    assert check(smtp(mail_settings, mail_settings.smtp_starttls_port, "starttls"))["code"] == "ok"
    assert check(smtp(mail_settings, mail_settings.smtps_port, "ssl"))["code"] == "ok"


def test_imap_with_starttls_and_with_implicit_tls(mail_settings):
    dovecot = mail_settings.require_dovecot()
    assert check(imap(mail_settings, dovecot.port, "starttls"))["code"] == "ok"
    assert check(imap(mail_settings, dovecot.ssl_port, "ssl"))["code"] == "ok"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_wrong_password_on_smtp(mail_settings, security):
    port = mail_settings.smtps_port if security == "ssl" else mail_settings.smtp_starttls_port
    result = check(smtp(mail_settings, port, security, password="wrong"))
    assert result["code"] == "auth" and result["field"] == "smtp_password"
    assert describe(result) == "The server refused the user name or password."


def test_wrong_password_on_imap(mail_settings):
    dovecot = mail_settings.require_dovecot()
    result = check(imap(mail_settings, dovecot.ssl_port, "ssl", password="wrong"))
    assert result["code"] == "auth" and result["field"] == "imap_password"


def test_tls_against_a_plain_port(mail_settings):
    result = check(smtp(mail_settings, mail_settings.smtp_starttls_port, "ssl"))
    assert result["code"] == "tls_handshake" and result["field"] == "smtp_security"
    assert "does not speak TLS on port" in describe(result)
    dovecot = mail_settings.require_dovecot()
    assert check(imap(mail_settings, dovecot.port, "ssl"))["code"] == "tls_handshake"


def test_a_certificate_nobody_vouches_for(mail_settings, settings):
    settings.COMPTOIR_MAIL_CA_FILE = ""
    result = check(smtp(mail_settings, mail_settings.smtps_port, "ssl"))
    assert result["code"] == "tls_certificate"
    assert "certificate is not valid (self-signed certificate)" in describe(result)


def test_a_server_without_starttls_or_auth(mail_settings):
    result = check(smtp(mail_settings, mail_settings.smtp_plain_port, "starttls"))
    assert result["code"] == "no_starttls"
    assert describe(result).endswith("does not offer STARTTLS: choose SSL/TLS or another port.")
    # The STARTTLS port offers AUTH only once the connection is encrypted.
    result = check(smtp(mail_settings, mail_settings.smtp_starttls_port, "none"))
    assert result["code"] == "no_auth" and result["field"] == "smtp_security"


def test_unreachable_port_and_unknown_host(mail_settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    result = check(smtp(mail_settings, closed, "ssl"))
    assert result["code"] == "refused" and result["field"] == "smtp_port"
    assert f"refused the connection on port {closed}" in describe(result)
    result = check(smtp(mail_settings, 465, "ssl", host="no-such-host.invalid"))
    assert result["code"] == "not_found" and result["field"] == "smtp_host"


def test_a_server_that_never_answers_times_out(mail_settings, settings):
    settings.COMPTOIR_MAIL_TIMEOUT = 1
    result = check(smtp(mail_settings, mail_settings.silent_port, "none"))
    assert result["code"] == "timeout" and result["field"] == "smtp_host"
    assert describe(result) == "127.0.0.1 did not answer within 1 seconds."
    result = check(imap(mail_settings, mail_settings.silent_port, "ssl"))
    assert result["code"] == "timeout"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "::1"])
def test_private_hosts_are_refused_unless_allowed(mail_settings, settings, host):
    settings.COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS = False
    result = check(smtp(mail_settings, mail_settings.smtps_port, "ssl", host=host))
    assert result == {"code": "private_host", "field": "smtp_host", "params": {"host": host}}
    assert "private or local address" in describe(result)


def test_messages_are_translated(mail_settings):
    result = check(smtp(mail_settings, mail_settings.smtps_port, "ssl", password="wrong"))
    with translation.override("fr"):
        assert describe(result) == "Le serveur a refusé le nom d'utilisateur ou le mot de passe."


def test_a_host_name_connects_through_its_checked_addresses(mail_settings):
    """A name, not an address: resolved and checked once, then each address tried in turn
    (`localhost` may give ::1 first, where the test server does not listen), the
    certificate checked against the name."""
    result = check(smtp(mail_settings, mail_settings.smtps_port, "ssl", host="localhost"))
    assert result["code"] == "ok"
