"""docs/deployment.md's proxy step, run (issue 19, point 2): nginx with the guide's own server
block (only its certificate, port and upstream addresses replaced) terminates TLS in front
of two `comptoir serve`, "two app machines" each with a data directory of its own, and a
`comptoir worker` on a third, all on one database. A browser signs in through it over
HTTPS, both servers answer its pages, and an API client's import is run by the worker."""

import grp
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import textwrap
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet

from comptoir.core.testing.mailservers import free_port, make_certificate
from comptoir.core.testing.processes import ADMIN, wait_for
from comptoir.core.tests.test_shared_files import CSV, REQUEST, multipart

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(NGINX),
        reason="nginx is not installed (apt-get install nginx; .ci/run installs it)",
    ),
]
GUIDE = Path(__file__).resolve().parents[3] / "docs" / "deployment.md"
NAME = "crm.example.test"
PASSWORD = "Pass-word-123"  # make_user's, the site fixture's super admin


def guide_server_block() -> str:
    """The ```nginx block of the guide's proxy step, as a sysadmin copies it."""
    text = GUIDE.read_text()
    step = text.index("**The proxy**, nginx with TLS")
    start = text.index("```nginx\n", step) + len("```nginx\n")
    return textwrap.dedent(text[start : text.index("```", start)])


def adapted(block: str, *, port: int, cert: Path, key: Path, upstreams: list[str]) -> str:
    """The guide's block with only what a test must change: the certificate, the port (no
    port 80 to redirect from) and the app machines' addresses."""

    def replace(pattern, repl, text, count):
        text, n = re.subn(pattern, repl, text, flags=re.MULTILINE)
        assert n == count, f"docs/deployment.md's nginx block: {pattern!r} found {n} times"
        return text

    block = replace(r"^server \{ listen 80;.*\n", "", block, 1)
    block = replace(r"listen 443 ", f"listen 127.0.0.1:{port} ", block, 1)
    block = replace(r"crm\.example\.com", NAME, block, 3)
    block = replace(r"ssl_certificate( +)\S+;", rf"ssl_certificate\g<1>{cert};", block, 1)
    block = replace(r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};", block, 1)
    addresses = iter(upstreams)
    block = replace(
        r"^(\s+server )\d+\.\d+\.\d+\.\d+:\d+;", lambda m: m[1] + next(addresses) + ";", block, 2
    )
    return block


@pytest.fixture
def nginx(tmp_path):
    """start(server block) -> the running nginx, unprivileged, its files all in tmp_path."""
    root = tmp_path / "nginx"
    root.mkdir()
    processes = []

    def start(block: str, port: int) -> None:
        temps = "\n".join(
            f"{kind}_temp_path {root / kind};" for kind in ("client_body", "proxy", "fastcgi")
        )
        # As root, nginx's workers would run as nobody, who cannot enter tmp_path.
        user = f"{pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name}"
        config = root / "nginx.conf"
        config.write_text(
            f"user {user};\nworker_processes 1;\nerror_log {root / 'error.log'} info;\n"
            "events { worker_connections 64; }\n"
            f"http {{\naccess_log {root / 'access.log'};\n{temps}\n"
            f"uwsgi_temp_path {root / 'uwsgi'};\nscgi_temp_path {root / 'scgi'};\n"
            f"{block}\n}}\n"
        )
        command = [NGINX, "-p", str(root), "-e", str(root / "error.log"), "-c", str(config)]
        pid = f"daemon off; pid {root / 'nginx.pid'};"
        checked = subprocess.run([*command, "-t", "-g", pid], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr + config.read_text()
        log = (root / "nginx.out").open("ab")
        process = subprocess.Popen([*command, "-g", pid], stdout=log, stderr=subprocess.STDOUT)
        processes.append(process)

        def listening():
            assert process.poll() is None, (root / "error.log").read_text()
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, "nginx listens")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


class Browser:
    """HTTPS to 127.0.0.1:port as if to crm.example.test:port (SNI, Host, certificate
    checked against the test's own authority); keeps the cookies it is given."""

    def __init__(self, port: int, ca: Path):
        self.port = port
        self.origin = f"https://{NAME}:{port}"
        self.context = ssl.create_default_context(cafile=str(ca))
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def send(self, method, path, body=None, headers=None):
        # SNI, the certificate's check and Host name crm.example.test (as a browser whose
        # DNS answers 127.0.0.1): only the socket is opened to 127.0.0.1.
        connection = http.client.HTTPSConnection(NAME, self.port, context=self.context, timeout=120)
        connection._create_connection = lambda _address, *args: socket.create_connection(
            ("127.0.0.1", self.port), *args
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content


def test_two_app_machines_and_a_worker_behind_the_guides_nginx(site, nginx, tmp_path):
    port = free_port()
    cert, key = make_certificate(tmp_path, names=(NAME,))
    database = site.env.get("DATABASE_URL") or f"sqlite:///{site.root / 'comptoir.sqlite3'}"
    # /etc/comptoir.env, the same on every machine (docs/deployment.md, "Several machines").
    site.env.update(
        DATABASE_URL=database,
        SECRET_KEY=secrets.token_urlsafe(50),
        COMPTOIR_SECRET_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS=NAME,
        COMPTOIR_HTTPS="true",
        COMPTOIR_BASE_URL=f"https://{NAME}:{port}",
        COMPTOIR_TRUSTED_PROXIES="127.0.0.1",
    )
    machines = {}
    for machine in ("app-1", "app-2", "worker"):
        (tmp_path / machine).mkdir()
    for machine in ("app-1", "app-2"):
        address = f"127.0.0.1:{free_port()}"
        site.start(
            "serve", "--bind", address, "--workers", "1",
            log=f"{machine}.log", COMPTOIR_DATA_DIR=str(tmp_path / machine),
        )  # fmt: skip
        machines[machine] = address
    site.start(
        "worker", "--no-scheduler", "--interval", "0.1",
        log="worker.log", COMPTOIR_DATA_DIR=str(tmp_path / "worker"),
    )  # fmt: skip
    upstreams = [*machines.values()]
    nginx(adapted(guide_server_block(), port=port, cert=cert, key=key, upstreams=upstreams), port)

    for machine, address in machines.items():

        def healthy(address=address):
            host, app_port = address.split(":")
            try:
                connection = http.client.HTTPConnection(host, int(app_port), timeout=2)
                connection.request("GET", "/healthz", headers={"Host": NAME})
                return connection.getresponse().status == 200
            except OSError:
                return False

        wait_for(healthy, f"{machine} answers: " + site.log(f"{machine}.log"), tries=600)

    browser = Browser(port, cert)
    # The sign-in page, over HTTPS: HSTS, and cookies for HTTPS only.
    response, page = browser.send("GET", "/login/")
    assert response.status == 200, page
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")
    assert browser.set_cookies and all("Secure" in c for c in browser.set_cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
    # Signing in: the browser's Origin and Referer are the name and port it typed.
    response, page = browser.send(
        "POST",
        "/login/",
        urlencode({"csrfmiddlewaretoken": token, "username": ADMIN, "password": PASSWORD}),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": browser.origin,
            "Referer": f"{browser.origin}/login/",
        },
    )
    assert response.status == 302, page
    assert response.getheader("Location") == "/"
    session = [c for c in browser.set_cookies if c.startswith("sessionid=")]
    assert session and "Secure" in session[0] and "HttpOnly" in session[0]
    # The signed-in pages, answered in turn by both app machines (their access logs).
    for _ in range(4):
        response, page = browser.send("GET", "/")
        assert response.status == 200, page
    for machine in machines:
        served = re.findall(r'"GET / HTTP/1\.[01]" 200 ', site.log(f"{machine}.log"))
        assert served, f"{machine} served no page: " + site.log(f"{machine}.log")

    # The API through the proxy: a contact, then an import the worker runs.
    api = {"Authorization": f"Bearer {site.token}"}
    response, answer = browser.send(
        "POST",
        "/crm/v3/objects/contacts",
        json.dumps({"properties": {"email": "anne@client.fr"}}),
        {**api, "Content-Type": "application/json"},
    )
    assert response.status == 201, answer
    body, content_type = multipart(
        {"importRequest": json.dumps(REQUEST)},
        {"files": ("contacts.csv", CSV.encode(), "text/csv")},
    )
    response, answer = browser.send(
        "POST", "/crm/v3/imports", body, {**api, "Content-Type": content_type}
    )
    assert response.status == 200, answer
    import_id = json.loads(answer)["id"]

    def finished():
        answer = json.loads(browser.send("GET", f"/crm/v3/imports/{import_id}", None, api)[1])
        return answer if answer["state"] in ("DONE", "FAILED") else None

    answer = wait_for(finished, "the worker ran the import", tries=1200)
    assert answer["state"] == "DONE", site.log("worker.log")
    response, answer = browser.send(
        "GET", "/crm/v3/objects/contacts/ana@globex.fr?idProperty=email", None, api
    )
    assert response.status == 200, answer
    assert json.loads(answer)["properties"]["email"] == "ana@globex.fr"
    # nginx saw every request; none reached an app machine but through it.
    assert (tmp_path / "nginx" / "access.log").read_text().count(" 200 ") >= 6
