"""Connecting a Gmail or Microsoft 365 mailbox with OAuth2 (SET-10) instead of an app
password: an administrator registers an application with the provider (Settings > Email),
then each user clicks "Connect with Google/Microsoft", consents at the provider, and
comes back with tokens; SMTP and IMAP then sign in with SASL XOAUTH2.

The authorization-code flow with PKCE (RFC 7636) and a `state` bound to the session. The
email address is read from the ID token the token endpoint returned over TLS (OpenID
Connect 3.1.3.7: its signature need not be checked when it comes straight from there).
Tokens are encrypted at rest (SecretField); the access token is renewed shortly before it
expires, by the worker (refresh_expiring) and, failing that, when a connection needs it."""

import base64
import datetime as dt
import hashlib
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.mail.models import AuthMethod, Mailbox, OAuthApp
from comptoir.mail.presets import PRESETS

log = logging.getLogger(__name__)

RENEW_BEFORE = dt.timedelta(minutes=5)  # a token this close to its end is renewed first
WORKER_WINDOW = dt.timedelta(minutes=15)  # the worker renews those ending within this


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    preset: str  # its SMTP/IMAP servers (presets.PRESETS)
    extra: tuple[tuple[str, str], ...] = ()  # more authorize parameters


PROVIDERS = {
    p.key: p
    for p in (
        Provider(
            "google",
            "Google",
            "https://accounts.google.com/o/oauth2/v2/auth",
            "https://oauth2.googleapis.com/token",
            ("https://mail.google.com/", "openid", "email"),
            "gmail",
            # A refresh token every time, even for an account that consented before.
            (("access_type", "offline"), ("prompt", "consent")),
        ),
        Provider(
            "microsoft",
            "Microsoft 365",
            "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
            "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
            (
                "https://outlook.office.com/SMTP.Send",
                "https://outlook.office.com/IMAP.AccessAsUser.All",
                "offline_access",
                "openid",
                "email",
            ),
            "outlook",
        ),
    )
}


class OAuthError(Exception):
    """A step of the flow failed; `code` names it for the user (see settings_urls)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code, self.detail = code, detail


def _urls(provider: Provider, app: OAuthApp) -> tuple[str, str]:
    """The provider's endpoints (COMPTOIR_OAUTH_ENDPOINTS may point them elsewhere: a test's
    own server, a sovereign cloud)."""
    override = getattr(settings, "COMPTOIR_OAUTH_ENDPOINTS", {}).get(provider.key) or {}
    tenant = app.tenant or "common"
    authorize = override.get("authorize", provider.authorize_url)
    token = override.get("token", provider.token_url)
    return authorize.format(tenant=tenant), token.format(tenant=tenant)


def app_for(provider: str) -> OAuthApp | None:
    if provider not in PROVIDERS:
        return None
    return OAuthApp.objects.filter(provider=provider).exclude(client_id="").first()


def available() -> list[Provider]:
    """The providers an administrator registered an application for."""
    registered = set(OAuthApp.objects.exclude(client_id="").values_list("provider", flat=True))
    return [p for key, p in PROVIDERS.items() if key in registered]


def save_app(provider: str, client_id: str, client_secret: str, tenant: str = "") -> OAuthApp:
    app = OAuthApp.objects.filter(provider=provider).first() or OAuthApp(provider=provider)
    app.client_id = client_id.strip()
    if client_secret:
        app.client_secret = client_secret
    app.tenant = tenant.strip()
    app.save()
    return app


def remove_app(provider: str) -> bool:
    deleted, _ = OAuthApp.objects.filter(provider=provider).delete()
    return bool(deleted)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def authorization(provider_key: str, redirect_uri: str) -> tuple[str, dict]:
    """(the provider's consent page to send the user to, what the session keeps)."""
    provider, app = PROVIDERS[provider_key], app_for(provider_key)
    if app is None:
        raise OAuthError("no_app")
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    authorize_url, _token = _urls(provider, app)
    query = {
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(provider.scopes),
        "state": state,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        **dict(provider.extra),
    }
    pending = {"provider": provider_key, "state": state, "verifier": verifier}
    return f"{authorize_url}?{urllib.parse.urlencode(query)}", pending


def _post(url: str, data: dict) -> dict:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Accept": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.COMPTOIR_MAIL_TIMEOUT) as answer:
            return json.loads(answer.read(1_000_000))
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read(100_000)).get("error", "")
        except (ValueError, AttributeError, OSError):
            error = ""
        raise OAuthError("refused" if error else "provider", str(error or exc.code)) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OAuthError("provider", type(exc).__name__) from None


def _email_of(id_token: str) -> str:
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        raise OAuthError("no_email") from None
    email = claims.get("email") or claims.get("preferred_username") or ""
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise OAuthError("no_email")
    return email.lower()


def _expiry(answer: dict) -> dt.datetime:
    try:
        seconds = int(answer.get("expires_in", 3600))
    except (TypeError, ValueError):
        seconds = 3600
    return timezone.now() + dt.timedelta(seconds=max(60, min(seconds, 86400)))


def complete(user, pending: dict, params: dict, redirect_uri: str) -> Mailbox:
    """The provider sent the user back: check `state`, trade the code for tokens and
    connect the user's mailbox (its servers from the provider's preset)."""
    if not pending or not secrets.compare_digest(
        str(params.get("state", "")), str(pending.get("state", ""))
    ):
        raise OAuthError("state")
    if params.get("error"):
        raise OAuthError("denied", str(params["error"])[:100])
    provider = PROVIDERS.get(pending.get("provider", ""))
    app = app_for(pending.get("provider", ""))
    if provider is None or app is None:
        raise OAuthError("no_app")
    _authorize, token_url = _urls(provider, app)
    answer = _post(
        token_url,
        {
            "grant_type": "authorization_code",
            "code": str(params.get("code", ""))[:4000],
            "redirect_uri": redirect_uri,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code_verifier": pending.get("verifier", ""),
        },
    )
    access, refresh = answer.get("access_token"), answer.get("refresh_token")
    if not isinstance(access, str) or not isinstance(refresh, str) or not access or not refresh:
        raise OAuthError("no_refresh_token")
    email = _email_of(str(answer.get("id_token", "")))
    preset = PRESETS[provider.preset]
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().filter(user=user).first() or Mailbox(
            user=user
        )
        for name, value in preset.fields().items():
            setattr(mailbox, name, value)
        mailbox.provider = preset.key
        mailbox.auth_method = AuthMethod.XOAUTH2
        mailbox.email_address = mailbox.smtp_username = email
        mailbox.smtp_password = mailbox.imap_password = ""
        mailbox.imap_username = ""
        mailbox.oauth_access_token, mailbox.oauth_refresh_token = access, refresh
        mailbox.oauth_expires_at = _expiry(answer)
        mailbox.last_test, mailbox.last_tested_at = {}, None
        mailbox.save()
    log.info("Mailbox of user %s connected with %s OAuth2.", user.pk, provider.key)
    return mailbox


def _provider_of(mailbox: Mailbox) -> Provider | None:
    return next((p for p in PROVIDERS.values() if p.preset == mailbox.provider), None)


def refresh(mailbox: Mailbox) -> Mailbox:
    """Renew the access token (a provider may also send a new refresh token). A refused
    refresh (revoked consent, password changed) leaves the mailbox needing a reconnection:
    the error is stored as its last test, in words on Settings > Email."""
    provider = _provider_of(mailbox)
    app = app_for(provider.key) if provider else None
    if app is None:
        raise OAuthError("no_app")
    _authorize, token_url = _urls(provider, app)
    try:
        answer = _post(
            token_url,
            {
                "grant_type": "refresh_token",
                "refresh_token": mailbox.oauth_refresh_token,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
            },
        )
    except OAuthError as exc:
        if exc.code == "refused":
            failure = {"code": "oauth_revoked", "field": "", "params": {}}
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_test={"smtp": failure, "imap": failure}, last_tested_at=timezone.now()
            )
        raise
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthError("provider", "no access_token")
    with transaction.atomic():
        locked = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        locked.oauth_access_token = access
        if isinstance(answer.get("refresh_token"), str) and answer["refresh_token"]:
            locked.oauth_refresh_token = answer["refresh_token"]
        locked.oauth_expires_at = _expiry(answer)
        locked.save(update_fields=["oauth_access_token", "oauth_refresh_token", "oauth_expires_at"])
    return locked


def access_token(mailbox: Mailbox) -> str:
    """A token good for the next few minutes, renewed first when needed."""
    expires = mailbox.oauth_expires_at
    if expires is None or expires - timezone.now() < RENEW_BEFORE:
        mailbox = refresh(mailbox)
    return mailbox.oauth_access_token


def refresh_expiring(now=None) -> int:
    """The worker's pass: renew every OAuth2 mailbox's token ending soon."""
    now = now or timezone.now()
    due = Mailbox.objects.filter(
        auth_method=AuthMethod.XOAUTH2, oauth_expires_at__lt=now + WORKER_WINDOW
    ).order_by("pk")
    renewed = 0
    for mailbox in due.iterator():
        try:
            refresh(mailbox)
            renewed += 1
        except OAuthError as exc:
            log.warning("OAuth2 token of mailbox %s not renewed: %s", mailbox.pk, exc.code)
    return renewed
