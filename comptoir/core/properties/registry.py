"""Read access to property definitions, cached per process.

Definitions change rarely (an admin adds a property) but are read on every request.
Each process keeps them in memory; a version row in the database tells other
processes to reload, checked at most every COMPTOIR_REGISTRY_TTL seconds.
"""

import threading
import time

from django.conf import settings
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
_state = {"version": None, "checked_at": float("-inf")}


def _ttl() -> float:
    # Read once: this runs on every registry access and settings lookups are not free.
    if "ttl" not in _state:
        _state["ttl"] = float(getattr(settings, "COMPTOIR_REGISTRY_TTL", 2.0))
    return _state["ttl"]


def _current_version() -> int:
    row = SchemaVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def _check_version() -> None:
    now = time.monotonic()
    if now - _state["checked_at"] < _ttl():
        return
    version = _current_version()
    with _lock:
        if version != _state["version"]:
            _cache.clear()
            _state["version"] = version
        _state["checked_at"] = now


def invalidate() -> None:
    """Call after changing definitions, pipelines or owners (inside the writing transaction)."""
    from django.db.models import F

    updated = SchemaVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        SchemaVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    clear_local()


def clear_local() -> None:
    with _lock:
        _cache.clear()
        _state["version"] = None
        # Never checked: the next read checks the version whatever the clock says (0.0 let
        # a process younger than the TTL, counted from boot, skip it; in the tests, whose
        # TTL is an hour, query counts then changed with the machine's uptime).
        _state["checked_at"] = float("-inf")


def cached(key: str, loader):
    """Memoise `loader()` under `key` until the next invalidation. None (nothing found) is
    not kept: keys can come from outside (a bearer token's digest), and keeping every miss
    would let a flood of made-up keys fill the process's memory."""
    _check_version()
    value = _cache.get(key)
    if value is None:
        value = loader()
        if value is not None:
            with _lock:
                _cache[key] = value
    return value


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
