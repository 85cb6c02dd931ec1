"""Airbyte's `airbyte-source-hubspot` (pinned below, in its own Python 3.11 virtualenv that
the first run installs under .tools/ and later runs reuse) against a real `comptoir serve`:
only the host is changed, at the `requests` adapter (airbyte/run_source.py). Issue 15,
point 7: `check`, `discover`, a full read of contacts, companies, deals, owners and
engagements equal to what the database holds, and an incremental read over more than 10,000
contacts that picks up the ones modified after the first sync.

One site and server serve the module; the incremental test adds its 10,050 contacts with the
bulk write path (as demo data does), and every test compares with what the database holds
when it runs, so the order of the tests does not matter."""

import datetime as dt
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
STREAMS = ("contacts", "companies", "deals", "owners", "engagements")
# Each activity type with the property that names it in the legacy engagement's metadata.
ACTIVITIES = {
    "notes": ("hs_note_body", "body"),
    "calls": ("hs_call_title", "title"),
    "tasks": ("hs_task_subject", "subject"),
    "meetings": ("hs_meeting_title", "title"),
    "emails": ("hs_email_subject", "subject"),
}


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
        deal = _create(
            site,
            "deals",
            {
                "dealname": f"Deal {i}",
                "amount": str(100 * (i + 1)),
                "dealstage": "appointmentscheduled",
            },
        )
        _link(site, "contacts", contact, "companies", company)
        # One engagement of each kind; the i-th is linked to the i-th contact, and company
        # (from i = 1) and deal (from i = 2), so some have none of the latter.
        for name, (prop, _) in ACTIVITIES.items():
            properties = {"hs_timestamp": f"2026-01-0{i + 1}T10:00:00Z", prop: f"{name} {i}"}
            if name == "emails":
                properties["hs_email_direction"] = "EMAIL"
            activity = _create(site, name, properties)
            _link(site, name, activity, "contacts", contact)
            if i >= 1:
                _link(site, name, activity, "companies", company)
            if i >= 2:
                _link(site, name, activity, "deals", deal)
    yield site
    site.stop()
    if url:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _link(site, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
    status, _, body = site.request(
        "PUT", f"/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}"
    )
    assert status == 200, body


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


# What the database holds of each engagement: {id: [type, its title or body, contact ids,
# company ids, deal ids]}, read through the models (not the API the connector reads).
ENGAGEMENTS = """
from comptoir.core.associations.services import associations_by_target
from comptoir.core.objects.registry import get_object_type
from comptoir.core.records.values import api_properties, base_queryset
def engagements(activities):
    out = {}
    for name, (prop, _) in activities.items():
        ot = get_object_type(name)
        rows = list(base_queryset(ot).filter(archived=False))
        ids = [r.pk for r in rows]
        links = [associations_by_target(ot, ids, t) for t in ("contacts", "companies", "deals")]
        for r in rows:
            out[str(r.pk)] = [ot.hubspot_name, api_properties(ot, r, [prop])[prop]] + [
                sorted(found.get(r.pk, {})) for found in links
            ]
    return out
"""


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
            "from comptoir.users.models import User\n" + ENGAGEMENTS + "print(json.dumps({"
            "'contacts': {str(c.pk): c.email for c in Contact.objects.filter(archived=False)},"
            "'companies': {str(c.pk): c.name for c in Company.objects.filter(archived=False)},"
            "'deals': {str(d.pk): d.dealname for d in Deal.objects.filter(archived=False)},"
            "'owners': {str(u.pk): u.email for u in User.objects.filter(is_active=True)},"
            f"'engagements': engagements({ACTIVITIES!r})}}))"
        )
        .strip()
        .splitlines()[-1]
    )
    assert {k: r["properties_email"] for k, r in records["contacts"].items()} == held["contacts"]
    assert {k: r["properties_name"] for k, r in records["companies"].items()} == held["companies"]
    assert {k: r["properties_dealname"] for k, r in records["deals"].items()} == held["deals"]
    assert {k: r["email"] for k, r in records["owners"].items()} == held["owners"]
    engagements = {
        key: [
            r["type"],
            r[f"metadata_{ACTIVITIES[r['type'].lower() + 's'][1]}"],
            r["associations_contactIds"],
            r["associations_companyIds"],
            r["associations_dealIds"],
        ]
        for key, r in records["engagements"].items()
    }
    assert len(held["engagements"]) == 15
    assert engagements == held["engagements"]
    assert {s for _, _, s in connector.statuses()} <= {200, 207}


# More contacts than one HubSpot search can return (10,000): the connector's incremental
# read restarts its search above the last id it saw when its paging reaches 10,000.
MANY = 10_050
SEED = """
from comptoir.core.history.source import ChangeSource, SourceType
from comptoir.core.records.bulk import bulk_create_records
rows = [{"email": f"bulk{i}@example.org", "firstname": "Bulk", "lastname": str(i)}
        for i in range(%d)]
for start in range(0, len(rows), 2500):
    result = bulk_create_records(
        "contacts", rows[start:start + 2500], source=ChangeSource(SourceType.IMPORT, "test")
    )
    assert not result.errors, result.errors
"""


def _held_contacts(site) -> dict[int, int]:
    """{id: last modification, epoch ms} of the live contacts, in id order."""
    out = site.python(
        "import json\nfrom comptoir.contacts.models import Contact\n"
        "print(json.dumps([(c.pk, int(c.updated_at.timestamp() * 1000)) for c in "
        "Contact.objects.filter(archived=False).order_by('pk')]))"
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def _contacts_read(connector, catalog, state=None) -> tuple[list[str], list]:
    """Ids of the contacts an incremental read returns (in order), and its last state."""
    stream = next(s for s in catalog["streams"] if s["name"] == "contacts")
    configured = {
        "streams": [
            {
                "stream": stream,
                "sync_mode": "incremental",
                "cursor_field": ["updatedAt"],
                "destination_sync_mode": "append",
            }
        ]
    }
    path = connector.workdir / "incremental.json"
    path.write_text(json.dumps(configured))
    args = ["read", "--catalog", str(path)]
    if state is not None:
        saved = connector.workdir / "state.json"
        saved.write_text(json.dumps(state))
        args += ["--state", str(saved)]
    messages = connector(*args)
    assert not _errors(messages), _errors(messages)
    ids = [str(m["record"]["data"]["id"]) for m in messages if m.get("type") == "RECORD"]
    states = [m["state"] for m in messages if m.get("type") == "STATE"]
    assert states
    return ids, [states[-1]]


def _state(cursor: str) -> list:
    """An input state for the contacts stream, as the connector saves it."""
    descriptor = {"stream_descriptor": {"name": "contacts"}}
    return [{"type": "STREAM", "stream": {**descriptor, "stream_state": {"updatedAt": cursor}}}]


def _state_ms(state: list) -> int:
    cursor = state[0]["stream"]["stream_state"]["updatedAt"]
    return int(dt.datetime.fromisoformat(cursor).timestamp() * 1000)


def test_incremental_read_over_10000_contacts(connector, catalog, airbyte_site):
    site = airbyte_site
    site.python(SEED % MANY)
    modified_at = _held_contacts(site)
    held = list(modified_at)
    assert len(held) > MANY

    # First sync, from a state older than every contact (a sync made before they existed):
    # the connector searches; past 10,000 results (HubSpot's cap on one search) it starts
    # a new search above the last id it saw. Every contact comes, none lost past the
    # 10,000th (a few may come twice: the new search starts at that id, inclusive).
    ids, state = _contacts_read(connector, catalog, _state("2020-01-01T00:00:00Z"))
    assert sorted(set(map(int, ids))) == held
    searches = [c for c in connector.statuses() if c[1].endswith("/search")]
    assert len(searches) > 1 and {s for _, _, s in connector.statuses()} <= {200, 207}
    # Its state covers every modification it read.
    assert _state_ms(state) >= max(modified_at.values())
    # The next search asks for modifications at or after that instant (`GTE`): contacts
    # modified at that very millisecond, if any, come again with the changed ones.
    again = [pk for pk, at in modified_at.items() if at >= _state_ms(state)]

    # Changes after it: contacts far past the 10,000th by id, the last one, and one of the
    # first (modified last, so it is also the latest by modification date).
    modified = [held[10_020], held[-2], held[-1], held[3]]
    for pk in modified:
        status, _, body = site.request(
            "PATCH", f"/crm/v3/objects/contacts/{pk}", {"properties": {"jobtitle": "Changed"}}
        )
        assert status == 200, body
    ids, _ = _contacts_read(connector, catalog, state)
    assert sorted(map(int, ids)) == sorted({*modified, *again})
    assert len(again) <= MANY - 10_000
    searches = [c for c in connector.statuses() if c[1].endswith("/search")]
    assert searches and {s for _, _, s in connector.statuses()} <= {200, 207}
