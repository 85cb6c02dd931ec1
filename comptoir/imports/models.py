"""Imports and exports (SET-6): what was asked, how far it got, what went wrong.

An import commits in batches; each batch writes its records, an ImportBatch row (the
ids it created and updated, for undo) and the import's counters in one transaction, so
`last_line` is always exactly the last row whose effects are saved.

A running import shows it is alive: `updated_at` moves at least every
COMPTOIR_IMPORT_HEARTBEAT seconds, but for a batch's write (one transaction: a beat inside
it would show no one) and its waits for a busy database. One silent for `stall_after()`
(longer than those) lost its worker: it is
interrupted (DEFERRED, HubSpot's state of an import waiting to run), and the worker's
scheduler queues it again (services.resume_interrupted); the next run goes on after
`last_line`. Each run claims the import by raising `attempt`, and a batch commits only
while its run's attempt is the latest, so a run thought dead that wakes up commits
nothing twice."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.imports.mapping import object_choices

BUSY_RETRIES = 3  # tries of a batch that meets a busy database (imports/engine.py)


def stall_after() -> dt.timedelta:
    """How long a running import or export may stay silent before it counts as interrupted:
    six heartbeats more than the longest a live run waits for a busy database without a
    beat (each of a batch's BUSY_RETRIES tries may wait COMPTOIR_DB_LOCK_TIMEOUT; the run
    beats between tries, but a beat is a write, which may wait as long)."""
    busy = BUSY_RETRIES * settings.COMPTOIR_DB_LOCK_TIMEOUT
    return dt.timedelta(seconds=6 * settings.COMPTOIR_IMPORT_HEARTBEAT + busy)


class ImportState(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")  # the wizard has the file, nothing is queued yet
    STARTED = "STARTED", _("Waiting")
    PROCESSING = "PROCESSING", _("In progress")
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")
    CANCELED = "CANCELED", _("Canceled")
    REVERTED = "REVERTED", _("Undone")
    DEFERRED = "DEFERRED", _("Interrupted, resuming automatically")  # its worker stopped
    # Not HubSpot's: the API shows PROCESSING (DEFERRED when its worker stopped), then
    # REVERTED. Claimed, beating and resumed like a run (comptoir.imports.undo).
    UNDOING = "UNDOING", _("Undoing")


class Mode(models.TextChoices):
    CREATE = "CREATE", _("Create new records only")
    UPDATE = "UPDATE", _("Update existing records only")
    UPSERT = "UPSERT", _("Create and update records")


class Import(models.Model):
    STORED_PATH_FIELDS = ("file_path",)  # comptoir migrate_files (core/files/migration.py)

    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="imports"
    )
    source = models.CharField(max_length=20, default="CRM_UI")  # HubSpot's importSource
    state = models.CharField(max_length=20, choices=ImportState.choices, default="DRAFT")
    objects_choice = models.CharField(max_length=40, default="contacts")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.UPSERT)
    date_format = models.CharField(max_length=20, default="DAY_MONTH_YEAR")
    decimal_comma = models.BooleanField(default=False)
    # A blank cell clears the record's value (else, as HubSpot does, it leaves it alone).
    clear_empty = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500)  # its name in the storage (core/files)
    file_size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=20, default="CSV")
    encoding = models.CharField(max_length=30, blank=True, default="")
    delimiter = models.CharField(max_length=5, blank=True, default="")
    sheet = models.CharField(max_length=200, blank=True, default="")
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=list)  # [{"column", "object_type", "property"}]
    request_json = models.JSONField(null=True, blank=True)  # the API's importRequest
    # Several files joined by a common column: each other file is an Import row of its own
    # (its file, reading options, mapping, position, counters) whose `parent` is the main
    # file's import, the one users see. It is imported first; each main row is then
    # associated with the record whose `common_column` value equals its `main_column` one.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="linked_files"
    )
    common_column = models.CharField(max_length=255, blank=True, default="")
    main_column = models.CharField(max_length=255, blank=True, default="")
    association_type_id = models.IntegerField(null=True, blank=True)  # the API's foreignKeyType
    created = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    skipped = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    warnings = models.IntegerField(default=0)  # rows imported without their association
    percent = models.IntegerField(default=0)  # of the file read, by bytes or rows
    last_line = models.IntegerField(default=0)  # last file line whose effects are committed
    cancel_requested = models.BooleanField(default=False)
    error_message = models.TextField(blank=True, default="")
    undo_conflicts = models.JSONField(default=list, blank=True)
    # Who asked for the undo, and the state it gives back if the undo fails.
    undo_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_from = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # heartbeat while running
    attempt = models.IntegerField(default=0)  # runs claimed so far; only the latest commits
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def object_types(self) -> tuple:
        return object_choices().get(self.objects_choice, ("contacts",))

    @property
    def files(self) -> list:
        """Every file of the import, the linked ones (imported first) before the main one."""
        return [*sorted(self.linked_files.all(), key=lambda f: f.pk), self]  # prefetchable

    @property
    def rows_done(self) -> int:
        return self.created + self.updated + self.skipped + self.failed

    @property
    def progress(self) -> int:
        """Percent of the file read (by bytes: known without counting the rows first)."""
        if self.state in (ImportState.DONE, ImportState.REVERTED):
            return 100
        return min(99, self.percent)

    @property
    def running(self) -> bool:
        return self.state in (ImportState.STARTED, ImportState.PROCESSING, ImportState.DEFERRED)

    @property
    def busy(self) -> bool:
        """Running, or being undone: the page follows it."""
        return self.running or self.state == ImportState.UNDOING

    @property
    def interrupted(self) -> bool:
        """Its worker stopped (no heartbeat for a while): it resumes by itself."""
        if self.state == ImportState.PROCESSING:
            return timezone.now() - self.updated_at > stall_after()
        return self.state == ImportState.DEFERRED

    @property
    def undo_interrupted(self) -> bool:
        """The worker undoing it stopped: the undo goes on by itself."""
        return (
            self.state == ImportState.UNDOING and timezone.now() - self.updated_at > stall_after()
        )

    @property
    def api_state(self) -> str:
        """HubSpot's state: it has none for an undo under way."""
        if self.state == ImportState.UNDOING:
            return ImportState.DEFERRED if self.undo_interrupted else ImportState.PROCESSING
        return self.shown_state

    @property
    def shown_state(self) -> str:
        """The state as it truly is: an import whose worker died is not processing."""
        return ImportState.DEFERRED if self.interrupted else self.state

    @property
    def shown_state_label(self) -> str:
        return ImportState(self.shown_state).label

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.CANCELED, ImportState.FAILED)


class ImportBatch(models.Model):
    """One committed batch: the ids it created and updated, per object type."""

    run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="batches")
    first_line = models.IntegerField()
    last_line = models.IntegerField()
    created_ids = models.JSONField(default=dict)  # {"contacts": [1, 2], ...}
    updated_ids = models.JSONField(default=dict)
    committed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_line"]


class ImportFailure(models.Model):
    """A row that was not imported (or skipped), with the reason."""

    run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="failures")
    line = models.IntegerField()
    column = models.CharField(max_length=255, blank=True, default="")
    value = models.TextField(blank=True, default="")
    reason = models.TextField()
    error_type = models.CharField(max_length=60)
    object_type = models.CharField(max_length=32, blank=True, default="")
    skipped = models.BooleanField(default=False)  # counted as skipped, not failed
    warning = models.BooleanField(default=False)  # imported, but without an association
    row = models.JSONField(default=list)  # the row's cells, for the errors file
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["line", "id"]


class ExportState(models.TextChoices):
    STARTED = "STARTED", _("Waiting")
    PROCESSING = "PROCESSING", _("In progress")
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")


class Export(models.Model):
    STORED_PATH_FIELDS = ("file_path",)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="exports"
    )
    object_type = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    params = models.CharField(max_length=4000, blank=True, default="")  # the list's query
    file_format = models.CharField(max_length=10, default="CSV")  # CSV | XLSX
    # The language of the person who asked (headers, option labels, dates), and dates as
    # machine-readable ISO 8601 text instead of the language's format.
    language = models.CharField(max_length=8, blank=True, default="")
    iso_dates = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=ExportState.choices, default="STARTED")
    row_count = models.IntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True, default="")  # in the storage
    error_message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Heartbeat and claim, as for imports: a run whose worker died is started again from
    # the top (an export writes nothing but its own file) by the run with the latest attempt.
    updated_at = models.DateTimeField(default=timezone.now)
    attempt = models.IntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.file_format.lower()}"

    @property
    def running(self) -> bool:
        return self.state in (ExportState.STARTED, ExportState.PROCESSING)

    @property
    def interrupted(self) -> bool:
        """Its worker stopped (no heartbeat for a while): the scheduler starts it again."""
        return (
            self.state == ExportState.PROCESSING
            and timezone.now() - self.updated_at > stall_after()
        )

    @property
    def shown_state_label(self) -> str:
        if self.interrupted:
            return ImportState.DEFERRED.label
        return ExportState(self.state).label
