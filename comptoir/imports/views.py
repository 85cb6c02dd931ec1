"""The import wizard (/imports/new/), the import page with its live progress, and the
export pages. Work happens in the worker; these pages configure it and show it."""

import re

from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from comptoir.core.files import stored as stored_files
from comptoir.core.history.source import ChangeSource
from comptoir.core.i18n import localised_label
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import import_types
from comptoir.core.permissions import NotAllowed, has_right
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.properties.formatting import format_value
from comptoir.core.properties.services import create_property as create
from comptoir.core.records.validation import validate
from comptoir.core.records.values import read_value
from comptoir.core.ui.record import page_type
from comptoir.imports import exports, preview, services
from comptoir.imports import undo as undoing
from comptoir.imports.engine import BatchOutcome, Importer, Row
from comptoir.imports.errorfile import error_rows, failure_text
from comptoir.imports.files import DELIMITERS, FileProblem, sheet_names
from comptoir.imports.mapping import (
    CONTACTS_AND_COMPANIES,
    auto_map,
    guess_common_columns,
    importable,
    object_choices,
)
from comptoir.imports.models import Export, Import, ImportFailure, ImportState, Mode
from comptoir.imports.undo import undoable
from comptoir.imports.values import DATE_FORMATS

FILES = "files"


def object_labels() -> dict:
    """The wizard's object choices in words: each importable type's, then the two joins."""
    return {
        **{ot.name: ot.imports.label for ot in import_types()},
        CONTACTS_AND_COMPANIES: _lazy("Contacts and their companies (one file)"),
        FILES: _lazy("Several files with associations"),
    }


def file_labels() -> dict:
    return {ot.name: ot.imports.file_label for ot in import_types()}


ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": _lazy("UTF-8 with BOM"),
    "windows-1252": _lazy("Windows-1252 (Excel on Windows)"),
    "iso-8859-1": "Latin-1 (ISO-8859-1)",
    "mac-roman": _lazy("Mac Roman (Excel's CSV Macintosh)"),
    "utf-16": "UTF-16",
    "utf-16-le": _lazy("UTF-16 LE without BOM"),
    "utf-16-be": _lazy("UTF-16 BE without BOM"),
    "utf-32": "UTF-32",
}
DELIMITER_LABELS = {",": _lazy("Comma (,)"), ";": _lazy("Semicolon (;)"), "tab": _lazy("Tab")}
DATE_LABELS = {
    "DAY_MONTH_YEAR": _lazy("Day/month/year (31/12/2024)"),
    "MONTH_DAY_YEAR": _lazy("Month/day/year (12/31/2024)"),
    "YEAR_MONTH_DAY": _lazy("Year-month-day (2024-12-31)"),
}
NEW_PROPERTY_TYPES = {
    "string": ("text", _lazy("Single-line text")),
    "number": ("number", _lazy("Number")),
    "date": ("date", _lazy("Date picker")),
}


def _my_import(request, pk) -> Import:
    imp = get_object_or_404(Import, pk=pk)
    if imp.user_id != request.user.pk and not has_right(request.user, "can_manage_settings"):
        raise Http404
    return imp


def _needs_import_right(request):
    if not has_right(request.user, "can_import"):
        raise Http404


# -- step 1: objects and file ----------------------------------------------------------------


def new(request):
    _needs_import_right(request)
    error = ""
    choice = request.POST.get("objects") or request.GET.get("objects") or "contacts"
    if request.method == "POST":
        uploads = {ot: request.FILES.get(f"file-{ot}") for ot in file_labels()}
        uploaded = request.FILES.get("file")
        if choice == "files" and sum(1 for u in uploads.values() if u) < 2:
            error = _("Choose a file for at least two of contacts, companies and deals.")
        elif choice != "files" and uploaded is None:
            error = _("Choose a CSV or XLSX file.")
        else:
            try:
                if choice == "files":
                    imp = services.create_files_draft(request.user, uploads)
                else:
                    imp = services.create_draft(request.user, uploaded, choice)
            except services.ImportProblem as exc:
                error = _("The file could not be read: %(reason)s") % {"reason": exc}
            else:
                return redirect("imports:setup", imp.pk)
    labels = object_labels()
    return render(
        request,
        "imports/new.html",
        {
            "choices": [(k, labels[k]) for k in [*object_choices(), FILES]],
            "choice": choice if choice in labels else "contacts",
            "file_inputs": file_labels().items(),
            "error": error,
        },
    )


# -- step 2: reading options, mapping, mode, preview -------------------------------------------


def _property_choices(imp) -> list[dict]:
    groups = []
    for ot in imp.object_types:
        defs = registry.definitions(ot)
        options = [
            (f"{ot}:{n}", localised_label(d))
            for n, d in defs.items()
            if importable(d) and (not d.hidden or n == "hs_object_id")
        ]
        options.sort(key=lambda item: str(item[1]).lower())
        groups.append({"label": object_labels()[ot], "options": options})
    return groups


def _apply_form(imp, post) -> None:
    if post.get("encoding") in ENCODING_LABELS:
        imp.encoding = post["encoding"]
    if post.get("delimiter") in DELIMITERS:
        imp.delimiter = post["delimiter"]
    if post.get("sheet"):
        imp.sheet = post["sheet"][:200]
    if post.get("date_format") in DATE_FORMATS:
        imp.date_format = post["date_format"]
    if post.get("mode") in Mode.values:
        imp.mode = post["mode"]
    if "options_sent" in post:
        imp.decimal_comma = bool(post.get("decimal_comma"))
    if "details_sent" in post and not imp.parent_id:
        imp.clear_empty = bool(post.get("clear_empty"))
    if post.get("name"):
        imp.name = post["name"].strip()[:200]
    if post.get("common_column") in imp.header and imp.parent_id:
        imp.common_column = post["common_column"]
    for index, entry in enumerate(imp.mapping):
        chosen = post.get(f"map-{index}")
        if chosen is None:
            continue
        ot, _sep, name = chosen.partition(":")
        if ot in imp.object_types and name in registry.definitions(ot):
            entry.update(object_type=ot, property=name)
        else:
            entry.update(property="")


def _apply_main_columns(imp, post) -> None:
    """The main file's page chooses its column matching each linked file."""
    for linked in imp.linked_files.all():
        chosen = post.get(f"main_column-{linked.pk}")
        if chosen in imp.header and chosen != linked.main_column:
            linked.main_column = chosen
            linked.save(update_fields=["main_column"])


def _reguess_common_columns(imp) -> None:
    """After the header was read again (another encoding, separator or sheet)."""
    top = imp.parent or imp
    for linked in top.linked_files.all():
        if linked.pk == imp.pk:
            linked = imp
        if linked.main_column not in top.header or linked.common_column not in linked.header:
            linked.main_column, linked.common_column = guess_common_columns(top.header, linked)
            if linked.pk != imp.pk:
                linked.save(update_fields=["main_column", "common_column"])


def _sample_rows(imp):
    try:
        return services.read_header(imp), ""
    except services.ImportProblem as exc:
        return [], str(exc)


def _setup_context(request, imp, problem=""):
    sample, read_error = _sample_rows(imp)
    columns = []
    for index, entry in enumerate(imp.mapping):
        values = [
            str(cells[index]) for _line, cells in sample if index < len(cells) and cells[index]
        ][:3]
        columns.append(
            {
                "index": index,
                "name": entry["column"],
                "samples": values,
                "chosen": f"{entry['object_type']}:{entry['property']}"
                if entry["property"]
                else "",
            }
        )
    sheets = []
    if imp.file_format == "SPREADSHEET":
        try:
            sheets = sheet_names(stored_files.local_path(imp.file_path))
        except FileProblem:
            sheets = []
    top = imp.parent or imp
    return {
        "imp": imp,
        "top": top,
        "parts": [(part, object_labels()[part.objects_choice]) for part in [top, *top.files[:-1]]],
        "links": [
            (linked, object_labels()[linked.objects_choice]) for linked in imp.linked_files.all()
        ],
        "columns": columns,
        "groups": _property_choices(imp),
        "encodings": ENCODING_LABELS.items(),
        "delimiters": DELIMITER_LABELS.items(),
        "date_formats": DATE_LABELS.items(),
        "modes": Mode.choices,
        "sheets": sheets,
        "objects_label": object_labels().get(imp.objects_choice, ""),
        "problem": problem or read_error,
        "can_create_property": has_right(request.user, "can_manage_settings"),
        "property_types": [(k, v[1]) for k, v in NEW_PROPERTY_TYPES.items()],
    }


def setup(request, pk):
    """One file's reading options, mapping and preview; with several files, each file has
    its page (tabs that save before switching), and the main file's page has the import's
    name and mode."""
    _needs_import_right(request)
    imp = _my_import(request, pk)
    top = imp.parent or imp
    if imp.state != ImportState.DRAFT:
        return redirect("imports:detail", top.pk)
    problem = ""
    if request.method == "POST":
        before = (imp.encoding, imp.delimiter, imp.sheet)
        _apply_form(imp, request.POST)
        _apply_main_columns(imp, request.POST)
        if (imp.encoding, imp.delimiter, imp.sheet) != before:
            try:
                services.read_header(imp)
                imp.mapping = auto_map(imp.header, imp.object_types)
                _reguess_common_columns(imp)
            except services.ImportProblem as exc:
                problem = str(exc)
        imp.save()
        action = request.POST.get("action", "")
        if action == "preview" and request.htmx:
            return render(request, "imports/_preview.html", _preview(imp, request.user))
        other = parse_id(action.removeprefix("file-"))
        if other is not None and any(part.pk == other for part in top.files):
            return redirect("imports:setup", other)
        if action == "start" and not problem:
            top.refresh_from_db()
            try:
                services.start(top, request.user)
            except services.ImportProblem as exc:
                problem = str(exc)
            else:
                return redirect("imports:detail", top.pk)
    return render(request, "imports/setup.html", _setup_context(request, imp, problem))


def _preview(imp, user) -> dict:
    """The first rows as they will be saved: converted, validated, formatted, what an update
    changes on the existing record (old → new; a blank cell leaves the value alone unless
    the import clears them), and what each will be associated with
    (comptoir.imports.preview). Errors read as in the error report (one translated text)."""
    sample, problem = _sample_rows(imp)
    importer = Importer(imp)
    settings = portal()
    heads = [
        {"ot": ot, "name": name, "label": localised_label(registry.definitions(ot)[name])}
        for _i, ot, name, _c in importer.columns
    ]

    def shown(defn, value) -> str:
        return format_value(defn, value, tz=settings.report_time_zone, currency=settings.currency)

    rows, converted = [], []
    for line, cells in sample:
        row = Row(line, cells)
        converted.append(row)
        collector = BatchOutcome()
        importer.convert(row, collector)
        errors = [failure_text(f.column, f.error_type, f.reason) for f in collector.failures]
        cells_out = [{"value": None} for _head in heads]
        if not row.failed:
            for ot in importer.object_types:
                values, errs = validate(
                    ot, {k: v for k, v in row.values[ot].items() if v is not None}
                )
                errors += [
                    failure_text(importer.column_of[ot].get(e.name, e.name), e.code, e.message)
                    for e in errs
                ]
                for position, head in enumerate(heads):
                    if head["ot"] == ot and head["name"] in values:
                        defn = registry.definitions(ot)[head["name"]]
                        cells_out[position]["value"] = shown(defn, values[head["name"]])
        rows.append({"line": line, "cells": cells_out, "errors": errors, "status": ""})
    for row, record in zip(rows, preview.existing_records(importer, user, converted), strict=True):
        if row["errors"]:
            continue
        if record is not None and importer.mode == Mode.CREATE:
            row["status"] = _("Exists: skipped")
        elif record is not None:
            row["status"] = _("Update")
            _show_changes(importer, record, row["cells"], heads, shown)
        elif importer.mode != Mode.UPDATE:
            row["status"] = _("New")
    link_columns = preview.link_columns(importer, user, converted) if heads else []
    for position, row in enumerate(rows):
        row["links"] = [column["targets"][position] for column in link_columns]
    width = len(heads) + len(link_columns) + 1
    return {"heads": heads, "links": link_columns, "rows": rows, "problem": problem, "width": width}


def _show_changes(importer, record, cells, heads, shown) -> None:
    """An update's cells: the old value beside the new one where it changes, the kept value
    where a blank cell leaves it alone."""
    for cell, head in zip(cells, heads, strict=True):
        if head["ot"] != importer.main or head["name"] == "hs_object_id":
            continue
        defn = registry.definitions(importer.main)[head["name"]]
        old = shown(defn, read_value(record, defn))
        new = cell["value"] or ""
        if not new and not importer.clear_empty:
            cell.update(value=old, kept=True)
        elif old != new:
            cell.update(old=old, changed=True)


_NAME_CLEAN = re.compile(r"[^a-z0-9_]+")


@require_POST
def create_property(request, pk, index):
    """A new custom property from a column, mapped to it at once."""
    from django.utils.text import slugify

    imp = _my_import(request, pk)
    if not has_right(request.user, "can_manage_settings") or imp.state != ImportState.DRAFT:
        raise Http404
    try:
        entry = imp.mapping[index]
    except IndexError:
        raise Http404 from None
    ot = request.POST.get("object_type") or imp.object_types[0]
    if ot not in imp.object_types:
        raise Http404
    kind = request.POST.get("type", "string")
    field_type = NEW_PROPERTY_TYPES.get(kind, NEW_PROPERTY_TYPES["string"])[0]
    label = (request.POST.get("label") or entry["column"]).strip()[:200]
    name = _NAME_CLEAN.sub("_", slugify(label).replace("-", "_")).strip("_")[:50] or "column"
    if not name[0].isalpha():
        name = f"p_{name}"[:50]

    try:
        create(
            ot,
            {"name": name, "label": label, "type": kind, "fieldType": field_type},
            source=ChangeSource.for_user(request.user),
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("imports:setup", imp.pk)
    entry.update(object_type=ot, property=name)
    imp.save(update_fields=["mapping"])
    messages.success(
        request, _("Property “%(label)s” created and mapped to its column.") % {"label": label}
    )
    return redirect("imports:setup", imp.pk)


# -- the import page ----------------------------------------------------------------------------


def _objects_label(imp) -> str:
    parts = imp.files
    if len(parts) == 1:
        return object_labels().get(imp.objects_choice, "")
    names = ", ".join(str(object_labels()[part.objects_choice]) for part in parts[::-1])
    return f"{object_labels()[FILES]} ({names})"


COUNTERS = ("created", "updated", "skipped", "failed", "warnings")


def _file_rows(parts) -> list[dict]:
    """Each file's counts; the main file's row holds the import's totals, less the others'."""
    rows = [{"part": part, **{c: getattr(part, c) for c in COUNTERS}} for part in parts]
    for counter in COUNTERS:
        rows[-1][counter] -= sum(row[counter] for row in rows[:-1])
    return rows


def _detail_context(request, imp) -> dict:
    parts = imp.files
    all_failures = ImportFailure.objects.filter(run__in=parts).select_related("run")
    failures = list(all_failures.order_by("-run_id", "line", "id")[:100])
    return {
        "imp": imp,
        "parts": parts if len(parts) > 1 else [],
        "file_rows": _file_rows(parts) if len(parts) > 1 else [],
        "failures": failures,
        "more_failures": all_failures.count() > len(failures),
        "objects_label": _objects_label(imp),
        "can_undo": undoable(imp) and has_right(request.user, "can_import"),
        "can_resume": imp.state == ImportState.FAILED,
        "conflicts": imp.undo_conflicts[:200],
    }


def detail(request, pk):
    imp = _my_import(request, pk)
    if imp.parent_id:
        return redirect("imports:detail", imp.parent_id)
    if imp.state == ImportState.DRAFT:
        return redirect("imports:setup", imp.pk)
    context = _detail_context(request, imp)
    if request.htmx and request.GET.get("part") == "progress":
        response = render(request, "imports/_progress.html", context)
        if not imp.busy:
            response["HX-Refresh"] = "true"  # done: show the errors and actions
        return response
    return render(request, "imports/detail.html", context)


@require_POST
def cancel(request, pk):
    imp = _my_import(request, pk)
    if imp.running:
        services.cancel(imp)
        messages.info(request, _("The import stops after the batch in progress."))
    return redirect("imports:detail", imp.pk)


@require_POST
def resume(request, pk):
    imp = _my_import(request, pk)
    try:
        services.resume(imp, request.user)
    except (services.ImportProblem, NotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect("imports:detail", imp.pk)


@require_POST
def undo(request, pk):
    imp = _my_import(request, pk)
    started = undoable(imp) or imp.state == ImportState.UNDOING
    if not started or not has_right(request.user, "can_import"):
        raise Http404
    if not undoing.start(imp, request.user):
        # A second click, or another tab, while the first undo runs.
        messages.info(request, _("This import is already being undone."))
        return redirect("imports:detail", imp.pk)
    messages.success(
        request,
        _(
            "Undo started: created records go to the recycle bin and changed values are put "
            "back. Reload this page to see the result."
        ),
    )
    return redirect("imports:detail", imp.pk)


def errors_file(request, pk):
    """The failed rows of one file (with several files, each has its own download)."""
    imp = _my_import(request, pk)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in error_rows(imp)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="errors-{imp.pk}.csv"'
    return response


def index(request):
    return redirect("settings:import_export")


# -- exports ------------------------------------------------------------------------------------


@require_POST
def export_start(request, object_type):
    ot = page_type(object_type)
    try:
        # "CSV" or "XLSX", with "-ISO" for machine-readable dates.
        file_format, _sep, dates = request.POST.get("format", "CSV").partition("-")
        export = exports.start_export(
            request.user,
            ot,
            request.POST.get("params", ""),
            file_format,
            iso_dates=dates.upper() == "ISO",
        )
    except NotAllowed:
        raise Http404 from None
    return redirect("imports:export", export.pk)


def _my_export(request, pk) -> Export:
    export = get_object_or_404(Export, pk=pk)
    if export.user_id != request.user.pk and not has_right(request.user, "can_manage_settings"):
        raise Http404
    return export


def export_detail(request, pk):
    export = _my_export(request, pk)
    context = {"export": export, "back": reverse(f"{export.object_type}:list")}
    if request.htmx:
        response = render(request, "imports/_export_status.html", context)
        if export.state in ("DONE", "FAILED"):
            response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/export.html", context)


def export_download(request, pk):
    export = _my_export(request, pk)
    if export.state != "DONE" or not export.file_path:
        raise Http404
    try:
        handle = stored_files.open_file(export.file_path)
    except FileNotFoundError:
        raise Http404 from None
    # Streamed from the storage in blocks, never read whole.
    response = FileResponse(handle, as_attachment=True, filename=export.file_name)
    response.block_size = 256 * 1024
    return response
