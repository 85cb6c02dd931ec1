"""The production install path (issue 19, point 2): `comptoir init` on a fresh database
(a new PostgreSQL database when the suite runs on PostgreSQL), the HTTPS switch behind a
proxy, and `comptoir demo` refusing a database that is not a new playground."""

import http.client
import secrets
import subprocess
import uuid
from urllib.parse import urlsplit

import pytest

from comptoir.core.testing.processes import COMPTOIR, Site, _admin, _postgres_url

pytestmark = pytest.mark.slow

PASSWORD = "Un-mot-de-passe-solide-2026"
COUNT = (
    "from comptoir.users.models import User\nfrom comptoir.contacts.models import Contact\n"
    "from comptoir.companies.models import Company\nfrom comptoir.deals.models import Deal\n"
    "print([(u.email, u.is_superuser) for u in User.objects.all()], Contact.objects.count(), "
    "Company.objects.count(), Deal.objects.count())"
)


def counts(site) -> str:
    """Users (email, super admin?), contacts, companies and deals of the site."""
    return site.python(COUNT).strip().splitlines()[-1]


def run(site, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [COMPTOIR, *args], env={**site.env, **env}, capture_output=True, text=True, timeout=600
    )


def test_init_migrates_and_creates_the_first_admin_without_demo_data(fresh_site):
    password = fresh_site.root / "password"
    password.write_text("Un-mot-de-passe-solide-2026\n")
    out = fresh_site.manage(
        "init", "--email", "Admin@Example.com", "--password-file", str(password), "--no-input"
    )
    assert "Created the administrator admin@example.com." in out
    assert counts(fresh_site) == "[('admin@example.com', True)] 0 0 0"
    # Run again (an upgrade): it migrates and creates nobody.
    out = fresh_site.manage("init", "--no-input")
    assert "An administrator exists already (admin@example.com): nothing to create." in out
    assert counts(fresh_site) == "[('admin@example.com', True)] 0 0 0"
    # The administrator signs in with that password.
    signed_in = fresh_site.python(
        "from django.test import Client\nprint(Client().login("
        "username='admin@example.com', password='Un-mot-de-passe-solide-2026'))"
    )
    assert signed_in.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--email", "a@example.com"],
            {},
            "password: give --password-file or COMPTOIR_ADMIN_PASSWORD",
        ),
        ([], {"COMPTOIR_ADMIN_PASSWORD": "Un-mot-de-passe-solide"}, "--email is required"),
        (
            ["--email", "a@example.com"],
            {"COMPTOIR_ADMIN_PASSWORD": "123"},
            "password: This password is too short",
        ),
        (
            ["--email", "not an email"],
            {"COMPTOIR_ADMIN_PASSWORD": "Un-mot-de-passe-solide"},
            "email: 'not an email' is not a valid",
        ),
    ],
)
def test_init_says_what_is_missing_in_one_line(fresh_site, args, env, message):
    result = run(fresh_site, "init", "--no-input", *args, **env)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert counts(fresh_site) == "[] 0 0 0"  # migrated, nobody created


def init_for_a_script(site) -> None:
    """`comptoir init` as a provisioning script runs it: flags and the environment."""
    site.manage(
        "init", "--email", "admin@example.com", "--no-input", COMPTOIR_ADMIN_PASSWORD=PASSWORD
    )


def _get(url: str, path: str, headers=None) -> http.client.HTTPResponse:
    """One request, redirects not followed."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_one_switch_makes_https_behind_a_proxy_safe(fresh_site):
    fresh_site.env.update(
        COMPTOIR_HTTPS="true", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1"
    )
    init_for_a_script(fresh_site)
    result = run(fresh_site, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    url = fresh_site.serve()
    # Plain HTTP (no X-Forwarded-Proto from the proxy) is sent to HTTPS; /healthz is not.
    plain = _get(url, "/login/")
    assert plain.status == 301 and plain.getheader("Location").startswith("https://127.0.0.1")
    assert _get(url, "/healthz").status == 200
    # Through the proxy: the page, secure cookies, HSTS.
    proxied = _get(url, "/login/", {"X-Forwarded-Proto": "https"})
    assert proxied.status == 200
    assert "max-age=31536000" in proxied.getheader("Strict-Transport-Security")
    cookies = proxied.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)


def test_demo_refuses_a_database_that_is_not_a_new_playground(fresh_site):
    init_for_a_script(fresh_site)
    # Even when told to use the database of DATABASE_URL (the PostgreSQL run's), not one with users.
    result = run(fresh_site, "demo", "--no-serve", "--use-database-url")
    assert result.returncode == 1
    assert "This database has users already" in result.stderr
    result = run(
        fresh_site, "demo", "--no-serve", DATABASE_URL=f"sqlite:///{fresh_site.root}/x.sqlite3"
    )
    assert result.returncode == 1
    assert "DATABASE_URL is set: comptoir demo would put demo data" in result.stderr
    assert counts(fresh_site) == "[('admin@example.com', True)] 0 0 0"


@pytest.mark.skipif(not _postgres_url(), reason="the PostgreSQL role of docs/deployment.md")
def test_init_backup_and_restore_as_the_databases_owner_not_a_superuser(tmp_path):
    """docs/deployment.md's PostgreSQL step: a login role that only owns its database (no
    superuser) installs with `comptoir init` (pg_trgm is a trusted extension), backs up
    and restores into another database it owns."""
    url = _postgres_url()
    role = f"comptoir_owner_{uuid.uuid4().hex[:8]}"
    secret = secrets.token_urlsafe(16)
    databases = [role, f"{role}_restored"]
    _admin(url, f"CREATE ROLE \"{role}\" LOGIN NOSUPERUSER NOCREATEDB PASSWORD '{secret}'")
    try:
        for name in databases:
            _admin(url, f'CREATE DATABASE "{name}" OWNER "{role}"')
        parts = urlsplit(url)
        owner = [
            f"postgres://{role}:{secret}@{parts.hostname}:{parts.port or 5432}/{n}"
            for n in databases
        ]
        installed = Site(tmp_path / "installed", owner[0])
        installed.root.mkdir()
        out = installed.manage(
            "init", "--email", "admin@example.com", "--no-input", COMPTOIR_ADMIN_PASSWORD=PASSWORD
        )
        assert "Created the administrator admin@example.com." in out
        archive = installed.manage("backup", "--output", str(tmp_path / "backups"))
        archive = archive.strip().splitlines()[-1]
        restored = Site(tmp_path / "restored", owner[1])
        restored.root.mkdir()
        assert "Restored" in restored.manage("restore", archive)
        assert counts(restored) == "[('admin@example.com', True)] 0 0 0"
    finally:
        for name in databases:
            _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(url, f'DROP ROLE IF EXISTS "{role}"')
