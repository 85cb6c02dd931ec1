"""The life of an import: upload, configure, start, cancel, resume. Views and the API
call these; the engine (comptoir.imports.engine) does the work in the worker."""

import shutil
import tempfile
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.files import stored as stored_files
from comptoir.core.inputs import storable
from comptoir.core.permissions import NotAllowed, has_right
from comptoir.core.scheduling.requeue import requeue_quiet
from comptoir.imports import files, links
from comptoir.imports.engine import file_info
from comptoir.imports.mapping import auto_map, file_order, guess_common_columns, object_choices
from comptoir.imports.models import Import, ImportState, stall_after
from comptoir.imports.tasks import run_import


class ImportProblem(ValueError):
    """A request about an import that cannot be done as asked (shown to the user)."""


def stored_name(kind: str, name: str) -> str:
    """A storage name of its own for a file of `kind` (imports, exports)."""
    return f"{kind}/{uuid.uuid4().hex}/{name}"


def safe_name(name: str) -> str:
    name = Path(name or "import.csv").name
    return "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:120] or "import.csv"


def require_import_right(user) -> None:
    if not has_right(user, "can_import"):
        raise NotAllowed("Your role does not allow importing records.")


def prepare_draft(user, uploaded, objects_choice: str = "contacts", *, source="CRM_UI") -> Import:
    """Store the uploaded file (streamed to a local file in chunks, read there, then saved
    in the storage every machine sees) and guess how to read it: an unsaved draft.
    Reading a file may take long (whatever its size or width): callers do it
    before any transaction, so no lock is held meanwhile, then save in a short one."""
    require_import_right(user)
    if objects_choice not in object_choices():
        raise ImportProblem(f"unknown choice of objects {objects_choice!r}")
    name = safe_name(getattr(uploaded, "name", "") or "import.csv")
    work = Path(tempfile.mkdtemp(prefix="upload-", dir=stored_files.work_directory()))
    target = work / name
    try:
        size = _receive(uploaded, target)
        try:
            info = files.inspect(target, name)  # a hostile file is refused before it is stored
        except files.FileProblem as exc:
            raise ImportProblem(str(exc)) from None
        stored = stored_files.save_path(stored_name("imports", name), target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    imp = Import(
        name=Path(name).stem[:200],
        user=user,
        source=source,
        objects_choice=objects_choice,
        file_name=name,
        file_path=stored,
        file_size=size,
        file_format=files.file_format(name),
    )
    try:
        imp.encoding, imp.delimiter, imp.sheet = info.encoding, info.delimiter, info.sheet
        read_header(imp)
    except Exception:
        discard(imp)
        raise
    imp.decimal_comma = imp.delimiter == ";"  # French Excel writes both
    imp.mapping = auto_map(imp.header, imp.object_types)
    return imp


def _receive(uploaded, target: Path) -> int:
    """Write the upload into `target` in chunks, refusing it past the size limit; its size."""
    size = 0
    try:
        files.check_size(getattr(uploaded, "size", None) or 0)
        with open(target, "wb") as out:
            for chunk in uploaded.chunks():
                size += len(chunk)
                files.check_size(size)  # however the upload reports its size
                out.write(chunk)
    except files.FileProblem as exc:
        raise ImportProblem(str(exc)) from None
    if size == 0:
        raise ImportProblem("the file is empty")
    return size


def discard(*drafts: Import) -> None:
    """Remove the stored files of drafts that will not be saved."""
    for draft in drafts:
        stored_files.delete(draft.file_path)


def create_draft(user, uploaded, objects_choice: str = "contacts", *, source="CRM_UI") -> Import:
    imp = prepare_draft(user, uploaded, objects_choice, source=source)
    imp.save()
    return imp


def create_files_draft(user, uploads: dict, *, source="CRM_UI") -> Import:
    """Several files joined by a common column ({object type: uploaded file}): the main
    file's draft (deals, else contacts), the others linked to it with the common columns
    guessed. Every file is read first; the drafts are then saved together."""
    types = [ot for ot in file_order() if uploads.get(ot) is not None]
    if len(types) < 2:
        raise ImportProblem("choose a file for at least two of contacts, companies and deals")
    drafts = []
    try:
        for ot in types:
            drafts.append(prepare_draft(user, uploads[ot], ot, source=source))
        main, linked = drafts[0], drafts[1:]
        for part in linked:
            part.main_column, part.common_column = guess_common_columns(main.header, part)
        save_drafts(main, linked)
    except Exception:
        discard(*drafts)
        raise
    return main


def save_drafts(main: Import, linked=()) -> None:
    """Save a prepared draft and the files linked to it, all or none."""
    with transaction.atomic():
        main.save()
        for part in linked:
            part.parent = main
            part.save()


def check_links(imp: Import) -> None:
    """Each linked file's common column is chosen, in both files, and identifies records."""
    try:
        links.check(imp)
    except links.LinkProblem as exc:
        raise ImportProblem(str(exc)) from None


def read_header(imp: Import) -> list:
    """(Re)read the header and sample rows with the current reading options."""
    try:
        header, sample = files.header_and_sample(
            stored_files.local_path(imp.file_path), file_info(imp)
        )
    except files.FileProblem as exc:
        raise ImportProblem(str(exc)) from None
    if not header:
        raise ImportProblem("the first line must name the columns")
    for number, name in enumerate(header, 1):
        if not storable(str(name)):  # a NUL (PostgreSQL stores none) or a lone surrogate
            raise ImportProblem(
                _("the name of column %(number)s holds a character that cannot be stored")
                % {"number": number}
            )
    imp.header = header
    return sample


def start(imp: Import, user) -> Import:
    """Queue the import for the worker."""
    require_import_right(user)
    for part in imp.files:
        if not any(entry.get("property") for entry in part.mapping):
            raise ImportProblem(f"map at least one column of {part.file_name} to a property")
    check_links(imp)
    updated = Import.objects.filter(pk=imp.pk, state=ImportState.DRAFT).update(
        state=ImportState.STARTED, created_at=timezone.now(), updated_at=timezone.now()
    )
    if not updated:
        raise ImportProblem("this import has already been started")
    imp.linked_files.update(state=ImportState.STARTED)
    transaction.on_commit(lambda: run_import.enqueue(imp.pk))
    imp.refresh_from_db()
    return imp


def cancel(imp: Import) -> Import:
    """Stop between two batches; what was committed stays (undo removes it). One no worker
    is running (waiting, or interrupted) stops at once."""
    Import.objects.filter(pk=imp.pk).update(cancel_requested=True)
    imp.refresh_from_db()
    if imp.state in (ImportState.STARTED, ImportState.DEFERRED) or imp.interrupted:
        Import.objects.filter(pk=imp.pk, state=imp.state).update(
            state=ImportState.CANCELED, finished_at=timezone.now()
        )
        imp.refresh_from_db()
    return imp


def resume(imp: Import, user) -> Import:
    """Run a failed import again from the row after the last committed one (an interrupted
    one resumes by itself: resume_interrupted)."""
    require_import_right(user)
    if imp.state != ImportState.FAILED:
        raise ImportProblem("only a failed import can be resumed")
    Import.objects.filter(pk=imp.pk, state=imp.state).update(
        state=ImportState.STARTED, error_message="", finished_at=None, updated_at=timezone.now()
    )
    transaction.on_commit(lambda: run_import.enqueue(imp.pk))
    imp.refresh_from_db()
    return imp


def resume_interrupted(now=None) -> list[int]:
    """Queue again every import that no worker has run for stall_after(): processing
    without a heartbeat (its worker died: DEFERRED until a worker claims it), deferred, or
    waiting (its job lost). Several workers may run this at once: each import is requeued
    by the one whose conditional UPDATE touched it. Run by the scheduler's every tick."""
    return requeue_quiet(
        Import.objects.filter(
            parent=None,
            state__in=(ImportState.STARTED, ImportState.PROCESSING, ImportState.DEFERRED),
        ),
        stall=stall_after(),
        now=now,
        match=("state",),
        claim=_waiting,
        enqueue=lambda row: run_import.enqueue(row["pk"]),
    )


def _waiting(row) -> dict:
    """A started import waits for its first run; any other waits for a worker to go on."""
    started = row["state"] == ImportState.STARTED
    return {"state": ImportState.STARTED if started else ImportState.DEFERRED}


def visible_imports(user):
    """Everyone sees their own imports; settings admins see everybody's."""
    qs = Import.objects.exclude(state=ImportState.DRAFT).filter(parent=None)
    qs = qs.select_related("user")
    if has_right(user, "can_manage_settings"):
        return qs
    return qs.filter(user=user)
