"""API benchmarks (issue 3, point 8): `comptoir serve` on the 1M-contact database, load
from a separate process on loopback.

    .venv/bin/python bench/engine.py --database sqlite    # once: seeds 1M contacts
    .venv/bin/python bench/api.py --database sqlite

Throughput comes from wrk (apt-get install wrk); latencies from a keep-alive Python client
issuing requests one after another. The baseline is /healthz, a bare Django view
returning a fixed JSON body from the same server.

    .venv/bin/python bench/api.py --catalogue --database sqlite --scale 0.1

runs instead the API searches of the click catalogue (issue 16): bench/catalogue.py with
`--forms api`; its options apply.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from common import free_port, setup_django, start_server

# A typical integration lookup: a name within a lifecycle stage (about a thousand matches).
SEARCH_TYPICAL = {
    "filterGroups": [
        {
            "filters": [
                {"propertyName": "lastname", "operator": "EQ", "value": "Martin"},
                {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
            ]
        }
    ],
    "sorts": ["-createdate"],
    "properties": ["email", "firstname", "lastname", "lifecyclestage"],
    "limit": 100,
}
# A broad one: two filters matching ~40,000 of 1M contacts (the exact total costs most).
SEARCH_BODY = {
    "filterGroups": [
        {
            "filters": [
                {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
                {"propertyName": "tier", "operator": "EQ", "value": "gold"},
            ]
        }
    ],
    "sorts": ["lastname"],
    "properties": ["email", "firstname", "lastname", "lifecyclestage"],
    "limit": 100,
}


def wrk(url: str, token: str, *, seconds: int, script: str | None = None) -> float:
    args = [
        "wrk",
        "-t",
        "1",
        "-c",
        "8",
        "-d",
        f"{seconds}s",
        "-H",
        f"Authorization: Bearer {token}",
    ]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def latencies(port, token, method, path, body=None, runs=50) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    times = []
    for i in range(runs + 3):
        payload = body(i) if callable(body) else body
        data = json.dumps(payload) if payload is not None else None
        start = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status}")
        if i >= 3:
            times.append(elapsed)
    times.sort()
    return {"median": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1]}


def main() -> None:
    if "--catalogue" in sys.argv:
        import catalogue

        sys.argv = [a for a in sys.argv if a != "--catalogue"] + ["--forms", "api"]
        return catalogue.main()
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5, help="wrk runs of each, in turns")
    parser.add_argument("--data-dir", help="reuse a seeded data directory (SQLite)")
    args = parser.parse_args()
    setup_django(args.database, args.data_dir)

    from comptoir.contacts.models import Contact
    from comptoir.users.models import User
    from comptoir.users.services import create_token

    user = User.objects.order_by("pk").first()
    _, token = create_token(user, "bench")
    contact_id = (
        Contact.objects.filter(archived=False)
        .order_by("pk")
        .values_list("pk", flat=True)[500_000 if Contact.objects.count() > 600_000 else 0]
    )
    env = {
        **os.environ,
        "COMPTOIR_API_RATE_LIMIT": "0",
        "COMPTOIR_API_DAILY_LIMIT": "0",
        "COMPTOIR_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    server = start_server(port, args.workers, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = [[{json.dumps(SEARCH_TYPICAL)}]]\n"
            )
        # Warm every server process and thread before measuring anything.
        wrk(f"{base}/healthz", token, seconds=3)
        wrk(f"{base}/crm/v3/objects/contacts/{contact_id}", token, seconds=3)
        # wrk's connections land on the server processes at random, and a run whose
        # connections crowd one process measures that process alone: the bare view and the
        # GET are measured in turns, five runs each, and compared by their medians.
        bares, gets = [], []
        for _ in range(args.runs):
            bares.append(wrk(f"{base}/healthz", token, seconds=args.seconds))
            gets.append(
                wrk(f"{base}/crm/v3/objects/contacts/{contact_id}", token, seconds=args.seconds)
            )
        bare, get_rps = statistics.median(bares), statistics.median(gets)
        search_rps = wrk(
            f"{base}/crm/v3/objects/contacts/search", token, seconds=args.seconds, script=lua.name
        )
        bare_lat = latencies(port, token, "GET", "/healthz")
        get_lat = latencies(port, token, "GET", f"/crm/v3/objects/contacts/{contact_id}")
        search_path = "/crm/v3/objects/contacts/search"
        search_lat = latencies(port, token, "POST", search_path, SEARCH_TYPICAL)
        broad_lat = latencies(port, token, "POST", search_path, SEARCH_BODY, runs=10)
        stamp = int(time.time())

        def batch(i):
            return {
                "inputs": [
                    {
                        "properties": {
                            "email": f"api-bench-{stamp}-{i}-{n}@bench-example.org",
                            "firstname": "Bench",
                            "lastname": f"Api{n}",
                            "lifecyclestage": "lead",
                        }
                    }
                    for n in range(100)
                ]
            }

        batch_lat = latencies(
            port, token, "POST", "/crm/v3/objects/contacts/batch/create", batch, runs=20
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n{args.database}: {Contact.objects.count():,} contacts, {args.workers} server "
        f"processes, wrk -t1 -c8 -d{args.seconds}s, bare view and GET in turns\n"
    )
    print("| measure | value | baseline | ratio | target |\n|---|---|---|---|---|")
    spread = f" (runs {min(bares):.0f} to {max(bares):.0f})"
    head = f"| bare view /healthz, requests/s, median of {args.runs}{spread}"
    print(f"{head} | {bare:.0f} | — | — | — |")
    spread = f" (runs {min(gets):.0f} to {max(gets):.0f})"
    print(
        f"| GET contact by id, requests/s, median of {args.runs}{spread} | {get_rps:.0f} | "
        f"{bare:.0f} | {get_rps / bare:.2f} | ≥ 0.5 |"
    )
    base_ms = bare_lat["median"]

    def timed(label, lat, target="—"):
        """A latency beside the bare view's, one request after another."""
        print(
            f"| {label}, median / p95 ms | {lat['median']:.1f} / {lat['p95']:.1f} | "
            f"{base_ms:.2f} | {lat['median'] / base_ms:.1f}x | {target} |"
        )

    timed("bare view /healthz", bare_lat)
    timed("GET contact by id", get_lat)
    print(
        f"| search (last name + stage, sorted), requests/s | {search_rps:.0f} | {bare:.0f} | "
        f"{search_rps / bare:.2f} | — |"
    )
    timed("search (last name + stage, sorted)", search_lat, "median < 30 ms")
    timed("search (stage + tier: ~40k matches)", broad_lat)
    timed("batch create 100 contacts", batch_lat, "< 150 ms")


if __name__ == "__main__":
    sys.exit(main())
