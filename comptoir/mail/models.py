"""Mailboxes (SET-10): the SMTP account a user sends from and the IMAP account synced for
them, and the portal's own SMTP account (notifications, users without a mailbox).

Passwords are SecretFields: encrypted at rest (comptoir/core/secrets.py), never rendered.
The last connection test is kept as codes (`last_test`), turned into words in the reader's
language when shown (comptoir/mail/connection.py, `describe`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.secrets import SecretField


class Security(models.TextChoices):
    SSL = "ssl", _lazy("SSL/TLS")
    STARTTLS = "starttls", _lazy("STARTTLS")
    NONE = "none", _lazy("None (unencrypted)")


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _lazy("Password")
    # Gmail and Microsoft 365 through OAuth2 (SASL XOAUTH2): comptoir/mail/oauth.py.
    XOAUTH2 = "xoauth2", _lazy("OAuth2")


class SmtpAccount(models.Model):
    email_address = models.EmailField(max_length=254)
    auth_method = models.CharField(
        max_length=16, choices=AuthMethod.choices, default=AuthMethod.PASSWORD
    )
    smtp_host = models.CharField(max_length=253)
    smtp_port = models.PositiveIntegerField()
    smtp_security = models.CharField(max_length=16, choices=Security.choices)
    smtp_username = models.CharField(max_length=254)
    smtp_password = SecretField()
    # {"smtp": {"code": ..., "params": {...}}, "imap": {...}}: see connection.describe.
    last_test = models.JSONField(default=dict, blank=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.email_address


class Mailbox(SmtpAccount):
    """One user's connected mailbox."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailbox"
    )
    provider = models.CharField(max_length=32, blank=True)
    imap_host = models.CharField(max_length=253)
    imap_port = models.PositiveIntegerField()
    imap_security = models.CharField(max_length=16, choices=Security.choices)
    # Blank: the SMTP user name and password sign in to IMAP too (the usual case).
    imap_username = models.CharField(max_length=254, blank=True)
    imap_password = SecretField()
    # Mailbox sync (comptoir/mail/sync.py): replies to CRM emails are always logged; other
    # emails exchanged with known contacts only when the user switches this on.
    log_contact_emails = models.BooleanField(default=False)
    sync_started_at = models.DateTimeField(null=True, blank=True)  # a run's claim
    last_synced_at = models.DateTimeField(null=True, blank=True)  # the last run that finished
    # The last run's failure as codes ({"code", "params"}: sync.describe_error), {} when fine.
    sync_error = models.JSONField(default=dict, blank=True)
    # OAuth2 (auth_method XOAUTH2): the provider's tokens; the access token is renewed by
    # the worker before it expires (comptoir/mail/oauth.py).
    oauth_refresh_token = SecretField()
    oauth_access_token = SecretField()
    oauth_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class OAuthApp(models.Model):
    """An OAuth2 application an administrator registered with Google or Microsoft, so that
    users connect their mailbox with "Sign in with..." instead of an app password."""

    provider = models.CharField(max_length=16, unique=True)  # oauth.PROVIDERS
    client_id = models.CharField(max_length=300)
    client_secret = SecretField()
    tenant = models.CharField(max_length=100, blank=True, default="")  # Microsoft: "common"
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.provider} OAuth app"


class PortalMailAccount(SmtpAccount):
    """The portal's SMTP account set in Settings (one row, pk 1); without it the
    environment's COMPTOIR_SMTP_* settings are used."""

    SINGLETON = 1


class OutboundStatus(models.TextChoices):
    """Where an email sent from the CRM is (comptoir/mail/sending.py has the transitions)."""

    SCHEDULED = "scheduled", _lazy("Scheduled")
    SENDING = "sending", _lazy("Sending")
    SENT = "sent", _lazy("Sent")
    FAILED = "failed", _lazy("Failed")
    BOUNCED = "bounced", _lazy("Bounced")  # sent, then a DSN said it was not delivered
    CANCELLED = "cancelled", _lazy("Cancelled")


class OutboundEmail(models.Model):
    """One email sent (or to be sent) from the CRM, and the state of its sending.

    Its Message-ID is made once, when the row is created, and never changes: a send tried
    again after its worker died goes out with the same Message-ID, which receivers take as
    the same message. The `emails` engagement on the timelines is `engagement_id`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbound_emails"
    )
    status = models.CharField(
        max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.SCHEDULED
    )
    message_id = models.CharField(max_length=255, unique=True)
    sender_source = models.CharField(max_length=16)  # mailbox, portal, environment
    from_address = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320, blank=True)
    to = models.JSONField(default=list)  # ["Name <address>", ...]
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    subject = models.CharField(max_length=998)
    html = models.TextField(blank=True)
    text = models.TextField(blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    # Linked to the emailtemplates app at integration (the template the email was made from).
    template_id = models.IntegerField(null=True, blank=True)
    engagement_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    send_at = models.DateTimeField()  # when due (moved on by a retry's back-off)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)  # the SMTP server said 250
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # the server's last answer, in its words
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "send_at"], name="outbound_due_idx"),
            models.Index(fields=["user", "status"], name="outbound_user_idx"),
        ]

    def __str__(self):
        return self.subject


class OutboundAttachment(models.Model):
    """A file sent with an OutboundEmail (kept in the storage every machine sees)."""

    outbound = models.ForeignKey(
        OutboundEmail, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="mail/attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()

    def __str__(self):
        return self.filename


class SyncFolder(models.Model):
    """Where the sync of one IMAP folder is: its UIDVALIDITY and the highest UID read.
    `account` is "mailbox:<pk>" (a user's mailbox) or "inbound" (the portal's catch-all
    box). The next run asks only for UIDs above `last_uid`; a different UIDVALIDITY means
    the server renumbered the folder: it is read again from the start, and what was logged
    already is recognised by its Message-ID."""

    account = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="syncfolder_unique"),
        ]

    def __str__(self):
        return f"{self.account} {self.name}"


class InboundSource(models.TextChoices):
    SYNC = "sync", _lazy("Mailbox sync")
    BCC = "bcc", _lazy("BCC address")
    FORWARD = "forward", _lazy("Forwarding address")


class InboundStatus(models.TextChoices):
    LOGGED = "logged", _lazy("Logged")  # an emails engagement was made
    BOUNCE = "bounce", _lazy("Bounce")  # a delivery report about a CRM email
    FAILED = "failed", _lazy("Could not be read")  # kept raw, with the reason
    REFUSED = "refused", _lazy("Refused")  # a sender who is not a Comptoir user
    SKIPPED = "skipped", _lazy("Not logged")  # read, but nothing to log it on


class InboundMessage(models.Model):
    """One message received (mailbox sync, BCC or forwarding address) and kept: its raw
    bytes, always, so that nothing is lost when it cannot be parsed (`parse_error` says
    why), and what became of it. A Message-ID is kept once: the same message found again
    (in another user's mailbox, in the sender's Sent folder, after a UIDVALIDITY change)
    is recognised and not logged twice."""

    message_id = models.CharField(max_length=255, unique=True)
    source = models.CharField(max_length=16, choices=InboundSource.choices)
    status = models.CharField(max_length=16, choices=InboundStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    # The CRM email it answers or reports on (replies, bounces).
    outbound = models.ForeignKey(
        OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    engagement_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField(default=0)
    parse_error = models.TextField(blank=True)
    received_at = models.DateTimeField(null=True, blank=True)  # its Date header
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["mailbox", "status"], name="inbound_mailbox_idx")]

    def __str__(self):
        return self.subject or self.message_id


class InboundSettings(models.Model):
    """The portal's addresses for logging mail (SET-8), one row (pk 1): a user puts the BCC
    address in Bcc of an email, or forwards an email to the forwarding address, and it is
    logged on the contacts' timelines. `comptoir mailserver` receives them (or the worker
    polls the catch-all IMAP box set here)."""

    SINGLETON = 1

    bcc_address = models.EmailField(max_length=254, blank=True)
    forward_address = models.EmailField(max_length=254, blank=True)
    create_contacts = models.BooleanField(default=False)
    # Optional: a catch-all box polled instead of (or besides) the SMTP listener.
    imap_host = models.CharField(max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(null=True, blank=True)
    imap_security = models.CharField(max_length=16, choices=Security.choices, blank=True)
    imap_username = models.CharField(max_length=254, blank=True)
    imap_password = SecretField()
    sync_started_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.bcc_address or "inbound"

    def addresses(self) -> set[str]:
        return {a.lower() for a in (self.bcc_address, self.forward_address) if a}
