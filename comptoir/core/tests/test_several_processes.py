"""Several processes, one truth (issue 19, point 4; RUN-2, RUN-3): two `comptoir serve`
and two `comptoir worker` on one database (a new PostgreSQL database in the PostgreSQL run)
and one Redis: rate limits count per token across servers, each background job runs
exactly once, and concurrent edits of one record through both servers lose no history.
(A revoked token refused everywhere at once: hubspot_api/tests/test_processes_coherence.py;
a worker killed with -9 mid-job resumed by another: imports/tests/test_locks.py and
test_undo_kill.py.)"""

import json
import shutil
import socket
import subprocess
import threading
import time

import pytest

from comptoir.core.testing.processes import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis server of the tests' own, on a free port, keeping nothing on disk."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )

    def up():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_for(up, "redis answers")
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def two(site, redis_url):
    """(site, server A's url, server B's url): two servers sharing one Redis."""
    site.env.update(COMPTOIR_CACHE_URL=redis_url, COMPTOIR_API_RATE_LIMIT="0")
    return site, site.serve(), site.serve()


def test_rate_limits_count_per_token_across_servers(site, redis_url):
    site.env.update(COMPTOIR_CACHE_URL=redis_url, COMPTOIR_API_RATE_LIMIT="12")
    a, b = site.serve(), site.serve()
    for url in (a, b):  # each server's first-request work done outside the window
        site.request("GET", "/healthz", url=url)
    # The counters are per 10 s window: start right after one opens, so that the 16
    # requests fall in one window even on a loaded machine.
    time.sleep(10 - time.time() % 10 + 0.05)
    statuses = []
    for i in range(16):  # alternately through each server, within one 10 s window
        status, headers, _ = site.request("GET", "/crm/v3/owners/", url=(a, b)[i % 2])
        statuses.append((status, headers.get("X-HubSpot-RateLimit-Remaining")))
    assert [s for s, _ in statuses[:12]] == [200] * 12, statuses
    assert {s for s, _ in statuses[12:]} == {429}, statuses
    # The remaining count went down by one per request, whichever server answered.
    assert [int(r) for _, r in statuses[:12]] == list(range(11, -1, -1)), statuses


def test_each_job_runs_once_with_two_workers(site, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    site.python(
        "from comptoir.core.tests.jobs import note_run\n"
        f"for i in range(60):\n    note_run.enqueue({str(runs)!r}, f'job-{{i}}', 0.2)\n"
    )
    site.start("worker", "--no-scheduler", "--interval", "0.1", log="worker-1.log")
    site.start("worker", "--no-scheduler", "--interval", "0.1", log="worker-2.log")
    wait_for(lambda: len(list(runs.iterdir())) == 60, "every job ran", tries=1200)
    time.sleep(2)  # a job run twice would leave its second line by now
    lines = {p.name: p.read_text().split() for p in runs.iterdir()}
    assert all(len(pids) == 1 for pids in lines.values()), lines
    assert len({pid for pids in lines.values() for pid in pids}) == 2, "both workers worked"


def test_concurrent_edits_through_both_servers_lose_no_history(two):
    site, a, b = two
    status, _, text = site.request(
        "POST", "/crm/v3/objects/contacts", {"properties": {"email": "cible@example.com"}}, url=a
    )
    assert status == 201, text
    contact = json.loads(text)["id"]
    errors = []

    def edit(url, name, count):
        for i in range(count):
            body = {"properties": {name: f"{name}-{i}"}}
            status, _, text = site.request(
                "PATCH", f"/crm/v3/objects/contacts/{contact}", body, url=url
            )
            if status != 200:
                errors.append((status, text))

    threads = [
        threading.Thread(target=edit, args=(a, "firstname", 15)),
        threading.Thread(target=edit, args=(b, "lastname", 15)),
        threading.Thread(target=edit, args=(a, "jobtitle", 15)),
        threading.Thread(target=edit, args=(b, "city", 15)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    names = "firstname,lastname,jobtitle,city"
    status, _, text = site.request(
        "GET",
        f"/crm/v3/objects/contacts/{contact}?properties={names}&propertiesWithHistory={names}",
        url=b,
    )
    record = json.loads(text)
    for name in names.split(","):
        assert record["properties"][name] == f"{name}-14"  # each property's last write
        values = [v["value"] for v in record["propertiesWithHistory"][name]]
        assert sorted(values) == sorted(f"{name}-{i}" for i in range(15)), (name, values)
