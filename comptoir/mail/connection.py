"""Connecting to a mail server (SMTP, IMAP) safely, and saying in plain words what failed.

Every outbound connection resolves the host first and refuses loopback, private,
link-local and other non-public addresses unless COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS is on
(a user's "mail server" must not be a way into the machines behind Comptoir); it then
connects to the addresses it checked (no second lookup that could answer otherwise), with
COMPTOIR_MAIL_TIMEOUT, verifying certificates against the system's CAs plus
COMPTOIR_MAIL_CA_FILE.

A failure is a MailFailure: a code, the form field it concerns and parameters; `describe`
turns it into a sentence in the reader's language. Nothing of the password reaches the
code, the parameters or the log."""

import contextlib
import imaplib
import ipaddress
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

SMTP, IMAP = "smtp", "imap"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """What a connection needs (the model's fields, decrypted)."""

    protocol: str  # SMTP or IMAP
    host: str
    port: int
    security: str  # ssl, starttls, none
    username: str
    password: str
    mechanism: str = "password"  # or "xoauth2": `password` is then an OAuth2 access token


class MailFailure(Exception):
    def __init__(self, code: str, field: str = "", params: dict | None = None):
        super().__init__(code)
        self.code, self.field, self.params = code, field, params or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "params": self.params}


OK = {"code": "ok", "field": "", "params": {}}


def timeout() -> int:
    return settings.COMPTOIR_MAIL_TIMEOUT


def ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.COMPTOIR_MAIL_CA_FILE:
        context.load_verify_locations(cafile=settings.COMPTOIR_MAIL_CA_FILE)
    return context


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def resolve(host: str, port: int, field_name: str) -> tuple[str, ...]:
    """The addresses to connect to, in order, once checked; MailFailure when none may be
    used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise MailFailure("not_found", field_name, {"host": host}) from None
    addresses = [info[4][0] for info in infos]
    if not settings.COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS:
        public = [a for a in addresses if not _refused(ipaddress.ip_address(a.split("%")[0]))]
        if not public:
            raise MailFailure("private_host", field_name, {"host": host})
        addresses = public
    return tuple(dict.fromkeys(addresses))


def _connect(addresses: tuple[str, ...], port: int) -> socket.socket:
    """A connection to the first checked address that answers (localhost: ::1, then
    127.0.0.1); the last failure when none does."""
    failure: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout())
        except OSError as exc:
            failure = exc
    raise failure or OSError("no address")


class _PinnedSMTP(smtplib.SMTP):
    """smtplib.SMTP connecting to the checked addresses (TLS still checks the host name)."""

    pinned: tuple[str, ...] = ()

    def _get_socket(self, host, port, timeout):
        return _connect(self.pinned, port)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    pinned: tuple[str, ...] = ()

    def _get_socket(self, host, port, timeout):
        return self.context.wrap_socket(_connect(self.pinned, port), server_hostname=self._host)


class _PinnedIMAP(imaplib.IMAP4):
    pinned: tuple[str, ...] = ()

    def _create_socket(self, timeout):
        return _connect(self.pinned, self.port)


class _PinnedIMAPSSL(imaplib.IMAP4_SSL):
    pinned: tuple[str, ...] = ()

    def _create_socket(self, timeout):
        return self.ssl_context.wrap_socket(
            _connect(self.pinned, self.port), server_hostname=self.host
        )


def _field(endpoint: Endpoint, name: str) -> str:
    return f"{endpoint.protocol}_{name}"


def network_failure(exc: BaseException, endpoint: Endpoint) -> MailFailure:
    """The failure an exception raised while talking to the server stands for."""
    where = {"host": endpoint.host, "port": endpoint.port}
    if isinstance(exc, MailFailure):
        return exc
    # smtplib and imaplib turn a socket's timeout into their own "connection closed" error:
    # the timeout is still the story (their exception's context).
    cause = exc
    while cause is not None:
        if isinstance(cause, TimeoutError):
            exc = cause
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or "certificate"
        return MailFailure(
            "tls_certificate", _field(endpoint, "host"), {**where, "reason": str(reason)[:200]}
        )
    if isinstance(exc, ssl.SSLError):
        return MailFailure("tls_handshake", _field(endpoint, "security"), where)
    if isinstance(exc, TimeoutError | socket.timeout):
        return MailFailure("timeout", _field(endpoint, "host"), {**where, "seconds": timeout()})
    if isinstance(exc, ConnectionRefusedError):
        return MailFailure("refused", _field(endpoint, "port"), where)
    if isinstance(exc, smtplib.SMTPServerDisconnected | imaplib.IMAP4.abort | EOFError):
        return MailFailure("closed", _field(endpoint, "security"), where)
    if isinstance(exc, OSError):
        return MailFailure("unreachable", _field(endpoint, "host"), where)
    log.warning("Unexpected %s failure: %s", endpoint.protocol, type(exc).__name__)
    return MailFailure("protocol", _field(endpoint, "host"), where)


def server_text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())[:200]


def sasl_xoauth2(username: str, token: str) -> str:
    """The XOAUTH2 initial response, before base64 (Google's and Microsoft's format)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"


def _once(first):
    """A SASL answer: `first`, then an empty line to a server's error challenge (XOAUTH2
    sends one before its failure code)."""
    sent = []

    def answer(challenge=None):
        if sent:
            return first[:0]
        sent.append(True)
        return first

    return answer


def smtp_login(client: smtplib.SMTP, endpoint: Endpoint) -> None:
    if endpoint.mechanism == "xoauth2":
        answer = _once(sasl_xoauth2(endpoint.username, endpoint.password))
        client.auth("XOAUTH2", answer, initial_response_ok=True)
    else:
        client.login(endpoint.username, endpoint.password)


def imap_login(client: imaplib.IMAP4, endpoint: Endpoint) -> None:
    """LOGIN, or AUTHENTICATE XOAUTH2 for an OAuth2 mailbox (every IMAP sign-in goes here)."""
    if endpoint.mechanism == "xoauth2":
        client.authenticate(
            "XOAUTH2", _once(sasl_xoauth2(endpoint.username, endpoint.password).encode())
        )
    else:
        client.login(endpoint.username, endpoint.password)


@contextlib.contextmanager
def smtp_session(endpoint: Endpoint):
    """A connected SMTP client: EHLO, STARTTLS when chosen, AUTH. MailFailure when any of
    these steps fails; what the body of the `with` raises is left as it is (a sender
    needs the server's own codes). The connection is closed on the way out."""
    addresses = resolve(endpoint.host, endpoint.port, "smtp_host")
    cls = _PinnedSMTPSSL if endpoint.security == "ssl" else _PinnedSMTP
    kwargs = {"context": ssl_context()} if endpoint.security == "ssl" else {}
    client = cls(timeout=timeout(), **kwargs)
    client.pinned = addresses
    client._host = endpoint.host  # what TLS checks the certificate against
    try:
        try:
            client.connect(endpoint.host, endpoint.port)
            client.ehlo()
            if endpoint.security == "starttls":
                if not client.has_extn("starttls"):
                    raise MailFailure("no_starttls", "smtp_security", {"host": endpoint.host})
                client.starttls(context=ssl_context())
                client.ehlo()
            if endpoint.username or endpoint.password:
                if not client.has_extn("auth"):
                    raise MailFailure("no_auth", "smtp_security", {"host": endpoint.host})
                try:
                    smtp_login(client, endpoint)
                except smtplib.SMTPAuthenticationError:
                    raise MailFailure("auth", "smtp_password", {"host": endpoint.host}) from None
                except smtplib.SMTPException as exc:
                    raise MailFailure(
                        "protocol",
                        "smtp_host",
                        {"host": endpoint.host, "detail": server_text(exc)},
                    ) from None
        except Exception as exc:  # every failure is answered in words, never raised on
            raise network_failure(exc, endpoint) from None
        yield client
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    finally:
        with contextlib.suppress(OSError):
            client.close()


def check_smtp(endpoint: Endpoint) -> None:
    """EHLO, STARTTLS when chosen, AUTH; MailFailure when any step fails."""
    with smtp_session(endpoint):
        pass


@contextlib.contextmanager
def imap_session(endpoint: Endpoint):
    """A signed-in IMAP client (after STARTTLS when chosen; LOGIN or XOAUTH2). MailFailure
    when connecting or signing in fails; what the body of the `with` raises is left as it
    is (the mailbox sync says what). Logged out on the way out."""
    addresses = resolve(endpoint.host, endpoint.port, "imap_host")
    if endpoint.security == "ssl":
        cls, kwargs = _PinnedIMAPSSL, {"ssl_context": ssl_context()}
    else:
        cls, kwargs = _PinnedIMAP, {}
    # imaplib connects in its constructor: the checked addresses are set on a subclass.
    pinned = type(cls.__name__, (cls,), {"pinned": addresses})
    client = None
    try:
        try:
            client = pinned(endpoint.host, endpoint.port, timeout=timeout(), **kwargs)
            if endpoint.security == "starttls":
                if "STARTTLS" not in client.capabilities:
                    raise MailFailure("no_starttls", "imap_security", {"host": endpoint.host})
                client.starttls(ssl_context=ssl_context())
            try:
                imap_login(client, endpoint)
            except imaplib.IMAP4.error as exc:
                text = server_text(exc.args[0] if exc.args else "").upper()
                if "AUTHENTICATIONFAILED" in text or "AUTHENTICATE" in text:
                    raise MailFailure("auth", "imap_password", {"host": endpoint.host}) from None
                if "LOGINDISABLED" in text or "PRIVACYREQUIRED" in text:
                    raise MailFailure("no_auth", "imap_security", {"host": endpoint.host}) from None
                raise MailFailure("auth", "imap_password", {"host": endpoint.host}) from None
        except Exception as exc:  # every failure is answered in words, never raised on
            raise network_failure(exc, endpoint) from None
        yield client
    finally:
        if client is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error, EOFError):
                client.logout()


def check_imap(endpoint: Endpoint) -> None:
    """LOGIN (after STARTTLS when chosen), then SELECT INBOX."""
    with imap_session(endpoint) as client:
        try:
            status, _data = client.select("INBOX", readonly=True)
        except Exception as exc:
            raise network_failure(exc, endpoint) from None
        if status != "OK":
            raise MailFailure("no_inbox", "imap_host", {"host": endpoint.host})


def check(endpoint: Endpoint) -> dict:
    """The outcome of one endpoint's test as stored (OK or a failure's dict)."""
    checker = check_smtp if endpoint.protocol == SMTP else check_imap
    try:
        checker(endpoint)
    except MailFailure as failure:
        return failure.as_dict()
    return dict(OK)


def describe(result: dict) -> str:
    """A stored outcome in words, in the reader's language."""
    code = result.get("code")
    params = {"host": "", "port": "", "seconds": "", "reason": "", "detail": ""}
    params.update(result.get("params") or {})
    messages = {
        "ok": _("Connection succeeded."),
        "auth": _("The server refused the user name or password."),
        "not_found": _("The server “%(host)s” was not found: check the host name."),
        "private_host": _(
            "“%(host)s” is a private or local address: Comptoir does not connect to those."
        ),
        "refused": _(
            "%(host)s refused the connection on port %(port)s: check the port and the security."
        ),
        "unreachable": _("%(host)s cannot be reached on port %(port)s."),
        "timeout": _("%(host)s did not answer within %(seconds)s seconds."),
        "tls_certificate": _(
            "The secure connection to %(host)s failed: its certificate is not valid (%(reason)s)."
        ),
        "tls_handshake": _(
            "The secure connection to %(host)s failed: the server does not speak TLS on "
            "port %(port)s. Check the port and the security (SSL/TLS or STARTTLS)."
        ),
        "closed": _(
            "%(host)s closed the connection: check the port and the security (SSL/TLS or STARTTLS)."
        ),
        "no_starttls": _("%(host)s does not offer STARTTLS: choose SSL/TLS or another port."),
        "no_auth": _(
            "%(host)s does not offer sign-in on this connection: choose SSL/TLS or STARTTLS."
        ),
        "no_inbox": _("Signed in, but the INBOX folder of %(host)s could not be opened."),
        "unreadable_secret": _(
            "The stored password can no longer be read (the encryption key changed): "
            "enter it again."
        ),
        "protocol": _("%(host)s answered something unexpected: %(detail)s"),
        "oauth_revoked": _(
            "The provider no longer accepts Comptoir's access to this mailbox (consent "
            "withdrawn or password changed): connect it again."
        ),
        "oauth_unavailable": _(
            "The provider could not renew Comptoir's access to this mailbox just now: "
            "try again in a moment."
        ),
    }
    template = messages.get(code) or _("The connection test failed.")
    return template % params
