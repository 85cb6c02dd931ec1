"""Query budgets: how many SQL queries a page, an API call or a write may cost, all in one
committed file (query_budgets.json next to this module).

    with query_budget("api.list.contacts"):
        client.get("/crm/v3/objects/contacts?limit=100")

fails, listing every query, when the block runs more queries than its budget. A budget is
a number, or one number per database vendor ({"postgresql": 9, "sqlite": 8}) where the
counts differ. With UPDATE_QUERY_BUDGETS=1 in the environment nothing fails: the file is
rewritten with the counts measured on the current database (run it once per vendor, with
`-n 0` or any number of workers: writes are locked, and a budget measured several times in
a process keeps its largest count).

The context manager yields Django's CaptureQueriesContext, so a test can also compare the
counts of two blocks (a page costs the same for 2 rows or 20)."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from comptoir.core.properties import registry

BUDGETS_FILE = Path(__file__).with_name("query_budgets.json")
VENDORS = ("postgresql", "sqlite")
UPDATE_SWITCH = "UPDATE_QUERY_BUDGETS"

_measured: dict[tuple[str, str], int] = {}


def cold_caches() -> None:
    """Empty what a process keeps between requests and that costs queries to fill again:
    the definition registry (definitions, stages, owners, portal settings, limits), Django's
    cache and the content types. The `query_budget` fixture calls it before each test, so a
    budget measured alone is the budget measured in the suite, whatever ran before."""
    registry.clear_local()
    cache.clear()
    ContentType.objects.clear_cache()


def budget_for(name: str, vendor: str) -> int | None:
    """The committed budget of `name` on `vendor`, None when there is none."""
    entry = _load(BUDGETS_FILE).get(name)
    if isinstance(entry, dict):
        return entry.get(vendor)
    return entry


@contextmanager
def query_budget(name: str, using: str = DEFAULT_DB_ALIAS):
    connection = connections[using]
    with CaptureQueriesContext(connection) as captured:
        yield captured
    count = len(captured)
    vendor = connection.vendor
    if os.environ.get(UPDATE_SWITCH) == "1":
        record(name, vendor, count)
        return
    budget = budget_for(name, vendor)
    if budget is None:
        raise AssertionError(
            f"No query budget {name!r} for {vendor} in {BUDGETS_FILE.name}: run the test with "
            f"{UPDATE_SWITCH}=1 to record its {count} queries."
        )
    if count > budget:
        queries = "\n".join(
            f"{n}. {query['sql']}" for n, query in enumerate(captured.captured_queries, 1)
        )
        raise AssertionError(
            f"{name}: {count} queries on {vendor}, over its budget of {budget} "
            f"({BUDGETS_FILE.name}; {UPDATE_SWITCH}=1 records the new count if it is "
            f"meant):\n{queries}"
        )


def record(name: str, vendor: str, count: int) -> None:
    """Write `count` as the budget of `name` on `vendor` (the largest count measured in this
    process, in case the same budget is measured several times)."""
    path = BUDGETS_FILE
    count = max(count, _measured.get((name, vendor), 0))
    _measured[name, vendor] = count
    with open(Path(tempfile.gettempdir()) / "comptoir-query-budgets.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        budgets = _load(path)
        entry = budgets.get(name)
        if entry is None:
            budgets[name] = count
        else:
            per_vendor = dict(entry) if isinstance(entry, dict) else dict.fromkeys(VENDORS, entry)
            per_vendor[vendor] = count
            same = len(set(per_vendor.values())) == 1 and set(per_vendor) >= set(VENDORS)
            budgets[name] = count if same else dict(sorted(per_vendor.items()))
        path.write_text(json.dumps(dict(sorted(budgets.items())), indent=2) + "\n")


def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}
