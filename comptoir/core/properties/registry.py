"""Read access to property definitions and every other per-process metadata cache
(pipelines, owners, roles, association labels, tokens, portal settings), coherent across
processes (issue 15, point 2).

Metadata changes rarely (an admin adds a property) but is read on every request, so each
process keeps it in memory. A version row in the database moves on every change
(`invalidate`, inside the writing transaction). Each request (and each background task)
reads that row once, at its first registry access, and drops the process's cache when it
moved: a change made by any process is seen by every other one on its next request, with
no timer. A value loaded by a request that saw an older version than the cache's is not
kept (another thread may have moved the cache on meanwhile).
"""

import threading

from django.db import models

from comptoir.core.objects.registry import ObjectType, get_object_type
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.models import PropertyDefinition


class SchemaVersion(models.Model):
    """One row; its counter moves whenever definitions, pipelines or owners change."""

    version = models.BigIntegerField(default=0)

    class Meta:
        app_label = "core"


_lock = threading.Lock()
_cache: dict[str, dict] = {}
_state = {"version": None}
# Per thread: whether this request (or task) has read the version row, and what it read.
_unit = threading.local()


def begin(**_signal_kwargs) -> None:
    """A new request or task: its first registry read checks the version row (connected to
    Django's request_started and task_started signals in CoreConfig.ready)."""
    _unit.checked = False


def _current_version() -> int:
    row = SchemaVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def _check_version() -> None:
    if getattr(_unit, "checked", False):
        return
    version = _current_version()
    with _lock:
        if version != _state["version"]:
            _cache.clear()
            _state["version"] = version
    _unit.version = version
    _unit.checked = True


def invalidate() -> None:
    """Call after changing definitions, pipelines or owners (inside the writing transaction)."""
    from django.db.models import F

    updated = SchemaVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        SchemaVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    clear_local()


def clear_local() -> None:
    """Drop this process's cache; this thread's next read checks the version again."""
    with _lock:
        _cache.clear()
        _state["version"] = None
    _unit.checked = False


def cached(key: str, loader):
    """Memoise `loader()` under `key` until the version moves. None (nothing found) is
    not kept: keys can come from outside (a bearer token's digest), and keeping every miss
    would let a flood of made-up keys fill the process's memory."""
    _check_version()
    value = _cache.get(key)
    if value is None:
        value = loader()
        if value is not None:
            with _lock:
                if _state["version"] == _unit.version:
                    _cache[key] = value
    return value


def peek(key: str):
    """The value cached under `key` without reading the version row (None when absent or
    dropped): for a hot public endpoint that accepts seeing a change a few seconds late
    (the prospects' beacons, comptoir/prospects/conf.py); it still calls `cached` now and
    then."""
    return _cache.get(key)


def definitions(object_type: "str | ObjectType", *, include_archived: bool = False) -> dict:
    """{name: PropertyDefinition} for an object type, display order."""
    ot = get_object_type(object_type)
    key = f"defs:{ot.name}:{int(include_archived)}"

    def load():
        qs = PropertyDefinition.objects.filter(object_type=ot.name)
        if not include_archived:
            qs = qs.filter(archived=False)
        return {d.name: d for d in qs.order_by("display_order", "name")}

    return cached(key, load)


def definition(object_type, name: str):
    """The definition of `name`, or PropertyError PROPERTY_DOESNT_EXIST."""
    ot = get_object_type(object_type)
    defn = definitions(ot).get(name)
    if defn is None:
        raise PropertyError(
            name,
            "PROPERTY_DOESNT_EXIST",
            f'Property "{name}" does not exist on {ot.name}',
            name,
        )
    return defn


def columns(object_type) -> dict:
    """{property name: model attribute} for the hot-column properties."""
    ot = get_object_type(object_type)
    return cached(
        f"cols:{ot.name}",
        lambda: {n: d.column for n, d in definitions(ot).items() if d.column},
    )
