"""Airbyte's `airbyte-source-hubspot` (pinned below, in its own Python 3.11 virtualenv that
the first run installs under .tools/ and later runs reuse) against a real `comptoir serve`:
only the host is changed, at the `requests` adapter (airbyte/run_source.py). Issue 15,
point 7: `check`, `discover`, and a full read of contacts, companies, deals and owners equal
to what the database holds."""

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from comptoir.core.testing.processes import (
    Site,
    _admin,
    _database_url,
    _postgres_url,
    _site_template,  # noqa: F401 (the session fixture the module's site copies)
)

PACKAGE = "airbyte-source-hubspot==5.7.0"
ROOT = Path(__file__).resolve().parents[3]
VENV = ROOT / ".tools" / PACKAGE.replace("==", "-")
RUNNER = Path(__file__).parent / "airbyte" / "run_source.py"
STREAMS = ("contacts", "companies", "deals", "owners")


def _uv() -> str | None:
    for candidate in (
        shutil.which("uv"),
        str(ROOT / ".tools" / "bin" / "uv"),
        str(Path.home() / ".local" / "bin" / "uv"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def airbyte_python(tmp_path_factory):
    """The connector's virtualenv, installed once (a lock keeps two xdist workers apart)."""
    python = VENV / "bin" / "python"
    ready = VENV / ".installed"
    if ready.exists():
        return str(python)
    python311 = shutil.which("python3.11")
    uv = _uv()
    if python311 is None or uv is None:
        pytest.skip("airbyte-source-hubspot needs Python 3.11 and uv (python3.11 or uv not found)")
    import fcntl

    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / ".airbyte.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            subprocess.run(
                [uv, "venv", "-q", "--clear", "--python", python311, str(VENV)], check=True
            )
            subprocess.run(
                [uv, "pip", "install", "-q", "--python", str(python), PACKAGE],
                check=True,
                timeout=1200,
            )
            ready.write_text(PACKAGE)
    return str(python)


@pytest.fixture(scope="module")
def airbyte_site(_site_template, tmp_path_factory):  # noqa: F811
    template, template_db = _site_template
    root = tmp_path_factory.mktemp("airbyte") / "site"
    shutil.copytree(template, root)
    url = _postgres_url()
    name = ""
    if url:
        name = f"{template_db}_{uuid.uuid4().hex[:8]}"[:63]
        _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    site = Site(root, _database_url(url, name) if url else "")
    site.serve()
    for i in range(3):
        company = _create(
            site, "companies", {"name": f"Company {i}", "domain": f"c{i}.example.com"}
        )
        contact = _create(
            site, "contacts", {"email": f"p{i}@example.com", "firstname": f"P{i}", "lastname": "X"}
        )
        _create(
            site,
            "deals",
            {
                "dealname": f"Deal {i}",
                "amount": str(100 * (i + 1)),
                "dealstage": "appointmentscheduled",
            },
        )
        status, _, body = site.request(
            "PUT",
            f"/crm/v4/objects/contacts/{contact}/associations/default/companies/{company}",
        )
        assert status == 200, body
    yield site
    site.stop()
    if url:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create(site, object_type: str, properties: dict) -> str:
    status, _, body = site.request(
        "POST", f"/crm/v3/objects/{object_type}", {"properties": properties}
    )
    assert status == 201, body
    return json.loads(body)["id"]


class Connector:
    def __init__(self, python: str, site, workdir: Path):
        self.python, self.site, self.workdir = python, site, workdir
        self.calls = workdir / "calls.jsonl"
        self.config = workdir / "config.json"
        self.config.write_text(
            json.dumps(
                {
                    "credentials": {
                        "credentials_title": "Private App Credentials",
                        "access_token": site.token,
                    },
                    "start_date": "2020-01-01T00:00:00Z",
                }
            )
        )

    def __call__(self, *args) -> list[dict]:
        """The connector's Airbyte messages (one JSON object a line on stdout)."""
        self.calls.write_text("")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "COMPTOIR_URL": self.site.url,
            "COMPTOIR_CALLS": str(self.calls),
        }
        done = subprocess.run(
            [self.python, str(RUNNER), *args, "--config", str(self.config)],
            env=env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=900,
        )
        messages = []
        for line in done.stdout.splitlines():
            try:
                messages.append(json.loads(line))
            except ValueError:
                continue
        # The requests made and their statuses, for the report when a test fails.
        print(args[0], self.calls.read_text())
        return messages

    def statuses(self) -> list[tuple[str, str, int]]:
        lines = self.calls.read_text().splitlines()
        return [(c["method"], c["path"], c["status"]) for c in map(json.loads, lines)]


@pytest.fixture(scope="module")
def connector(airbyte_python, airbyte_site, tmp_path_factory):
    return Connector(airbyte_python, airbyte_site, tmp_path_factory.mktemp("airbyte-run"))


def _errors(messages) -> list:
    return [
        (m["trace"]["error"]["message"], m["trace"]["error"].get("stack_trace", "")[-1500:])
        for m in messages
        if m.get("type") == "TRACE" and m["trace"].get("type") == "ERROR"
    ]


def test_check(connector):
    messages = connector("check")
    status = [m["connectionStatus"] for m in messages if m.get("type") == "CONNECTION_STATUS"]
    assert status and status[0]["status"] == "SUCCEEDED", (status, _errors(messages))
    assert {s for _, _, s in connector.statuses()} <= {200}


@pytest.fixture(scope="module")
def catalog(connector):
    messages = connector("discover")
    found = [m["catalog"] for m in messages if m.get("type") == "CATALOG"]
    assert found, _errors(messages)
    return found[0]


def test_discover(connector, catalog):
    names = {s["name"] for s in catalog["streams"]}
    assert set(STREAMS) <= names
    contacts = next(s for s in catalog["streams"] if s["name"] == "contacts")
    assert "properties_email" in contacts["json_schema"]["properties"]


def test_full_read_equals_the_database(connector, catalog, airbyte_site):
    configured = {
        "streams": [
            {
                "stream": stream,
                "sync_mode": "full_refresh",
                "destination_sync_mode": "overwrite",
            }
            for stream in catalog["streams"]
            if stream["name"] in STREAMS
        ]
    }
    path = connector.workdir / "catalog.json"
    path.write_text(json.dumps(configured))
    messages = connector("read", "--catalog", str(path))
    assert not _errors(messages), _errors(messages)
    records: dict[str, dict] = {name: {} for name in STREAMS}
    for m in messages:
        if m.get("type") == "RECORD":
            record = m["record"]["data"]
            records[m["record"]["stream"]][str(record["id"])] = record
    held = json.loads(
        airbyte_site.python(
            "import json\nfrom comptoir.contacts.models import Contact\n"
            "from comptoir.companies.models import Company\n"
            "from comptoir.deals.models import Deal\n"
            "from comptoir.users.models import User\nprint(json.dumps({"
            "'contacts': {str(c.pk): c.email for c in Contact.objects.filter(archived=False)},"
            "'companies': {str(c.pk): c.name for c in Company.objects.filter(archived=False)},"
            "'deals': {str(d.pk): d.dealname for d in Deal.objects.filter(archived=False)},"
            "'owners': {str(u.pk): u.email for u in User.objects.filter(is_active=True)}}))"
        )
        .strip()
        .splitlines()[-1]
    )
    assert {k: r["properties_email"] for k, r in records["contacts"].items()} == held["contacts"]
    assert {k: r["properties_name"] for k, r in records["companies"].items()} == held["companies"]
    assert {k: r["properties_dealname"] for k, r in records["deals"].items()} == held["deals"]
    assert {k: r["email"] for k, r in records["owners"].items()} == held["owners"]
    assert {s for _, _, s in connector.statuses()} <= {200, 207}
