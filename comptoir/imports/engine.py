"""The import engine: a file's rows → records, in batches, through the record services.

Each batch is one transaction holding its records, their history (source IMPORT, the
import's id), associations, the rows that failed and the import's counters and last
committed line. A worker that dies loses at most the batch in flight, and a new run
starts after `last_line`. A bad row is reported and never stops the others.

Write transactions stay short whatever the file: a batch holds at most BATCH_SIZE rows
and BATCH_CELLS cells, its cells are read and converted before the transaction starts,
and a batch that meets a busy database (comptoir.core.busy) is tried again; if it still
cannot commit, the import waits (DEFERRED) and is resumed by the worker's scheduler."""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import associate
from comptoir.core.busy import is_busy
from comptoir.core.db import IMPORT_PRAGMAS, bulk_writes
from comptoir.core.files import stored as stored_files
from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.inputs import storable_text
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import can_edit, can_view, default_owner, has_right, with_owner
from comptoir.core.properties import registry
from comptoir.core.properties.errors import (
    DuplicateValue,
    PropertyError,
    RecordNotFound,
    ValidationFailed,
)
from comptoir.core.properties.expressions import prop_expression
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.validation import validate
from comptoir.core.records.values import base_queryset, read_value
from comptoir.core.records.writes import update_record
from comptoir.imports import files
from comptoir.imports.links import Link, LinkProblem, file_links, key_value
from comptoir.imports.mapping import natural_key
from comptoir.imports.models import (
    BUSY_RETRIES,  # tries of a batch that meets a busy database, a second apart, then two...
    Import,
    ImportBatch,
    ImportFailure,
    ImportState,
    Mode,
)
from comptoir.imports.values import CellConverter, owner_lookup

BATCH_SIZE = 2000
BATCH_CELLS = 200_000  # a batch of very wide rows ends sooner
CLAIMABLE = (ImportState.STARTED, ImportState.DEFERRED)

logger = logging.getLogger("comptoir.imports")


class Canceled(Exception):
    pass


class Superseded(Exception):
    """Another run claimed the import (this one was thought dead): commit nothing more."""


@dataclass
class Row:
    line: int
    cells: list
    values: dict = field(default_factory=dict)  # {object type: {property: value}}
    failed: bool = False
    links: dict = field(default_factory=dict)  # {object type: id of the record to associate}
    created_pk: int | None = None


@dataclass
class BatchOutcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    warnings: int = 0
    failures: list = field(default_factory=list)
    created_ids: dict = field(default_factory=lambda: defaultdict(list))
    updated_ids: dict = field(default_factory=lambda: defaultdict(list))


def file_info(imp: Import) -> files.FileInfo:
    return files.FileInfo(
        file_format=imp.file_format,
        encoding=imp.encoding,
        delimiter=imp.delimiter,
        sheet=imp.sheet,
    )


class Importer:
    """Everything about one file of an import that is the same for every batch.

    `top` is the import users see (the file's own one, or the main file's when the file is
    linked to it by a common column): its id is the history's source, its cancel button
    stops every file, its counters add up all the files; `span` is (start, share) of the
    file in the whole import's progress."""

    def __init__(self, imp: Import, batch_size: int = BATCH_SIZE, *, top=None, span=(0.0, 1.0)):
        self.imp = imp
        self.top = top or imp
        self.span = span
        self.batch_size = batch_size
        self.user = imp.user
        self.mode = self.top.mode
        self.clear_empty = self.top.clear_empty
        self.source = ChangeSource(
            type=SourceType.IMPORT,
            id=str(self.top.pk),
            actor_id=imp.user_id,
            request_id=f"import-{self.top.pk}",
        )
        self.object_types = list(imp.object_types)
        self.main = self.object_types[0]
        owners = owner_lookup()
        self.columns = []  # (index, object type, property, converter)
        self.column_of = defaultdict(dict)  # {object type: {property: column name}}
        for index, entry in enumerate(imp.mapping):
            ot, name = entry.get("object_type"), entry.get("property")
            if not name or ot not in self.object_types:
                continue
            defn = registry.definitions(ot).get(name)
            if defn is None:
                continue
            converter = CellConverter(
                defn, date_format=imp.date_format, decimal_comma=imp.decimal_comma, owners=owners
            )
            self.columns.append((index, ot, name, converter))
            self.column_of[ot][name] = entry.get("column") or name
        self.keys = {ot: self._key(ot) for ot in self.object_types}
        self.owners = owners
        self.attempt = self.top.attempt
        self.beat_at = time.monotonic()
        self.links: list[Link] = []  # to the linked files, read when the run starts
        self._link_types: dict = {}  # {object type: link_types()}

    def _key(self, ot) -> str | None:
        mapped = self.column_of[ot]
        if "hs_object_id" in mapped:
            return "hs_object_id"
        natural = natural_key(ot)
        if natural in mapped:
            return natural
        defs = registry.definitions(ot)
        for name in mapped:
            if defs[name].has_unique_value:
                return name
        if ot == "companies" and ot != self.main and "name" in mapped:
            return "name"  # a contact's company found by its name when there is no domain
        return None

    # -- the run -------------------------------------------------------------------------

    def run(self) -> None:
        self.links = file_links(self.imp, self.owners)
        reader = files.RowReader(stored_files.local_path(self.imp.file_path), file_info(self.imp))
        batch, cells_in_batch = [], 0
        for line, cells in reader:
            self.beat()
            if line == 1 or line <= self.imp.last_line:
                continue  # the header, or rows a previous run committed
            batch.append((line, cells))
            cells_in_batch += len(cells)
            if len(batch) >= self.batch_size or cells_in_batch >= BATCH_CELLS:
                self.commit(batch, reader.fraction)
                batch, cells_in_batch = [], 0
        if batch:
            self.commit(batch, 1.0)

    def beat(self) -> None:
        """Show the run is alive while it reads rows (resuming, it skips many unsaved)."""
        if time.monotonic() - self.beat_at < settings.COMPTOIR_IMPORT_HEARTBEAT:
            return
        if not self.own().update(updated_at=timezone.now()):
            raise Superseded
        self.beat_at = time.monotonic()

    def beat_if_free(self) -> None:
        """beat(), unless the database is still busy (the next try will tell)."""
        try:
            self.beat()
        except Exception as exc:
            if not is_busy(exc):
                raise

    def own(self):
        """The import, as long as this run is the one running it."""
        return Import.objects.filter(
            pk=self.top.pk, attempt=self.attempt, state=ImportState.PROCESSING
        )

    def commit(self, batch, fraction: float) -> None:
        """One batch in one short transaction, tried again while the database is busy."""
        for attempt in range(1, BUSY_RETRIES + 1):
            if Import.objects.filter(pk=self.top.pk, cancel_requested=True).exists():
                raise Canceled
            rows, outcome = self.prepare(batch)  # before the transaction: no lock held
            try:
                with transaction.atomic():
                    self.save(batch, rows, outcome, fraction)
            except Exception as exc:
                if not is_busy(exc) or attempt == BUSY_RETRIES:
                    raise
                logger.warning("Import %s: the database is busy; batch tried again", self.top.pk)
                self.beat_if_free()  # the try may have waited the whole lock timeout
                busy_pause(attempt)
            else:
                break
        self.imp.last_line = batch[-1][0]
        self.beat_at = time.monotonic()
        after_batch(self.top, outcome)

    def save(self, batch, rows, outcome, fraction: float) -> None:
        imp, top = self.imp, self.top
        self.write(rows, outcome)
        ImportBatch.objects.create(
            run=imp,
            first_line=batch[0][0],
            last_line=batch[-1][0],
            created_ids=dict(outcome.created_ids),
            updated_ids=dict(outcome.updated_ids),
        )
        ImportFailure.objects.bulk_create(outcome.failures, batch_size=500)
        counts = {
            "created": F("created") + outcome.created,
            "updated": F("updated") + outcome.updated,
            "skipped": F("skipped") + outcome.skipped,
            "failed": F("failed") + outcome.failed,
            "warnings": F("warnings") + outcome.warnings,
            "updated_at": timezone.now(),
        }
        start, share = self.span
        percent = int((start + fraction * share) * 100)
        if top.pk != imp.pk:
            Import.objects.filter(pk=imp.pk).update(
                **counts, last_line=batch[-1][0], percent=percent
            )
        else:
            counts["last_line"] = batch[-1][0]
        # Last, and only while this run owns the import: else the whole batch rolls back.
        if not self.own().update(**counts, percent=percent):
            raise Superseded

    # -- one batch -----------------------------------------------------------------------

    def prepare(self, batch) -> tuple[list, BatchOutcome]:
        """The batch's rows read into property values (no database write)."""
        outcome = BatchOutcome()
        rows = []
        for line, cells in batch:
            if files.is_empty(cells):
                outcome.skipped += 1
                continue
            row = Row(line, cells)
            self.convert(row, outcome)
            if not row.failed:
                rows.append(row)
        return rows, outcome

    def write(self, rows, outcome) -> None:
        if "companies" in self.object_types and self.main != "companies":
            self.companies_of(rows, outcome)
        for link in self.links:
            link.resolve(self, rows, outcome)
        self.main_records(rows, outcome)

    def convert(self, row: Row, outcome) -> None:
        row.values = {ot: {} for ot in self.object_types}
        cells = row.cells
        for index, ot, name, converter in self.columns:
            raw = cells[index] if index < len(cells) else None
            try:
                row.values[ot][name] = converter(raw)
            except PropertyError as exc:
                self.fail(row, outcome, ot, exc, column=self.column_of[ot][name], value=raw)
                return

    def fail(self, row, outcome, ot, exc, *, column=None, value=None, skipped=False) -> None:
        """Record why a row was not imported; the first reason is enough to fix it."""
        if row.failed:
            return
        row.failed = True
        if skipped:
            outcome.skipped += 1
        else:
            outcome.failed += 1
        name = getattr(exc, "name", "")
        if column is None:
            column = self.column_of.get(ot, {}).get(name, name or "")
        if value is None:
            value = getattr(exc, "value", None)
        outcome.failures.append(self.failure(row, ot, exc, column, value, skipped=skipped))

    def warn(self, row, outcome, ot, exc, *, column, value) -> None:
        """Note something a row was imported without (the user sees it with the errors)."""
        outcome.warnings += 1
        outcome.failures.append(self.failure(row, ot, exc, column, value, warning=True))

    def failure(self, row, ot, exc, column, value, **flags) -> ImportFailure:
        return ImportFailure(
            run_id=self.imp.pk,
            line=row.line,
            column=storable_text(str(column or "")[:255]),
            value="" if value is None else storable_text(str(value)[:1000]),
            reason=storable_text(getattr(exc, "message", None) or str(exc)),
            error_type=getattr(exc, "code", "INVALID_ROW"),
            object_type=ot,
            row=["" if c is None else storable_text(str(c)) for c in row.cells],
            **flags,
        )

    def key_value(self, ot, key, value):
        """The canonical form records are looked up by (a normalised email, domain...)."""
        return key_value(ot, key, value)

    def existing(self, ot, key, values, *, ids_only: bool = False, user=None) -> dict:
        """{key value: record} for the values that match a live record, the oldest first;
        `ids_only`: {key value: id}, loading no record when the key is a column (a JSON
        value is compared in its canonical form, read from the loaded record). With `user`,
        only records they may see: the others are missing, as for the API."""
        values = list(values)
        found = {}
        defn = registry.definitions(ot)[key]
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            records = base_queryset(ot, user=user)
            if key == "hs_object_id":
                qs = records.filter(pk__in=chunk).annotate(_v=F("pk"))
            else:
                qs = records.annotate(_v=prop_expression(ot, defn)).filter(_v__in=chunk)
            qs = qs.order_by("pk")
            if ids_only and defn.column:
                for value, pk in qs.values_list("_v", "pk"):
                    found.setdefault(value, pk)
            else:
                for record in qs:
                    # JSON values come back raw: compare their canonical form.
                    value = record._v if defn.column else read_value(record, defn)
                    found.setdefault(value, record.pk if ids_only else record)
        return found

    # -- companies named in a contacts file ------------------------------------------------

    def companies_of(self, rows, outcome) -> None:
        ot = "companies"
        key = self.keys[ot]
        if key is None:
            return
        groups: dict = {}
        for row in rows:
            props = row.values[ot]
            value = props.get(key)
            if value is None:
                continue
            try:
                canonical = self.key_value(ot, key, value)
            except PropertyError as exc:
                self.fail(row, outcome, ot, exc)
                continue
            groups.setdefault(canonical, []).append(row)
        # Only the key mapped (a company name or domain column): nothing to update, so the
        # ids are enough and no company is loaded.
        link_only = set(self.column_of[ot]) <= {key} and bool(registry.definitions(ot)[key].column)
        # A company the importer may not see is missing: never linked, never named.
        found = self.existing(ot, key, groups, ids_only=link_only, user=self.user)
        new_keys, new_props = [], []
        owner = default_owner(self.user, ot)
        for canonical, group in groups.items():
            record = found.get(canonical)
            if record is not None:
                if link_only:
                    for row in group:
                        row.links[ot] = record
                else:
                    self.update_company(record, group, outcome)
                continue
            if self.mode == Mode.UPDATE:
                continue  # update only: the contact is updated without its company
            new_keys.append(canonical)
            new_props.append(with_owner(dict(group[0].values[ot]), owner))
        if not new_props:
            return
        result = bulk_create_records(ot, new_props, source=self.source, user=self.user)
        for index, canonical in enumerate(new_keys):
            pk = result.ids[index]
            if pk is None:
                error = result.errors[index][0]
                for row in groups[canonical]:
                    self.fail(row, outcome, ot, error)
                continue
            outcome.created_ids[ot].append(pk)
            for row in groups[canonical]:
                row.links[ot] = pk

    def update_company(self, record, group, outcome) -> None:
        ot = "companies"
        for row in group:
            row.links[ot] = record.pk
        if self.mode == Mode.CREATE or not can_edit(self.user, ot, record):
            return  # the company is only linked, not changed
        props = self.update_values(group[0].values[ot])
        if not _changes(ot, record, props):
            return
        try:
            update_record(ot, record, props, source=self.source, user=self.user)
        except (ValidationFailed, DuplicateValue) as exc:
            for row in group:
                self.fail(row, outcome, ot, _first_error(exc))
            return
        outcome.updated_ids[ot].append(record.pk)

    # -- the main object -------------------------------------------------------------------

    def main_records(self, rows, outcome) -> None:
        ot, key, mode = self.main, self.keys[self.main], self.mode
        keyed = []
        for row in rows:
            if row.failed:
                continue
            canonical = None
            if key is not None:
                try:
                    canonical = self.key_value(ot, key, row.values[ot].get(key))
                except PropertyError as exc:
                    self.fail(row, outcome, ot, exc)
                    continue
            keyed.append((row, canonical))
        found = self.existing(ot, key, {k for _, k in keyed if k is not None}) if key else {}
        creates, updates, repeats, first_of = [], [], [], {}
        for row, canonical in keyed:
            record = found.get(canonical) if canonical is not None else None
            # A record the user may not see is named by no id (its existence must not leak);
            # looked up by its id, it reads as missing.
            seen = record is not None and can_view(self.user, ot, record)
            if record is not None and not seen and key == "hs_object_id":
                self.fail(row, outcome, ot, RecordNotFoundError(ot, canonical))
            elif record is not None:
                if mode == Mode.CREATE:
                    error = _exists(ot, key, canonical, record if seen else None)
                    self.fail(row, outcome, ot, error, skipped=True)
                elif not can_edit(self.user, ot, record):
                    self.fail(row, outcome, ot, _not_allowed(ot, key, record if seen else None))
                else:
                    updates.append((row, record))
            elif key == "hs_object_id" and canonical is not None:
                self.fail(row, outcome, ot, RecordNotFoundError(ot, canonical))
            elif mode == Mode.UPDATE:
                self.fail(row, outcome, ot, _no_match(ot, key), skipped=True)
            elif canonical is not None and canonical in first_of:
                repeats.append((row, first_of[canonical]))  # same email twice: update the first
            else:
                if canonical is not None:
                    first_of[canonical] = row
                creates.append(row)
        self.create_main(creates, outcome)
        for row, record in updates:
            self.update_main(row, record, outcome)
        for row, first in repeats:
            pk = first.created_pk
            if pk is None:
                self.fail(row, outcome, ot, _repeat_failed(first))
                continue
            self.update_main(row, pk, outcome)

    def create_main(self, rows, outcome) -> None:
        if not rows:
            return
        ot = self.main
        owner = default_owner(self.user, ot)
        props, links = [], []
        for row in rows:
            values = {k: v for k, v in row.values[ot].items() if k != "hs_object_id"}
            props.append(with_owner(values, owner))
            links.append(
                [(to, pk, self.link_types(to)) for to, pk in row.links.items() if pk is not None]
            )
        result = bulk_create_records(
            ot, props, source=self.source, associations=links, user=self.user
        )
        for index, row in enumerate(rows):
            pk = result.ids[index]
            if pk is None:
                self.fail(row, outcome, ot, result.errors[index][0])
                continue
            row.created_pk = pk
            outcome.created += 1
            outcome.created_ids[ot].append(pk)

    def link_types(self, to) -> list[int]:
        """The association types of a row's link: the API's foreignKeyType when it named
        one, else the primary one (a contact's or deal's company), else the default.
        The same for every row of the file: looked up once."""
        found = self._link_types.get(to)
        if found is None:
            found = self._link_types[to] = self._find_link_types(to)
        return found

    def _find_link_types(self, to) -> list[int]:
        for link in self.links:
            if link.to == to and link.type_id is not None:
                return [link.type_id]
        primary = atypes.primary_type(self.main, to)
        return [primary.type_id] if primary is not None else []

    def update_values(self, values: dict) -> dict:
        """What a row changes on an existing record: a blank cell leaves the value alone
        (HubSpot's behaviour), unless the import was asked to clear values for blank cells."""
        return {
            k: v
            for k, v in values.items()
            if k != "hs_object_id" and (v is not None or self.clear_empty)
        }

    def update_main(self, row, record, outcome) -> None:
        ot = self.main
        values = self.update_values(row.values[ot])
        try:
            with transaction.atomic():
                updated = update_record(ot, record, values, source=self.source, user=self.user)
                for to, pk in row.links.items():
                    if pk is not None:
                        types = [t for t in self.link_types(to) if not _is_primary(ot, to, t)]
                        associate(
                            ot,
                            updated.pk,
                            to,
                            pk,
                            types or None,
                            source=self.source,
                            user=self.user,
                        )
        except (ValidationFailed, DuplicateValue) as exc:
            self.fail(row, outcome, ot, _first_error(exc))
            return
        except RecordNotFound as exc:
            self.fail(row, outcome, ot, RecordNotFoundError(ot, exc.record_id))
            return
        outcome.updated += 1
        if updated.pk not in outcome.created_ids[ot]:
            outcome.updated_ids[ot].append(updated.pk)


def _is_primary(ot, to, type_id) -> bool:
    """A primary type is left to `associate`, which makes the first company primary."""
    found = atypes.find_type(ot, to, type_id)
    return found is not None and found.is_primary


def _changes(ot, record, props) -> bool:
    values, errors = validate(ot, props)
    if errors:
        return True  # let the service report them
    defs = registry.definitions(ot)
    return any(read_value(record, defs[n]) != v for n, v in values.items())


def _first_error(exc) -> PropertyError:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return exc.errors[0]
    if isinstance(exc, DuplicateValue):
        return PropertyError(exc.name, "DUPLICATE_VALUE", exc.message, exc.value)
    return PropertyError("", "INVALID_ROW", str(exc))


def RecordNotFoundError(ot, record_id) -> PropertyError:
    singular = get_object_type(ot).singular
    return PropertyError(
        "hs_object_id", "OBJECT_NOT_FOUND", f"no {singular} has the id {record_id}", record_id
    )


def _exists(ot, key, value, record) -> PropertyError:
    """`record`: the existing one, or None when the user may not see it (no id then)."""
    singular = get_object_type(ot).singular
    which = f"id {record.pk}" if record is not None else "one you may not see"
    return PropertyError(
        key,
        "CREATE_ONLY_IMPORT_EXISTING_OBJECT",
        f"a {singular} with this {key} exists already ({which}); "
        "the import creates new records only",
        value,
    )


def _not_allowed(ot, key, record) -> PropertyError:
    """`record`: the existing one, or None when the user may not see it (no id then)."""
    singular = get_object_type(ot).singular
    if record is None:
        message = f"a {singular} with this {key} exists that you may not change"
    else:
        message = f"you may not change the existing {singular} {record.pk}"
    return PropertyError("", "NOT_ALLOWED", message, "")


def _no_match(ot, key) -> PropertyError:
    singular = get_object_type(ot).singular
    if key is None:
        message = f"no column identifies existing {singular}s: the import updates only"
    else:
        message = f"no existing {singular} has this {key}: the import updates only"
    return PropertyError(key or "", "UPDATE_ONLY_IMPORT_NO_MATCH", message, "")


def _repeat_failed(first) -> PropertyError:
    return PropertyError(
        "", "DUPLICATE_ROW", f"repeats line {first.line}, which could not be imported", ""
    )


# -- running an import ---------------------------------------------------------------------


def busy_pause(seconds: float) -> None:
    """Before a batch that met a busy database is tried again."""
    time.sleep(seconds)


def after_batch(imp, outcome) -> None:
    """Hook between batches (tests stop a run here, as a killed worker would)."""


def run(import_id: int, batch_size: int = BATCH_SIZE) -> str:
    """Run (or resume) an import; claimed with a conditional UPDATE so one worker runs it,
    and with a new attempt number so a former run still alive commits nothing more."""
    now = timezone.now()
    claimed = Import.objects.filter(pk=import_id, state__in=CLAIMABLE).update(
        state=ImportState.PROCESSING, attempt=F("attempt") + 1, updated_at=now
    )
    if not claimed:
        return "not claimed"
    imp = Import.objects.select_related("user").get(pk=import_id)
    if imp.started_at is None:
        Import.objects.filter(pk=imp.pk).update(started_at=now)
    if imp.user is None or not has_right(imp.user, "can_import"):
        _finish(imp, ImportState.FAILED, "The user who started this import may not import.")
        return ImportState.FAILED
    try:
        with bulk_writes(IMPORT_PRAGMAS):
            run_files(imp, batch_size)
    except Superseded:
        logger.warning("Import %s: another run has taken it over; this one stops", imp.pk)
        return "superseded"
    except Canceled:
        _finish(imp, ImportState.CANCELED)
        _forget_files(imp)
        return ImportState.CANCELED
    except files.FileProblem as exc:
        _finish(imp, ImportState.FAILED, f"The file could not be read: {exc}")
        return ImportState.FAILED
    except LinkProblem as exc:
        _finish(imp, ImportState.FAILED, f"The files cannot be joined: {exc}")
        return ImportState.FAILED
    except Exception as exc:
        if is_busy(exc):
            # Committed batches stay; the scheduler queues it again later.
            logger.warning("Import %s: the database stays busy; it waits to resume", imp.pk)
            _finish(imp, ImportState.DEFERRED, finished=False)
            return ImportState.DEFERRED
        # Committed batches stay; the import says where it stopped and can be resumed.
        _finish(imp, ImportState.FAILED, f"Stopped after {_position(imp)}: {exc}")
        raise
    _finish(imp, ImportState.DONE)
    _forget_files(imp)
    return ImportState.DONE


def _forget_files(imp) -> None:
    """This machine's copies of a finished import's files (they stay in the storage)."""
    for part in imp.files:
        stored_files.forget_local_copy(part.file_path)


def run_files(imp, batch_size: int = BATCH_SIZE) -> None:
    """The linked files first (a file done in an earlier run is not read again), then the
    main one; each resumes after its own last committed line."""
    parts = imp.files
    total = sum(max(1, part.file_size) for part in parts)
    start = 0.0
    for part in parts:
        share = max(1, part.file_size) / total
        if part.pk == imp.pk or part.state != ImportState.DONE:
            Importer(part, batch_size, top=imp, span=(start, share)).run()
            if part.pk != imp.pk:
                Import.objects.filter(pk=part.pk).update(state=ImportState.DONE, percent=100)
        start += share


def _position(imp) -> str:
    """Where a run stopped: the main file's line, or a linked file's."""
    imp.refresh_from_db()
    for part in imp.linked_files.exclude(state=ImportState.DONE).order_by("pk"):
        return f"line {part.last_line} of {part.file_name}"
    return f"line {imp.last_line}"


def _finish(imp, state, message: str = "", *, finished: bool = True) -> None:
    """The run's end, unless another run has claimed the import since."""
    Import.objects.filter(pk=imp.pk, attempt=imp.attempt).update(
        state=state,
        error_message=message,
        finished_at=timezone.now() if finished else None,
        updated_at=timezone.now(),
        **({"percent": 100} if state == ImportState.DONE else {}),
    )
    imp.refresh_from_db()
