"""What other apps do when records are written (the dashboard's day counters, assignment
notifications): one ordered list of write observers, filled by those apps from their
`AppConfig.ready()`, so that core calls them without importing them.

Plain calls, no Django signals (ARCHITECTURE §4, rule 2): the write services
(records/writes.py, bulk.py, merge.py) call `notes()` on a record before changing it and
`written()` once per write, inside its transaction, with every record the write changed: a
bulk write costs one call per observer, whatever its number of rows.
"""

import contextlib
import datetime as dt
import functools
from dataclasses import dataclass, field


@dataclass
class Change:
    """One record changed by a write."""

    record_id: int
    # The record as written; None for rows a bulk create inserted (read `values`).
    record: object | None = None
    # The values the write set: all of a new record's, the changed ones of an update.
    values: dict = field(default_factory=dict)
    at: dt.datetime | None = None  # when a bulk-created row was created
    # Each observer's note of the record before the write, by observer name; None when the
    # record was not live before (created, restored).
    before: dict | None = None
    left: bool = False  # the record is no longer live (archived, purged, merged away)
    # What the write did: "created", "updated", "archived", "restored", "merged" (merged
    # away into `into`), "purged", "erased" (GDPR; `before` None if it was archived);
    # webhooks (API-4) name their events after it.
    kind: str = ""
    into: int | None = None  # the surviving record of a merge


@dataclass(frozen=True)
class AssociationRow:
    """One direction of one association added or removed (its mirror row comes too)."""

    from_type: str  # object type name, "contacts"
    from_id: int
    to_type: str
    to_id: int
    type_id: int
    category: str = "HUBSPOT_DEFINED"


class WriteObserver:
    """Override what you need; `name` keys the notes taken before a write."""

    name = ""
    # True for observers keeping a running state of the records (counters): they take notes
    # and must see records leave, purged ones included.
    follows_state = False

    def watches(self, ot) -> bool:
        """Whether writes of this object type concern the observer at all."""
        return True

    def note(self, ot, record):
        """What to remember of a record about to change (its state as the observer sees it)."""
        return None

    def written(self, ot, changes: list[Change], source) -> None:
        """Records of `ot` were written (inside the write's transaction)."""

    def associations_written(self, rows: list[AssociationRow], removed: bool, source) -> None:
        """Associations were added (or removed), both directions, inside the transaction."""

    def batch(self):
        """A context in which many writes are gathered (bulk actions, API batches)."""
        return contextlib.nullcontext()


_observers: list[WriteObserver] = []


def register(observer: WriteObserver) -> None:
    """Add an observer, once; they are called in the order registered."""
    if all(o.name != observer.name for o in _observers):
        _observers.append(observer)


def watched(ot) -> bool:
    """Whether any observer watches writes of `ot` at all."""
    return any(o.watches(ot) for o in _observers)


def following(ot) -> bool:
    """Whether an observer follows the state of records of `ot` (see `follows_state`)."""
    return any(o.follows_state and o.watches(ot) for o in _observers)


def notes(ot, record) -> dict:
    """Each observer's note of `record`, taken before a write changes it."""
    return {o.name: o.note(ot, record) for o in _observers if o.follows_state and o.watches(ot)}


def written(ot, changes: list[Change], source) -> None:
    if not changes:
        return
    for observer in _observers:
        if observer.watches(ot):
            observer.written(ot, changes, source)


def associations_written(rows: list[AssociationRow], removed: bool, source) -> None:
    if not rows:
        return
    for observer in _observers:
        observer.associations_written(rows, removed, source)


def batched(function):
    """Decorator: the whole call is one batch (bulk actions)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with batch():
            return function(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def batch():
    """Many writes as one for every observer (e.g. one notification for many assignments)."""
    with contextlib.ExitStack() as stack:
        for observer in _observers:
            stack.enter_context(observer.batch())
        yield
