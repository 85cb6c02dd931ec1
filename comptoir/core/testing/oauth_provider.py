"""An OAuth2 provider for tests (issue 17, point 1): a small real HTTP server speaking the
token protocol Google and Microsoft speak (authorization code with PKCE, refresh, RFC 7662
introspection for Dovecot), an aiosmtpd handler taking SASL XOAUTH2, and Dovecot taking it
too. Google itself cannot be reached from the test machines."""

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.smtp import AuthResult

from comptoir.core.testing.mailservers import (
    HOST,
    Inbox,
    _server_context,
    _start,
    free_port,
    start_dovecot,
    stop_dovecot,
)
from comptoir.mail import oauth, presets

EMAIL = "rep@gmail.example"


class Provider:
    """The provider's side: codes handed out at consent, tokens, and who may use them."""

    def __init__(self):
        self.codes: dict[str, dict] = {}
        self.access: dict[str, str] = {}  # live access token -> email
        self.refresh: dict[str, str] = {}
        self.revoked = False
        self.requests: list[dict] = []

    def consent(self, authorize_url: str) -> dict:
        """The user says yes on the consent page: the redirect's query."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
        code = secrets.token_urlsafe(8)
        self.codes[code] = query
        return {"code": code, "state": query["state"]}

    def token(self, form: dict) -> tuple[int, dict]:
        self.requests.append(form)
        if form.get("client_id") != "client-1" or form.get("client_secret") != "s3cret":
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") == "authorization_code":
            asked = self.codes.pop(form.get("code", ""), None)
            if asked is None or asked["redirect_uri"] != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant"}
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if challenge.decode() != asked["code_challenge"]:
                return 400, {"error": "invalid_grant"}
            refresh = secrets.token_urlsafe(16)
            self.refresh[refresh] = EMAIL
        elif form.get("grant_type") == "refresh_token":
            if self.revoked or form.get("refresh_token") not in self.refresh:
                return 400, {"error": "invalid_grant"}
            refresh = None
        else:
            return 400, {"error": "unsupported_grant_type"}
        access = secrets.token_urlsafe(16)
        self.access[access] = EMAIL
        claims = base64.urlsafe_b64encode(json.dumps({"email": EMAIL}).encode()).decode()
        body = {"access_token": access, "expires_in": 3599, "token_type": "Bearer"}
        if refresh:
            body |= {"refresh_token": refresh, "id_token": f"e30.{claims.rstrip('=')}.sig"}
        return 200, body


def serve_provider(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if self.path == "/token":
                status, body = provider.token(form)
            else:  # /introspect, for Dovecot
                email = provider.access.get(form.get("token", ""))
                status, body = 200, {"active": email is not None, "email": email or ""}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

        def do_GET(self):
            """The consent page: the user says yes at once, back to Comptoir with a code."""
            if not self.path.startswith("/authorize?"):
                self.send_response(404)
                self.end_headers()
                return
            answer = provider.consent(self.path)
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            self.send_response(302)
            self.send_header(
                "Location", f"{query['redirect_uri']}?{urllib.parse.urlencode(answer)}"
            )
            self.end_headers()

    server = ThreadingHTTPServer((HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class XOAuth2Inbox(Inbox):
    """aiosmtpd taking SASL XOAUTH2 with the provider's live access tokens."""

    def __init__(self, provider: Provider):
        super().__init__()
        self.provider = provider

    async def auth_XOAUTH2(self, server, args):
        raw = args[1] if len(args) > 1 else await server.challenge_auth("")
        text = base64.b64decode(raw).decode() if isinstance(raw, str) else raw.decode()
        fields = dict(part.split("=", 1) for part in text.split("\x01") if "=" in part)
        token = fields.get("auth", "").removeprefix("Bearer ")
        ok = self.provider.access.get(token) == fields.get("user")
        return AuthResult(success=ok, auth_data=fields.get("user"))


@pytest.fixture(scope="session")
def oauth_servers(mail_servers):
    """(provider, its base URL, an XOAUTH2 SMTP server, Dovecot taking XOAUTH2 or None)."""
    provider = Provider()
    http = serve_provider(provider)
    url = f"http://{HOST}:{http.server_address[1]}"
    cert = mail_servers.ca_file
    key = cert.with_name("key.pem")
    smtp = _start(
        XOAuth2Inbox(provider),
        free_port(),
        ssl_context=_server_context(cert, key),
        auth_require_tls=False,
    )
    dovecot = None
    with contextlib.suppress(RuntimeError, OSError, KeyError):
        dovecot = start_dovecot(cert, key, {}, introspection_url=f"{url}/introspect")
    yield provider, url, smtp, dovecot
    smtp.stop()
    http.shutdown()
    if dovecot is not None:
        stop_dovecot(dovecot)


@pytest.fixture
def google(settings, mail_settings, oauth_servers, monkeypatch):
    """Google "registered" by an admin, its endpoints and mail servers the local ones."""
    provider, url, smtp, dovecot = oauth_servers
    provider.revoked = False
    settings.COMPTOIR_OAUTH_ENDPOINTS = {
        "google": {"authorize": f"{url}/authorize", "token": f"{url}/token"}
    }
    imap_port = dovecot.ssl_port if dovecot else mail_settings.imaps_port
    local = presets.Preset("gmail", "Gmail", HOST, smtp.port, "ssl", HOST, imap_port)
    monkeypatch.setitem(presets.PRESETS, "gmail", local)
    oauth.save_app("google", "client-1", "s3cret")
    return provider, smtp, dovecot
