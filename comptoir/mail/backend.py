"""Django's default mailer (notifications, password resets, invitations): it sends through
the portal's account, the one an admin set in Settings > Email when there is one, else the
environment's COMPTOIR_SMTP_* (its OPTIONS), else the console, as before mailboxes existed.

The account is read on each send (one query a batch), so a change in Settings applies at
once, in every process. A portal account's host goes through the same address check as a
mailbox's (comptoir/mail/connection.py), and its messages leave with its address as sender
when they carry the default one (DEFAULT_FROM_EMAIL)."""

from django.conf import settings
from django.core.mail.backends import console, smtp
from django.core.mail.backends.base import BaseEmailBackend

from comptoir.mail import connection, services


class _SmtpBackend(smtp.EmailBackend):
    """Django's SMTP backend, trusting COMPTOIR_MAIL_CA_FILE besides the system's CAs."""

    @property
    def ssl_context(self):
        return connection.ssl_context()


class PortalBackend(BaseEmailBackend):
    def __init__(self, *, alias=None, **options):
        super().__init__(alias=alias)
        self.options = {key: value for key, value in options.items() if value is not None}

    def _delegate(self) -> tuple[BaseEmailBackend, str]:
        account = services.portal_account()
        if account is not None:
            try:
                connection.resolve(account.smtp_host, account.smtp_port, "smtp_host")
            except connection.MailFailure as failure:
                raise OSError(connection.describe(failure.as_dict())) from None
            backend = _SmtpBackend(
                alias=self.alias,
                host=account.smtp_host,
                port=account.smtp_port,
                username=account.smtp_username,
                password=account.smtp_password,
                use_ssl=account.smtp_security == "ssl",
                use_tls=account.smtp_security == "starttls",
                timeout=settings.COMPTOIR_MAIL_TIMEOUT,
            )
            return backend, account.email_address
        if self.options.get("host"):
            return _SmtpBackend(alias=self.alias, **self.options), ""
        return console.EmailBackend(alias=self.alias), ""

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        backend, sender = self._delegate()
        if sender:
            for message in email_messages:
                if message.from_email in (None, "", settings.DEFAULT_FROM_EMAIL):
                    message.from_email = sender
        return backend.send_messages(email_messages)
