"""Exports of a list view (its filters, search, sort and columns) to CSV or XLSX, built
in the background from the records the user may see."""

import csv
import shutil
import tempfile
import zoneinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db.models import F
from django.http import QueryDict
from django.utils import timezone, translation

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.busy import is_busy
from comptoir.core.files import stored as stored_files
from comptoir.core.i18n import type_label
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import NotAllowed, has_right
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.records.values import read_value
from comptoir.core.savedviews.listing import ListState
from comptoir.core.savedviews.table import column_headers, table_rows
from comptoir.core.scheduling.requeue import requeue_quiet
from comptoir.imports.formulas import NumberText, csv_row, xlsx_row
from comptoir.imports.models import Export, ExportState, stall_after
from comptoir.imports.services import safe_name, stored_name
from comptoir.imports.tasks import run_export
from comptoir.notifications import services as notifications

CHUNK = 2000
FORMATS = ("CSV", "XLSX")


def start_export(
    user, object_type, params: str, file_format: str = "CSV", *, iso_dates: bool = False
) -> Export:
    """An export in the language of the person asking (their choice, else the page's) and
    named in the portal's time zone; `iso_dates`: dates as ISO 8601 text."""
    from django.db import transaction

    if not has_right(user, "can_export"):
        raise NotAllowed("Your role does not allow exporting records.")
    ot = get_object_type(object_type)
    file_format = file_format.upper() if file_format.upper() in FORMATS else "CSV"
    language = getattr(user, "language", "") or translation.get_language() or "en"
    with translation.override(language):
        label = type_label(ot)
    zone = zoneinfo.ZoneInfo(portal().report_time_zone)
    stamp = timezone.now().astimezone(zone).strftime("%Y-%m-%d %H-%M")
    export = Export.objects.create(
        user=user,
        object_type=ot.name,
        name=f"{label} {stamp}",
        params=params.lstrip("?")[:4000],
        file_format=file_format,
        language=language[:8],
        iso_dates=iso_dates,
    )
    audit.record(
        AuditAction.EXPORT,
        export.name,
        user=user,
        object_type=ot.name,
        format=file_format,
        filters=export.params[:500],
    )
    transaction.on_commit(lambda: run_export.enqueue(export.pk))
    return export


class Superseded(Exception):
    """A newer run took this export over (this one was thought dead): stop quietly."""


def run(export_id: int) -> str:
    """Write the export's file. Claimed by raising `attempt`; every chunk beats the heart
    and checks the claim, and the file is written beside its final name and moved into
    place, so a run thought dead that wakes up neither overwrites nor finishes anything."""
    claimed = Export.objects.filter(pk=export_id, state=ExportState.STARTED).update(
        state=ExportState.PROCESSING, attempt=F("attempt") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return "not claimed"
    export = Export.objects.select_related("user").get(pk=export_id)
    mine = Export.objects.filter(pk=export.pk, attempt=export.attempt)
    user = export.user
    try:
        if user is None or not has_right(user, "can_export"):
            raise NotAllowed("The user who asked for this export may not export.")
        language = export.language or getattr(user, "language", "") or "en"
        with translation.override(language):
            stored, count = _write(export, user, heartbeat=lambda: _beat(mine))
    except Superseded:
        return "superseded"
    except Exception as exc:
        mine.update(
            state=ExportState.FAILED, error_message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    done = mine.update(
        state=ExportState.DONE, file_path=stored, row_count=count, finished_at=timezone.now()
    )
    if not done:
        stored_files.delete(stored)
        return "superseded"
    notifications.export_ready(user.pk, export.pk, export.file_name)
    return ExportState.DONE


def _beat(mine) -> None:
    """Show the run is alive. A beat that finds the database busy waited the lock timeout
    (stall_after() allows for that) and is skipped: the export goes on, not fails."""
    try:
        beaten = mine.filter(state=ExportState.PROCESSING).update(updated_at=timezone.now())
    except Exception as exc:
        if not is_busy(exc):
            raise
        return
    if not beaten:
        raise Superseded


def resume_interrupted(now=None) -> list[int]:
    """Queue again every export that no worker has run for stall_after(): processing
    without a heartbeat (its worker died) or waiting (its job lost). A conditional UPDATE
    picks the one scheduler that requeues it. Run by the scheduler's every tick."""
    return requeue_quiet(
        Export.objects.filter(state__in=(ExportState.STARTED, ExportState.PROCESSING)),
        stall=stall_after(),
        now=now,
        match=("state",),
        claim=lambda row: {"state": ExportState.STARTED},
        enqueue=lambda row: run_export.enqueue(row["pk"]),
    )


def _chunks(export, user):
    """(header, rows of cells), the records the user may see, in id order by keyset: texts
    as the list shows them, a number property's value as `NumberText` (data, not a formula,
    and a numeric cell in XLSX)."""
    ot = get_object_type(export.object_type)
    state = ListState.from_params(QueryDict(export.params), user, ot)
    names = state.columns(user)
    header = [_name_label(ot)] + [str(c["label"]) for c in column_headers(state, names)]
    qs = state.queryset(user)
    defs = registry.definitions(ot.name)
    tz = portal().report_time_zone

    def cells(record, row):
        for cell in row["cells"]:
            defn = defs.get(cell["name"]) if export.iso_dates else None
            value = read_value(record, defn) if defn is not None else None
            iso = defn.kind.iso_text(defn, value, tz) if value not in (None, "") else None
            if iso is not None:
                yield iso
            elif cell["numeric"]:
                yield NumberText(cell["text"], _number(read_value(record, defs[cell["name"]])))
            else:
                yield cell["text"]

    def rows():
        last = 0
        while True:
            records = list(qs.filter(pk__gt=last).order_by("pk")[:CHUNK])
            if not records:
                return
            for record, row in zip(records, table_rows(ot, records, names, user), strict=True):
                yield [row["name"], *cells(record, row)]
            last = records[-1].pk

    return header, rows()


def _number(value):
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _name_label(ot) -> str:
    from django.utils.translation import gettext as _

    return _("Name")


def _write(export, user, heartbeat=lambda: None) -> tuple[str, int]:
    """The file, written on this machine's disk, then saved whole in the storage under a
    name of its own (what every machine's download reads); (its storage name, rows)."""
    header, rows = _chunks(export, user)
    name = safe_name(export.file_name)
    work = Path(tempfile.mkdtemp(prefix="export-", dir=stored_files.work_directory()))
    partial = work / name
    count = 0
    try:
        if export.file_format == "XLSX":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet(export.object_type[:31])
            sheet.append(xlsx_row(sheet, header))
            for row in rows:
                sheet.append(xlsx_row(sheet, row))
                count += 1
                if count % CHUNK == 0:
                    heartbeat()
            book.save(partial)
        else:
            with open(partial, "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(csv_row(header))
                for row in rows:
                    writer.writerow(csv_row(row))
                    count += 1
                    if count % CHUNK == 0:
                        heartbeat()
        heartbeat()
        stored = stored_files.save_path(stored_name("exports", name), partial)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return stored, count


def visible_exports(user):
    qs = Export.objects.select_related("user")
    if has_right(user, "can_manage_settings"):
        return qs
    return qs.filter(user=user)
