"""Undo, the errors file and exports."""

import csv
import io

import pytest
from openpyxl import load_workbook

from comptoir.core.files.stored import local_path
from comptoir.core.permissions import NotAllowed
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import UI, make_contact, make_user
from comptoir.imports import exports
from comptoir.imports.errorfile import error_rows
from comptoir.imports.models import ExportState, ImportState
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload
from comptoir.imports.undo import undo

pytestmark = pytest.mark.django_db


def test_undo_archives_created_records_and_puts_back_values_unless_changed_since(
    importer_user,
):
    kept = make_contact(email="kept@example.com", firstname="Avant", jobtitle="Stagiaire")
    touched = make_contact(email="touched@example.com", firstname="Avant")
    rows = [
        ["Email", "First name", "Job title"],
        ["kept@example.com", "Après", "CEO"],
        ["touched@example.com", "Après", ""],
        ["new@example.com", "Nouveau", ""],
    ]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert (imp.created, imp.updated) == (1, 2)
    update_record("contacts", touched.pk, {"firstname": "Changé"}, source=UI)

    conflicts = undo(imp, importer_user)

    assert imp.state == ImportState.REVERTED
    kept.refresh_from_db()
    touched.refresh_from_db()
    assert (kept.firstname, kept.properties["jobtitle"]) == ("Avant", "Stagiaire")
    assert touched.firstname == "Changé"
    assert conflicts == [
        {"object_type": "contacts", "id": touched.pk, "property": "firstname", "value": "Après"}
    ]
    assert not base_queryset("contacts").filter(email="new@example.com").exists()
    assert base_queryset("contacts", archived=True).filter(email="new@example.com").exists()


def test_errors_file_has_the_failed_rows_and_an_error_column_ready_to_reimport(importer_user):
    rows = [["E-mail", "Prénom"], ["bad-email", "Zoé"], ["ok@example.com", "Ok"]]
    data = csv_bytes(rows, delimiter=";", encoding="windows-1252")
    imp = run_import(upload(importer_user, data))
    text = "".join(error_rows(imp))
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert parsed[0] == ["E-mail", "Prénom", "Error"]
    assert parsed[1][:2] == ["bad-email", "Zoé"]
    assert parsed[1][2].startswith("E-mail: ") and "(line 2)" in parsed[1][2]
    assert len(parsed) == 2
    fixed = [parsed[0][:2], ["good@example.com", "Zoé"]]
    again = run_import(upload(importer_user, csv_bytes(fixed, delimiter=";")))
    assert again.created == 1


def _run_export(user, params, fmt):
    export = exports.start_export(user, "contacts", params, fmt)
    exports.run(export.pk)
    export.refresh_from_db()
    return export


def test_export_follows_the_list_filters_and_what_the_user_may_see(db):
    rep = make_user("seller@example.com", role="Sales manager")
    other = make_user("other@example.com")
    make_contact(
        email="a@example.com",
        firstname="Alice",
        lastname="Arnaud",
        hubspot_owner_id=str(rep.owner.pk),
    )
    make_contact(
        email="b@example.com",
        firstname="Bruno",
        lastname="Bernard",
        hubspot_owner_id=str(other.owner.pk),
    )
    make_contact(email="c@example.com", firstname="Chloé", lastname="Colin")
    export = _run_export(rep, "q=alice", "CSV")
    assert export.state == ExportState.DONE and export.row_count == 1
    with open(local_path(export.file_path), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["Name", "Email"]
    assert rows[1][:2] == ["Alice Arnaud", "a@example.com"]

    export = _run_export(rep, "", "XLSX")
    sheet = load_workbook(local_path(export.file_path), read_only=True).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["Alice Arnaud", "Bruno Bernard", "Chloé Colin"]


def test_export_needs_the_right_and_respects_view_scopes(db):
    private = make_user("private@example.com", role="Sales rep – private")  # noqa: RUF001
    with pytest.raises(NotAllowed):
        exports.start_export(private, "contacts", "", "CSV")
    from comptoir.users.models import Role

    Role.objects.filter(name="Sales rep – private").update(can_export=True)  # noqa: RUF001
    from comptoir.core.properties import registry

    registry.invalidate()
    make_contact(email="mine@example.com", hubspot_owner_id=str(private.owner.pk))
    make_contact(email="notmine@example.com")
    export = _run_export(private, "", "CSV")
    assert export.row_count == 1


def test_reasons_are_in_french_for_french_users(importer_user):
    from django.utils import translation

    rows = [["Email", "Contact owner"], ["a@example.com", "personne@example.com"], ["bad", ""]]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    with translation.override("fr"):
        text = "".join(error_rows(imp))
    assert "Aucun utilisateur n'a cette adresse e-mail" in text
    assert "Saisissez une adresse e-mail valide." in text and "(ligne 3)" in text


def test_the_user_is_told_when_the_export_is_ready(db, django_capture_on_commit_callbacks):
    from comptoir.notifications.models import Notification

    rep = make_user("seller@example.com", role="Sales manager")
    make_contact(email="a@example.com", firstname="Alice", lastname="Arnaud")
    with django_capture_on_commit_callbacks(execute=True):
        export = _run_export(rep, "", "CSV")
    notice = Notification.objects.get(recipient=rep)
    assert notice.kind == "export_ready" and notice.unread and notice.in_app
    assert notice.url == f"/imports/exports/{export.pk}/"
    assert notice.title == f"Your export {export.file_name} is ready to download"
