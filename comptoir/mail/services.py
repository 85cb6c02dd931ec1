"""Mailboxes and the portal's SMTP account: connect, disconnect, test, and which account
sends for a user (`sender_for`). The worker (sending, sync) calls these too."""

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from comptoir.core.secrets import UnreadableSecret
from comptoir.mail import connection
from comptoir.mail.connection import IMAP, SMTP, Endpoint
from comptoir.mail.models import (
    AuthMethod,
    InboundMessage,
    InboundSettings,
    InboundStatus,
    Mailbox,
    PortalMailAccount,
    SyncFolder,
)

log = logging.getLogger(__name__)

SMTP_FIELDS = ("email_address", "smtp_host", "smtp_port", "smtp_security", "smtp_username")
MAILBOX_FIELDS = (*SMTP_FIELDS, "provider", "imap_host", "imap_port", "imap_security")


def mailbox_of(user) -> Mailbox | None:
    return Mailbox.objects.filter(user=user).first()


def portal_account() -> PortalMailAccount | None:
    return PortalMailAccount.objects.filter(pk=PortalMailAccount.SINGLETON).first()


@transaction.atomic
def connect_mailbox(user, data: dict) -> Mailbox:
    """Create or change the user's mailbox from a valid form's data. A blank password keeps
    the stored one; a changed setting forgets the last test (it no longer describes it)."""
    mailbox = Mailbox.objects.select_for_update().filter(user=user).first() or Mailbox(user=user)
    for name in MAILBOX_FIELDS:
        setattr(mailbox, name, data[name])
    mailbox.imap_username = data.get("imap_username") or ""
    if data.get("smtp_password"):
        mailbox.smtp_password = data["smtp_password"]
    if data.get("imap_password"):
        mailbox.imap_password = data["imap_password"]
    elif not mailbox.imap_username:
        mailbox.imap_password = ""
    if mailbox.auth_method != AuthMethod.PASSWORD:  # from OAuth2 back to a password
        mailbox.auth_method = AuthMethod.PASSWORD
        mailbox.oauth_access_token = mailbox.oauth_refresh_token = ""
        mailbox.oauth_expires_at = None
    mailbox.last_test, mailbox.last_tested_at = {}, None
    mailbox.save()
    log.info("Mailbox of user %s connected (%s).", user.pk, mailbox.smtp_host)
    return mailbox


def disconnect_mailbox(user) -> bool:
    pks = list(Mailbox.objects.filter(user=user).values_list("pk", flat=True))
    SyncFolder.objects.filter(account__in=[f"mailbox:{pk}" for pk in pks]).delete()
    deleted, _ = Mailbox.objects.filter(user=user).delete()
    if deleted:
        log.info("Mailbox of user %s disconnected.", user.pk)
    return bool(deleted)


def _oauth_token(mailbox: Mailbox, protocol: str) -> str:
    """A fresh OAuth2 access token; MailFailure when the provider refuses or fails."""
    from comptoir.mail import oauth  # oauth reads this module's neighbours' models only

    try:
        return oauth.access_token(mailbox)
    except oauth.OAuthError as exc:
        code = "oauth_revoked" if exc.code == "refused" else "oauth_unavailable"
        raise connection.MailFailure(code, f"{protocol}_password") from None


def _uses_oauth(account) -> bool:
    return isinstance(account, Mailbox) and account.auth_method == AuthMethod.XOAUTH2


def _with_oauth(endpoint: Endpoint, account) -> Endpoint:
    """An OAuth2 mailbox signs in to both servers as its address with a fresh token."""
    if not _uses_oauth(account):
        return endpoint
    token = _oauth_token(account, endpoint.protocol)
    return replace(endpoint, username=account.smtp_username, password=token, mechanism="xoauth2")


def smtp_endpoint(account) -> Endpoint:
    """Raises MailFailure when an OAuth2 mailbox's token cannot be renewed."""
    return _with_oauth(
        Endpoint(
            SMTP,
            account.smtp_host,
            account.smtp_port,
            account.smtp_security,
            account.smtp_username,
            account.smtp_password,
        ),
        account,
    )


def imap_endpoint(mailbox: Mailbox) -> Endpoint:
    """Raises MailFailure when an OAuth2 mailbox's token cannot be renewed."""
    own = bool(mailbox.imap_username)
    return _with_oauth(
        Endpoint(
            IMAP,
            mailbox.imap_host,
            mailbox.imap_port,
            mailbox.imap_security,
            mailbox.imap_username if own else mailbox.smtp_username,
            mailbox.imap_password if own else mailbox.smtp_password,
        ),
        mailbox,
    )


def _check(endpoint: Endpoint) -> dict:
    if isinstance(endpoint.password, UnreadableSecret):
        field = f"{endpoint.protocol}_password"
        return {"code": "unreadable_secret", "field": field, "params": {}}
    return connection.check(endpoint)


def _store(account, result: dict) -> dict:
    now = timezone.now()
    type(account).objects.filter(pk=account.pk).update(last_test=result, last_tested_at=now)
    account.last_test, account.last_tested_at = result, now
    return result


def _check_with(make_endpoint, account) -> dict:
    try:
        endpoint = make_endpoint(account)
    except connection.MailFailure as failure:
        return failure.as_dict()
    return _check(endpoint)


def test_mailbox(mailbox: Mailbox) -> dict:
    """Connect to both servers; store and return {"smtp": outcome, "imap": outcome}."""
    return _store(
        mailbox,
        {SMTP: _check_with(smtp_endpoint, mailbox), IMAP: _check_with(imap_endpoint, mailbox)},
    )


def test_portal_account(account: PortalMailAccount) -> dict:
    return _store(account, {SMTP: _check(smtp_endpoint(account))})


def passed(account) -> bool | None:
    """True when the last test passed, False when it failed, None when never tested."""
    if account is None or not account.last_test:
        return None
    return all(result.get("code") == "ok" for result in account.last_test.values())


@transaction.atomic
def save_portal_account(data: dict) -> PortalMailAccount:
    account = PortalMailAccount.objects.select_for_update().filter(
        pk=PortalMailAccount.SINGLETON
    ).first() or PortalMailAccount(pk=PortalMailAccount.SINGLETON)
    for name in SMTP_FIELDS:
        setattr(account, name, data[name])
    if data.get("smtp_password"):
        account.smtp_password = data["smtp_password"]
    account.last_test, account.last_tested_at = {}, None
    account.save()
    log.info("Portal SMTP account set (%s).", account.smtp_host)
    return account


def remove_portal_account() -> bool:
    deleted, _ = PortalMailAccount.objects.all().delete()
    return bool(deleted)


@dataclass(frozen=True)
class Sender:
    """The SMTP account a message goes out through, and whose it is."""

    source: str  # "mailbox", "portal" (set in Settings) or "environment" (COMPTOIR_SMTP_*)
    from_address: str
    smtp: Endpoint | None  # None for a mailbox: see sender_for


def environment_sender() -> Sender | None:
    """The account of COMPTOIR_SMTP_* (the default mailer's options), if one is set."""
    options = settings.MAILERS.get("default", {}).get("OPTIONS") or {}
    if not options.get("host"):
        return None
    security = "ssl" if options.get("use_ssl") else "starttls" if options.get("use_tls") else ""
    return Sender(
        "environment",
        settings.DEFAULT_FROM_EMAIL,
        Endpoint(
            SMTP,
            options["host"],
            options.get("port") or 25,
            security or "none",
            options.get("username") or "",
            options.get("password") or "",
        ),
    )


def portal_sender() -> Sender | None:
    account = portal_account()
    if account is not None:
        return Sender("portal", account.email_address, smtp_endpoint(account))
    return environment_sender()


def sender_for(user) -> Sender | None:
    """The user's own mailbox when connected, else the portal's account (Settings, then the
    environment); None when there is none at all (mail then goes to the console)."""
    mailbox = mailbox_of(user) if user is not None else None
    if mailbox is not None:
        # No endpoint here: an OAuth2 mailbox's would renew its token, and this answers pages
        # (the composer); delivery builds it when it sends (delivery._endpoint).
        return Sender("mailbox", mailbox.email_address, None)
    return portal_sender()


def set_log_contact_emails(user, on: bool) -> bool:
    """The mailbox sync's switch; False when the user has no mailbox."""
    return bool(Mailbox.objects.filter(user=user).update(log_contact_emails=bool(on)))


def inbound_settings() -> InboundSettings | None:
    return InboundSettings.objects.filter(pk=InboundSettings.SINGLETON).first()


@transaction.atomic
def save_inbound_settings(data: dict) -> InboundSettings:
    conf = InboundSettings.objects.select_for_update().filter(
        pk=InboundSettings.SINGLETON
    ).first() or InboundSettings(pk=InboundSettings.SINGLETON)
    conf.bcc_address = (data.get("bcc_address") or "").lower()
    conf.forward_address = (data.get("forward_address") or "").lower()
    conf.create_contacts = bool(data.get("create_contacts"))
    conf.imap_host = data.get("imap_host") or ""
    conf.imap_port = data.get("imap_port") if conf.imap_host else None
    conf.imap_security = data.get("imap_security") or "" if conf.imap_host else ""
    conf.imap_username = data.get("imap_username") or "" if conf.imap_host else ""
    if not conf.imap_host:
        conf.imap_password = ""
    elif data.get("imap_password"):
        conf.imap_password = data["imap_password"]
    conf.save()
    log.info("Logging addresses set (%s, %s).", conf.bcc_address, conf.forward_address)
    return conf


def sync_status(mailbox: Mailbox) -> dict:
    """The sync's state as the settings page shows it."""
    counts = dict(
        InboundMessage.objects.filter(mailbox=mailbox)
        .values_list("status")
        .annotate(n=models.Count("pk"))
        .values_list("status", "n")
    )
    failed = (
        InboundMessage.objects.filter(mailbox=mailbox, status=InboundStatus.FAILED)
        .order_by("-pk")
        .values_list("subject", "parse_error")
        .first()
    )
    return {
        "last_synced_at": mailbox.last_synced_at,
        "running": mailbox.sync_started_at is not None,
        "logged": counts.get(InboundStatus.LOGGED, 0),
        "bounces": counts.get(InboundStatus.BOUNCE, 0),
        "failed": counts.get(InboundStatus.FAILED, 0),
        "last_failed": failed,
        "error": mailbox.sync_error,
    }
