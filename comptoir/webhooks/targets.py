"""Target URLs (API-4): which are accepted, and the POST to one.

A target URL is an address Comptoir's own machine will call, so it is checked like a mail
server (comptoir/mail/connection.py): http or https only, no user name or password in it,
and its host resolved and refused when any address it has is loopback, private,
link-local or otherwise not public, unless COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS is on (a
receiver on the local network). The check runs when the URL is saved and again before
every POST, and the connection goes to the very addresses checked (no second DNS answer
can point it elsewhere). Redirects are not followed."""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class TargetRefused(ValueError):
    """The URL may not be used; the message says why, in the reader's language."""


def _refused(address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line
    addresses: tuple[str, ...]


def parse(url: str) -> tuple:
    url = (url or "").strip()
    if len(url) > 2000:
        raise TargetRefused(_("The URL is too long (2,000 characters at most)."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused(_("The URL must start with https:// or http://."))
    if not parts.hostname:
        raise TargetRefused(_("The URL has no host name."))
    if parts.username or parts.password:
        raise TargetRefused(_("The URL must not contain a user name or password."))
    if any(c.isspace() for c in url):
        raise TargetRefused(_("This is not a valid URL."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return url, parts.scheme, parts.hostname, port, path


def check(url: str) -> Target:
    """The target, its addresses resolved and checked; TargetRefused otherwise."""
    url, scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise TargetRefused(_("The host %(host)s was not found.") % {"host": host}) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    private = any(_refused(ipaddress.ip_address(a.split("%")[0])) for a in addresses)
    if private and not settings.COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS:
        raise TargetRefused(
            _(
                "The host %(host)s is a private, loopback or local address: webhooks go "
                "to public addresses only."
            )
            % {"host": host}
        )
    return Target(url, scheme, host, port, path, addresses)


class _PinnedHTTP(http.client.HTTPConnection):
    pinned: tuple[str, ...] = ()

    def connect(self):
        self.sock = _connect(self.pinned, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    pinned: tuple[str, ...] = ()

    def connect(self):
        sock = _connect(self.pinned, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connect(addresses, port, timeout) -> socket.socket:
    failure: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            failure = exc
    raise failure or OSError("no address")


@dataclass
class Outcome:
    status: int | None
    duration_ms: int
    error: str  # in plain words; empty when the receiver answered 2xx

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retry(self) -> bool:
        """HubSpot retries failed connections, timeouts, 429 and 5xx; not other 4xx."""
        if self.delivered:
            return False
        return self.status is None or self.status == 429 or self.status >= 500


def post(url: str, body: bytes, headers: dict) -> Outcome:
    """POST `body` to the target; never raises for the network or the receiver."""
    started = time.monotonic()

    def done(status, error=""):
        return Outcome(status, int((time.monotonic() - started) * 1000), error[:500])

    try:
        target = check(url)
    except TargetRefused as exc:
        return done(None, str(exc))
    timeout = settings.COMPTOIR_WEBHOOK_TIMEOUT
    if target.scheme == "https":
        context = ssl.create_default_context()
        if settings.COMPTOIR_WEBHOOK_CA_FILE:
            context.load_verify_locations(cafile=settings.COMPTOIR_WEBHOOK_CA_FILE)
        conn = _PinnedHTTPS(target.host, target.port, timeout=timeout, context=context)
    else:
        conn = _PinnedHTTP(target.host, target.port, timeout=timeout)
    conn.pinned = target.addresses
    where = {"host": target.host, "port": target.port}
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(65536)
        status = response.status
    except ssl.SSLCertVerificationError as exc:
        return done(
            None,
            _("The certificate of %(host)s was refused: %(reason)s")
            % {**where, "reason": exc.verify_message or "certificate"},
        )
    except ssl.SSLError:
        return done(None, _("The secure connection to %(host)s failed.") % where)
    except TimeoutError:
        return done(
            None,
            _("%(host)s did not answer within %(seconds)s seconds.")
            % {**where, "seconds": timeout},
        )
    except ConnectionRefusedError:
        return done(None, _("%(host)s refused the connection on port %(port)s.") % where)
    except (http.client.HTTPException, ConnectionError):
        return done(None, _("%(host)s closed the connection without answering.") % where)
    except OSError:
        return done(None, _("%(host)s could not be reached.") % where)
    finally:
        conn.close()
    if 200 <= status < 300:
        return done(status)
    return done(status, _("The receiver answered HTTP %(status)s.") % {"status": status})
