"""Operations (issue 19, point 7): /readyz, /metrics behind a token, worker heartbeats,
and the counters of several server processes added up by one scrape."""

import datetime as dt
import json
import re
import socket
import urllib.request

import pytest
from django.utils import timezone

from comptoir.core import operations
from comptoir.core.scheduling.models import WorkerHeartbeat
from comptoir.core.testing.processes import wait_for
from comptoir.core.tests.jobs import echo

TOKEN = "metrics-token-for-the-tests-0123456789"


def test_readiness_reports_the_database_the_workers_and_the_queue(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",  # no worker is running
        "database": "ok",
        "workers": 0,
        "queue": {"ready": 0, "oldest_seconds": 0},
    }
    operations.beat("host-1", timezone.now())
    echo.enqueue("x")
    body = client.get("/readyz").json()
    assert (body["status"], body["workers"], body["queue"]["ready"]) == ("ok", 1, 1)
    # A worker silent for longer than ALIVE_SECONDS is dead; after a day it is forgotten.
    later = timezone.now() + dt.timedelta(seconds=operations.ALIVE_SECONDS + 1)
    assert operations.live_workers(later).count() == 0
    operations.beat("host-2", timezone.now(), now=timezone.now() + dt.timedelta(days=2))
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["host-2"]


def test_metrics_exist_only_for_the_token(client, db, settings):
    settings.COMPTOIR_METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    settings.COMPTOIR_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    client.get("/healthz")
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'comptoir_http_requests_total{method="GET",status="200"}' in text
    assert "comptoir_database_up 1.0" in text
    assert 'comptoir_jobs{status="ready"}' in text
    assert "comptoir_workers 0.0" in text


def _get(url: str, token: str = "") -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def _requests_counted(text: str) -> float:
    pattern = r'^comptoir_http_requests_total\{method="GET",status="200"\} ([0-9.e+]+)$'
    return sum(float(n) for n in re.findall(pattern, text, re.M))


@pytest.mark.slow
def test_several_server_processes_are_counted_together_and_workers_seen(site):
    site.env["COMPTOIR_METRICS_TOKEN"] = TOKEN
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    site.start("serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", log="serve.log")
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: _ping(url), "the server answers")
    for _ in range(40):
        _get(f"{url}/healthz")
    # Whichever process answers the scrape, it adds up the others' counters too.
    counts = {_requests_counted(_get(f"{url}/metrics", TOKEN)) for _ in range(6)}
    assert min(counts) >= 40, counts
    assert len(list((site.root / "metrics" / str(port)).glob("*.db"))) >= 2
    assert '"workers": 0' in _get(f"{url}/readyz")
    site.start("worker", log="worker.log")
    wait_for(lambda: '"workers": 1' in _get(f"{url}/readyz"), "the worker's heartbeat", 600)
    assert "comptoir_workers 1.0" in _get(f"{url}/metrics", TOKEN)


def _ping(url: str) -> bool:
    try:
        _get(f"{url}/healthz")
    except OSError:
        return False
    return True


@pytest.mark.slow
def test_readiness_answers_503_while_the_database_is_down_and_200_once_back(site):
    """A real outage (PostgreSQL refuses every connection to the site's database): /readyz
    takes the server out of its load balancer with a 503 and no traceback, /healthz (the
    process is alive) still answers, and both recover without a restart."""
    url = site.env.get("DATABASE_URL", "")
    if not url:
        pytest.skip("a SQLite file cannot refuse its own process: PostgreSQL only")
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = site.serve()
    assert '"database": "ok"' in _get(f"{server}/readyz")

    def admin(statement: str) -> None:
        with psycopg.connect(f"{url.rsplit('/', 1)[0]}/postgres", autocommit=True) as conn:
            conn.execute(statement)

    admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        status, _, body = site.request("GET", "/readyz")
        assert (status, json.loads(body)) == (
            503,
            {"status": "unavailable", "database": "unreachable"},
        )
        assert site.request("GET", "/healthz")[0] == 200
    finally:
        admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    status, _, body = site.request("GET", "/readyz")
    assert (status, json.loads(body)["database"]) == (200, "ok")
    assert "Traceback" not in site.log("serve.log")
