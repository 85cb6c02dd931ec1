"""Blank cells of an import (issue 14, point 1): by default an update leaves the record's
value alone, as HubSpot does; "clear values for empty cells" is an explicit choice; the
preview says what an update changes (old → new) and, in French, why a row is refused in the
same words as the error report (point 10)."""

import pytest

from comptoir.core.history.models import PropertyChange
from comptoir.core.testing.factories import make_company, make_contact
from comptoir.core.testing.html import parse, table_rows
from comptoir.imports.errorfile import error_rows
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload

pytestmark = pytest.mark.django_db

ROWS = [
    ["Email", "First name", "Lifecycle stage", "Job title"],
    ["lea@acme.fr", "Léa", "", "CEO"],
]


def test_a_blank_cell_leaves_the_existing_value_alone(importer_user):
    lea = make_contact(email="lea@acme.fr", firstname="Lea", lifecyclestage="subscriber")

    imp = run_import(upload(importer_user, csv_bytes(ROWS)))

    assert imp.updated == 1
    lea.refresh_from_db()
    assert (lea.firstname, lea.lifecyclestage, lea.properties["jobtitle"]) == (
        "Léa",
        "subscriber",
        "CEO",
    )
    changed = PropertyChange.objects.filter(object_id=lea.pk, source_id=str(imp.pk))
    assert set(changed.values_list("property", flat=True)) == {"firstname", "jobtitle"}


def test_clearing_values_for_empty_cells_is_an_explicit_choice(importer_user):
    lea = make_contact(email="lea@acme.fr", firstname="Lea", lifecyclestage="subscriber")

    run_import(upload(importer_user, csv_bytes(ROWS)), clear_empty=True)

    lea.refresh_from_db()
    assert lea.lifecyclestage in (None, "")


def test_a_blank_company_cell_leaves_the_company_alone(importer_user):
    acme = make_company(name="Acme", domain="acme.fr", city="Lyon")
    rows = [["Email", "Company domain", "City"], ["lea@acme.fr", "acme.fr", ""]]
    mapping = {"City": "companies:city"}
    imp = upload(importer_user, csv_bytes(rows), objects="contacts+companies")
    for entry in imp.mapping:
        if entry["column"] in mapping:
            ot, name = mapping[entry["column"]].split(":")
            entry.update(object_type=ot, property=name)

    run_import(imp)

    acme.refresh_from_db()
    assert acme.properties.get("city") == "Lyon"


def _preview(client, imp):
    response = client.post(
        f"/imports/{imp.pk}/setup/", {"action": "preview"}, HTTP_HX_REQUEST="true"
    )
    return parse(response.content.decode())


def test_the_preview_shows_what_an_update_changes(client, importer_user):
    make_contact(email="lea@acme.fr", firstname="Lea", lifecyclestage="subscriber")
    rows = [*ROWS, ["new@acme.fr", "Nina", "Lead", ""]]
    imp = upload(importer_user, csv_bytes(rows))
    client.force_login(importer_user)

    html = _preview(client, imp)

    lea, nina = table_rows(html)[1:]
    assert lea[:5] == ["2", "Update", "lea@acme.fr", "Lea → Léa", "Subscriber"]
    assert lea[5] == "(empty) → CEO"
    assert nina[:5] == ["3", "New", "new@acme.fr", "Nina", "Lead"]
    kept = html.select("span.muted")
    assert [k.text.strip() for k in kept] == ["Subscriber"]

    imp.clear_empty = True
    imp.save()
    lea = table_rows(_preview(client, imp))[1]
    assert lea[4] == "Subscriber → (empty)"


def test_the_preview_and_the_error_report_give_one_french_message(client, importer_user):
    from comptoir.users.models import User

    User.objects.filter(pk=importer_user.pk).update(language="fr")
    rows = [["E-mail", "Prénom"], ["pas-un-email", "Zoé"]]
    imp = upload(importer_user, csv_bytes(rows))
    client.force_login(importer_user)

    alert = _preview(client, imp).select_one("[role=alert]").text.strip()

    assert alert == "E-mail\u00a0: Saisissez une adresse e-mail valide."
    run_import(imp)
    from django.utils import translation

    with translation.override("fr"):
        report = "".join(error_rows(imp))
    assert f"{alert} (ligne 2)" in report
