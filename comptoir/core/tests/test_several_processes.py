"""Several processes, one truth (issue 19, point 4; RUN-2, RUN-3): one deployment of two
`comptoir serve` and two `comptoir worker` (each with its scheduler) on one database (a
new PostgreSQL database in the PostgreSQL run) and one Redis, all running at once, checked
in turn: rate limits count per token across the servers, a revoked token is refused by
both at once, each background job runs exactly once, concurrent edits of one record
through both servers lose no history, and a worker killed with -9 in the middle of an
import leaves it to the other worker, already running, which finishes it exactly."""

import json
import shutil
import socket
import subprocess
import threading
import time

import pytest

from comptoir.core.testing.processes import ADMIN, wait_for
from comptoir.imports.tests.runs import (
    assert_imported_exactly,
    create_contacts_import,
    import_state,
)

pytestmark = pytest.mark.slow

RATE_LIMIT = 40  # requests per token per 10 s: each check below uses a token of its own
ROWS = 10_000  # the import's contacts: several batches, a worker killed after the first


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


class Deployment:
    """The site, its two servers' urls and its two workers' processes."""

    def __init__(self, site, servers, workers):
        self.site, self.servers, self.workers = site, servers, workers

    def call(self, server: int, method: str, path: str, body=None, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else None
        url = self.servers[server]
        status, headers, text = self.site.request(method, path, body, headers, url=url)
        return status, headers, json.loads(text) if text else None

    def tokens(self, *names) -> dict:
        """A new API token of the super admin per name (each its own rate-limit budget)."""
        code = (
            "from comptoir.users.models import User\n"
            "from comptoir.users.services import create_token\n"
            f"user = User.objects.get(email={ADMIN!r})\n"
            f"print(' '.join(create_token(user, n)[1] for n in {list(names)!r}))\n"
        )
        made = self.site.python(code).strip().splitlines()[-1].split()
        return dict(zip(names, made, strict=True))


@pytest.fixture
def deployment(site, redis_url):
    site.env.update(
        COMPTOIR_CACHE_URL=redis_url,
        COMPTOIR_API_RATE_LIMIT=str(RATE_LIMIT),
        COMPTOIR_IMPORT_HEARTBEAT="1",  # silent 6 s + 3 lock timeouts (1 s): interrupted
    )
    servers = [site.serve(), site.serve()]
    workers = [site.start("worker", "--interval", "0.2", log=f"worker-{n}.log") for n in (1, 2)]
    return Deployment(site, servers, workers)


def test_two_servers_and_two_workers_share_one_truth(deployment, tmp_path):
    tokens = deployment.tokens("burst", "robot", "editor")
    rate_limits_count_per_token_across_servers(deployment, tokens["burst"])
    a_revoked_token_is_refused_by_both_servers_at_once(deployment, tokens["robot"])
    each_job_runs_once(deployment, tmp_path / "runs")
    a_killed_worker_leaves_its_import_to_the_other(deployment, tmp_path / "contacts.csv")
    concurrent_edits_through_both_servers_lose_no_history(deployment, tokens["editor"])


def rate_limits_count_per_token_across_servers(deployment, token):
    # The counters are per 10 s window: start right after one opens, so that the
    # requests fall in one window even on a loaded machine.
    time.sleep(10 - time.time() % 10 + 0.05)
    answers = []
    for i in range(RATE_LIMIT + 4):  # alternately through each server
        status, headers, _ = deployment.call(i % 2, "GET", "/crm/v3/owners/", token=token)
        answers.append((status, headers.get("X-HubSpot-RateLimit-Remaining")))
    assert [s for s, _ in answers[:RATE_LIMIT]] == [200] * RATE_LIMIT, answers
    assert {s for s, _ in answers[RATE_LIMIT:]} == {429}, answers
    # The remaining count went down by one per request, whichever server answered.
    remaining = [int(r) for _, r in answers[:RATE_LIMIT]]
    assert remaining == list(range(RATE_LIMIT - 1, -1, -1)), answers


def a_revoked_token_is_refused_by_both_servers_at_once(deployment, token):
    for server in (0, 1):  # both know it (and may keep what they know of it)
        assert deployment.call(server, "GET", "/crm/v3/owners/", token=token)[0] == 200
    deployment.site.python(
        "from comptoir.users.models import ApiToken\n"
        "from comptoir.users.services import revoke_token\n"
        "revoke_token(ApiToken.objects.get(name='robot'))\n"
    )
    for server in (0, 1):
        status, _, body = deployment.call(server, "GET", "/crm/v3/owners/", token=token)
        assert (status, body["category"]) == (401, "INVALID_AUTHENTICATION"), body
    assert deployment.call(0, "GET", "/crm/v3/owners/")[0] == 200  # the others still work


def each_job_runs_once(deployment, runs):
    runs.mkdir()
    deployment.site.python(
        "from comptoir.core.tests.jobs import note_run\n"
        f"for i in range(40):\n    note_run.enqueue({str(runs)!r}, f'job-{{i}}', 0.2)\n"
    )
    wait_for(lambda: len(list(runs.iterdir())) == 40, "every job ran", tries=1200)
    time.sleep(2)  # a job run twice would leave its second line by now
    lines = {p.name: p.read_text().split() for p in runs.iterdir()}
    assert all(len(pids) == 1 for pids in lines.values()), lines
    ran = {int(pid) for pids in lines.values() for pid in pids}
    assert ran == {worker.pid for worker in deployment.workers}, "both workers worked"


def concurrent_edits_through_both_servers_lose_no_history(deployment, token):
    edits = 9  # 4 x 9 edits, a create and a read: within the token's 40 per 10 s
    status, _, body = deployment.call(
        0, "POST", "/crm/v3/objects/contacts", {"properties": {"email": "c@example.com"}}, token
    )
    assert status == 201, body
    contact = body["id"]
    errors = []

    def edit(server, name):
        for i in range(edits):
            body = {"properties": {name: f"{name}-{i}"}}
            path = f"/crm/v3/objects/contacts/{contact}"
            status, _, answer = deployment.call(server, "PATCH", path, body, token)
            if status != 200:
                errors.append((status, answer))

    names = ("firstname", "lastname", "jobtitle", "city")
    threads = [threading.Thread(target=edit, args=(i % 2, name)) for i, name in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    listed = ",".join(names)
    status, _, record = deployment.call(
        1,
        "GET",
        f"/crm/v3/objects/contacts/{contact}?properties={listed}&propertiesWithHistory={listed}",
        token=token,
    )
    for name in names:
        assert record["properties"][name] == f"{name}-{edits - 1}"  # each one's last write
        values = [v["value"] for v in record["propertiesWithHistory"][name]]
        assert sorted(values) == sorted(f"{name}-{i}" for i in range(edits)), (name, values)


def a_killed_worker_leaves_its_import_to_the_other(deployment, path):
    from hubspot import HubSpot

    site = deployment.site
    # Sent through server A, watched through server B (at most 20 requests per 10 s).
    sender = HubSpot(access_token=site.token, host=deployment.servers[0])
    watcher = HubSpot(access_token=site.token, host=deployment.servers[1])
    created = create_contacts_import(sender, path, ROWS, "Killed among two")
    # Once a batch is committed (seen in the database: the API's budget is 40 per 10 s).
    batches = "SELECT count(*) FROM imports_importbatch"
    wait_for(lambda: site.query(batches)[0][0], "a batch committed", tries=2400, pause=0.05)
    # The worker running it, killed at once: no time to clean up.
    pids = import_jobs(site, "RUNNING")
    assert len(pids) == 1, pids
    killed = next(w for w in deployment.workers if w.pid == pids[0])
    other = next(w for w in deployment.workers if w is not killed)
    killed.kill()
    killed.wait()
    state, done = import_state(watcher, created.id)
    assert state in ("PROCESSING", "DEFERRED") and 0 < done < ROWS, (state, done)
    # The other worker, running all along, finds it silent and takes it from the last
    # committed batch: every row once, none lost.
    wait_for(lambda: import_state(watcher, created.id)[0] == "DONE", "done", tries=1200, pause=0.5)
    assert other.poll() is None
    final = watcher.crm.imports.core_api.get_by_id(created.id).metadata.counters
    assert (final["CREATED_OBJECTS"], final["ERRORS"], final["TOTAL_ROWS"]) == (ROWS, 0, ROWS)
    assert_imported_exactly(site, ROWS)
    assert import_jobs(site, "SUCCESSFUL") == [other.pid]


def import_jobs(site, status: str) -> list[int]:
    """The process ids of the workers that claimed the import jobs in `status`, as the
    queue records them ("host-pid")."""
    rows = site.query(
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'comptoir.imports.tasks.run_import' AND status = ?",
        (status,),
    )
    claims = [json.loads(ids) if isinstance(ids, str) else ids for (ids,) in rows]
    return [int(ids[-1].rsplit("-", 1)[1]) for ids in claims]
