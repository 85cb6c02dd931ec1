"""Queue again the work no worker has run for a while (its worker died, or its job was lost).

Imports, exports, undos and hand-overs keep an `updated_at` that their worker moves on as
it goes (a heartbeat). The scheduler's every tick (scheduler.RECOVERIES) asks each of them
for its rows quiet for longer than their stall delay; several workers may ask at once, so
each row is claimed by a conditional UPDATE on the values just read, and only the worker
whose UPDATE touched it queues the job again."""

from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils import timezone


def requeue_quiet(
    rows: QuerySet,
    *,
    stall,
    enqueue: Callable[[dict], object],
    now=None,
    key: str = "pk",
    match: Iterable[str] = (),
    read: Iterable[str] = (),
    claim: Callable[[dict], dict] | None = None,
) -> list:
    """Requeue each of `rows` whose `updated_at` is older than `now - stall`.

    The claim matches `key`, `updated_at` and the `match` fields as read; it sets
    `updated_at=now` and what `claim(row)` returns. `enqueue(row)` then queues the job; `row`
    holds `key`, `updated_at`, `match` and `read`. Returns the keys this caller requeued."""
    now = now or timezone.now()
    match = tuple(match)
    quiet = rows.filter(updated_at__lt=now - stall)
    queued = []
    for row in quiet.values(key, "updated_at", *match, *read):
        same = {name: row[name] for name in (key, "updated_at", *match)}
        changes = {"updated_at": now, **(claim(row) if claim else {})}
        if rows.model._default_manager.filter(**same).update(**changes):
            enqueue(row)
            queued.append(row[key])
    return queued
