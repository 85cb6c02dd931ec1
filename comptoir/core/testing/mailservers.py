"""Real mail servers for tests (issue 17, point 8), started once per test session:

- aiosmtpd: SMTP with STARTTLS and AUTH (PLAIN, LOGIN; only after STARTTLS), SMTPS
  (implicit TLS) with AUTH, and a plain SMTP port offering neither STARTTLS nor AUTH;
- Dovecot (Debian's `dovecot-imapd`): IMAP with STARTTLS and IMAPS, run as an unprivileged
  process (the `dovecot` system user when the tests run as root) with a temporary
  configuration: a passwd-file, Maildirs in a temporary directory, 127.0.0.1 on free ports,
  its log in a file;
- a listening socket that accepts and never answers (timeouts).

The TLS certificate (127.0.0.1 and localhost) is made with `cryptography` at session start;
`mail_servers.ca_file` is the file a client must trust (COMPTOIR_MAIL_CA_FILE).

Fixtures (registered in the root conftest.py): `mail_servers` (session) and
`mail_settings` (points the settings at them: the CA file, private hosts allowed)."""

import contextlib
import datetime
import grp
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
USER = "rep@example.com"
PASSWORD = "app-password-42"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def make_certificate(directory: Path, names: tuple[str, ...] = ("localhost",)) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and `names`: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Comptoir test mail server")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [*map(x509.DNSName, names), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class Inbox:
    """The aiosmtpd handler: keeps every message received (raw bytes)."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, users: dict[str, str]):
        self.users = users

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        ok = self.users.get(login) == auth_data.password.decode("utf-8", "replace")
        return AuthResult(success=ok, handled=False)


def _account(user: str) -> tuple[str, str]:
    """The system user and group Dovecot runs as: ourselves, or `dovecot` when root
    (Dovecot refuses to run its login processes as root)."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
    else:
        entry = pwd.getpwnam(user)
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name


DOVECOT_CONF = """
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
instance_name = comptoir-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{root}/mail/%u
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 0
auth_mechanisms = plain login
auth_failure_delay = 0
disable_plaintext_auth = no
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    root: Path
    port: int = 0
    ssl_port: int = 0
    process: subprocess.Popen | None = None

    def maildir(self, user: str = USER) -> Path:
        return self.root / "mail" / user


OAUTH2_PASSDB = """
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}
"""
OAUTH2_CONF = """introspection_mode = post
introspection_url = {url}
username_attribute = email
active_attribute = active
active_value = true
"""


def start_dovecot(
    cert: Path, key: Path, users: dict[str, str], introspection_url: str = ""
) -> Dovecot:
    """Dovecot on two free ports; raises RuntimeError saying why it could not start. With
    `introspection_url`, it also takes OAuth2 tokens (SASL XOAUTH2), checked at that address
    (RFC 7662 token introspection)."""
    if not Path(DOVECOT).exists():
        raise RuntimeError("dovecot is not installed (Debian package dovecot-imapd)")
    user, group = _account("dovecot")
    root = Path(tempfile.mkdtemp(prefix="comptoir-dovecot-"))
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    shutil.copy(cert, root / "cert.pem")
    shutil.copy(key, root / "key.pem")
    (root / "passwd").write_text(
        "".join(f"{name}:{{PLAIN}}{password}::::\n" for name, password in users.items())
    )
    server = Dovecot(root, free_port(), free_port())
    conf = DOVECOT_CONF.format(
        host=HOST, root=root, user=user, group=group, port=server.port, ssl_port=server.ssl_port
    )
    if introspection_url:
        conf = conf.replace(
            "auth_mechanisms = plain login", "auth_mechanisms = plain login xoauth2 oauthbearer"
        )
        conf += OAUTH2_PASSDB.format(root=root)
        (root / "dovecot-oauth2.conf.ext").write_text(OAUTH2_CONF.format(url=introspection_url))
    (root / "dovecot.conf").write_text(conf)
    entry = pwd.getpwnam(user)
    if os.geteuid() == 0:
        for path in [root, *root.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # As root, the whole server runs as that user (Popen changes ids before exec).
    ids = (
        {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        if os.geteuid() == 0
        else {}
    )
    server.process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **ids,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                "dovecot exited: " + server.process.stderr.read().decode("utf-8", "replace")
            )
        with contextlib.suppress(OSError), socket.create_connection((HOST, server.port), 1):
            return server
        time.sleep(0.1)
    stop_dovecot(server)
    raise RuntimeError("dovecot did not listen within 20 s")


def stop_dovecot(server: Dovecot) -> None:
    if server.process is not None and server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
    shutil.rmtree(server.root, ignore_errors=True)


class SilentServer:
    """A port that accepts connections and never says a word (the timeout case)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind((HOST, 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]

    def close(self):
        self.socket.close()


@dataclass
class MailServers:
    ca_file: Path
    inbox: Inbox
    smtp_starttls_port: int  # STARTTLS offered; AUTH only after it
    smtps_port: int  # implicit TLS, AUTH
    smtp_plain_port: int  # no STARTTLS, no AUTH
    silent_port: int
    dovecot: Dovecot | None
    dovecot_error: str = ""
    user: str = USER
    password: str = PASSWORD
    host: str = HOST
    controllers: list = field(default_factory=list)

    @property
    def imap_port(self) -> int:
        return self.dovecot.port

    @property
    def imaps_port(self) -> int:
        return self.dovecot.ssl_port

    def require_dovecot(self) -> Dovecot:
        if self.dovecot is None:
            pytest.skip(f"Dovecot could not run here: {self.dovecot_error}")
        return self.dovecot


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _start(handler, port, **kwargs) -> Controller:
    controller = Controller(handler, hostname=HOST, port=port, **kwargs)
    controller.start()
    return controller


@contextlib.contextmanager
def running_mail_servers():
    directory = Path(tempfile.mkdtemp(prefix="comptoir-mail-tls-"))
    cert, key = make_certificate(directory)
    users = {USER: PASSWORD}
    inbox = Inbox()
    auth = Authenticator(users)
    context = _server_context(cert, key)
    controllers = [
        _start(
            inbox,
            free_port(),
            tls_context=context,
            authenticator=auth,
            auth_require_tls=True,
        ),
        _start(
            inbox,
            free_port(),
            ssl_context=context,
            authenticator=auth,
            auth_require_tls=False,
        ),
        _start(inbox, free_port()),
    ]
    silent = SilentServer()
    dovecot, error = None, ""
    try:
        dovecot = start_dovecot(cert, key, users)
    except (RuntimeError, OSError, KeyError) as exc:
        error = str(exc)
    servers = MailServers(
        ca_file=cert,
        inbox=inbox,
        smtp_starttls_port=controllers[0].port,
        smtps_port=controllers[1].port,
        smtp_plain_port=controllers[2].port,
        silent_port=silent.port,
        dovecot=dovecot,
        dovecot_error=error,
        controllers=controllers,
    )
    try:
        yield servers
    finally:
        for controller in controllers:
            controller.stop()
        silent.close()
        if dovecot is not None:
            stop_dovecot(dovecot)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def mail_servers():
    with running_mail_servers() as servers:
        yield servers


@pytest.fixture
def mail_settings(settings, mail_servers):
    settings.COMPTOIR_MAIL_CA_FILE = str(mail_servers.ca_file)
    settings.COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS = True
    return mail_servers
