"""Real `comptoir` processes on a database of their own, for tests of locks, crashes and
restarts: a SQLite file (the suite's own SQLite database lives in memory, where locks do
not behave as on disk), or a fresh PostgreSQL database when the suite runs on PostgreSQL.

A test module imports the `site` fixture; each test gets a copy of a database migrated
once per session, with a super admin and an API token (`site.token`)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

COMPTOIR = str(Path(sys.executable).parent / "comptoir")
ADMIN = "boss@example.com"
SETUP = f"""
from comptoir.core.testing.factories import make_user
from comptoir.users.services import create_token
user = make_user({ADMIN!r}, role="Super admin")
print(create_token(user, "tests", None)[1])
"""


class Site:
    """A data directory and its database; every process started here shares them."""

    def __init__(self, root: Path, database_url: str = "", **env):
        self.root = root
        self.env = {
            "PATH": "/usr/bin:/bin",
            "COMPTOIR_DATA_DIR": str(root),
            "COMPTOIR_DB_LOCK_TIMEOUT": "1",  # a test meets a lock in a second, not thirty
            **env,
        }
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.processes: list[subprocess.Popen] = []
        self.url = ""

    @property
    def token(self) -> str:
        return (self.root / "token").read_text().strip()

    def manage(self, *args, **env) -> str:
        result = subprocess.run(
            [COMPTOIR, *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def python(self, code: str, **env) -> str:
        """Run `code` in a Django shell on this site; returns what it printed."""
        return self.manage("shell", "-c", code, **env)

    def query(self, sql: str, params=()) -> list[tuple]:
        """Rows of one SQL statement on this site's database, from the test's own process
        (no Django shell to start: for what must be seen within a fraction of a second)."""
        url = self.env.get("DATABASE_URL", "")
        if url:
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        import sqlite3

        conn = sqlite3.connect(self.root / "comptoir.sqlite3", timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def start(self, *args, log: str, **env) -> subprocess.Popen:
        handle = (self.root / log).open("ab")
        process = subprocess.Popen(
            [COMPTOIR, *args], env={**self.env, **env}, stdout=handle, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.root / name).read_text(errors="replace")

    def serve(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        bind = f"127.0.0.1:{port}"
        server = self.start("serve", "--bind", bind, "--workers", "1", log="serve.log")
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return self.url
            except OSError:
                assert server.poll() is None, self.log("serve.log")
                time.sleep(0.1)
        raise AssertionError("the server never answered: " + self.log("serve.log"))

    def request(self, method: str, path: str, body=None, headers=None, *, data=None, url=None):
        """(status, headers, body text) of one request to the server (no exception on 4xx/5xx);
        `url`: another server of this site (what an earlier `serve()` returned)."""
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            (url or self.url) + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()

    def session(self) -> str:
        """A signed-in session of the super admin, for the pages."""
        code = (
            "from django.test import Client\nfrom comptoir.users.models import User\n"
            f"client = Client()\nclient.force_login(User.objects.get(email={ADMIN!r}))\n"
            'print(client.cookies["sessionid"].value)'
        )
        return self.python(code).strip().splitlines()[-1]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(check, what: str, tries: int = 300, pause: float = 0.1):
    """Poll `check()` until it returns something true (no timing is asserted)."""
    for _ in range(tries):
        found = check()
        if found:
            return found
        time.sleep(pause)
    raise AssertionError(f"never happened: {what}")


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _admin(url: str, statement: str) -> None:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def _database_url(url: str, name: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{name}"


@pytest.fixture(scope="session")
def _site_template(tmp_path_factory, worker_id):
    """A migrated database with a super admin and a token, copied for each test."""
    root = tmp_path_factory.mktemp("site-template")
    url = _postgres_url()
    name = ""
    if url:
        name = f"{url.rsplit('/', 1)[1]}_site_{worker_id}"[:60]
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(url, f'CREATE DATABASE "{name}"')
    site = Site(root, _database_url(url, name) if url else "")
    site.manage("migrate", "-v0")
    (root / "token").write_text(site.python(SETUP).strip().splitlines()[-1])
    yield root, name
    if url:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copied_site(site_template, root: Path):
    """A Site on a copy of the template (files and database); yields it, then drops it."""
    template, template_db = site_template
    shutil.copytree(template, root)
    url = _postgres_url()
    name = ""
    if url:
        name = f"{template_db}_{uuid.uuid4().hex[:8]}"[:63]
        _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    site = Site(root, _database_url(url, name) if url else "")
    yield site
    site.stop()
    if url:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(_site_template, tmp_path):
    yield from _copied_site(_site_template, tmp_path / "site")


@pytest.fixture(scope="module")
def served_site(_site_template, tmp_path_factory):
    """One site and its `comptoir serve`, shared by a test module whose tests only send
    requests (each leaves its own records; none expects an empty database)."""
    for site in _copied_site(_site_template, tmp_path_factory.mktemp("served") / "site"):
        site.serve()
        yield site


@pytest.fixture
def fresh_site(tmp_path):
    """A new data directory and, when the suite runs on PostgreSQL, a new empty database:
    nothing migrated, no user (what an administrator installing Comptoir starts from)."""
    url = _postgres_url()
    name = f"comptoir_fresh_{uuid.uuid4().hex[:8]}" if url else ""
    if url:
        _admin(url, f'CREATE DATABASE "{name}"')
    site = Site(tmp_path / "fresh", _database_url(url, name) if url else "")
    site.root.mkdir()
    yield site
    site.stop()
    if url:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def hold_lock(ready: Path, release: Path, models=()) -> None:
    """From a connection of its own, hold SQLite's write lock (PostgreSQL: an EXCLUSIVE
    lock on the tables of `models`, by default the task queue's) until the file `release`
    exists; `ready` is written once held."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    tables = [model._meta.db_table for model in models or (DBTaskResult,)]

    other = connection.copy()
    other.ensure_connection()
    raw = other.connection
    try:
        if other.vendor == "sqlite":
            raw.execute("BEGIN IMMEDIATE")
        else:
            raw.execute("BEGIN")
            names = ", ".join(f'"{table}"' for table in tables)
            raw.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        ready.write_text("held")
        while not release.exists():
            time.sleep(0.05)
        raw.execute("ROLLBACK")
    finally:
        other.close()
