"""The import engine on files people really have."""

import pytest

from comptoir.core.associations.services import associated_ids
from comptoir.core.history.models import PropertyChange
from comptoir.core.properties.services import create_property
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.imports import engine, services
from comptoir.imports.models import ImportState, stall_after
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def contacts():
    return {c.email: c for c in base_queryset("contacts")}


@pytest.fixture
def french_properties():
    create_property(
        "contacts",
        {
            "name": "premier_contact",
            "label": "First contact date",
            "label_fr": "Date du premier contact",
            "type": "date",
            "fieldType": "date",
        },
    )
    create_property(
        "contacts",
        {"name": "budget", "label": "Budget", "type": "number", "fieldType": "number"},
    )


def test_french_excel_csv_windows_1252_semicolons_decimal_commas_and_dates(
    importer_user, french_properties
):
    rows = [
        ["E-mail", "Prénom", "Nom", "Entreprise", "Téléphone", "Date du premier contact", "Budget"],
        [
            "helene@exemple.fr",
            "Hélène",
            "Lefèvre",
            "Crème & Cie",
            "+33 6 12 34 56 78",
            "31/12/2024",
            "1 234,50",
        ],
        ["francois@exemple.fr", "François", "Œuvre", "Société Générale", "", "05/01/2025", "12,5"],
    ]
    data = csv_bytes(rows, delimiter=";", encoding="windows-1252")
    imp = upload(importer_user, data, "export_excel.csv")
    assert (imp.encoding, imp.delimiter, imp.decimal_comma) == ("windows-1252", ";", True)
    mapped = [entry["property"] for entry in imp.mapping]
    assert mapped == [
        "email",
        "firstname",
        "lastname",
        "company",
        "phone",
        "premier_contact",
        "budget",
    ]
    imp = run_import(imp, date_format="DAY_MONTH_YEAR")
    assert imp.state == ImportState.DONE
    assert (imp.created, imp.updated, imp.failed) == (2, 0, 0)
    helene = contacts()["helene@exemple.fr"]
    assert helene.firstname == "Hélène"
    assert helene.properties["company"] == "Crème & Cie"
    assert helene.properties["premier_contact"] == "2024-12-31"
    assert helene.properties["budget"] == 1234.5
    assert contacts()["francois@exemple.fr"].lastname == "Œuvre"
    history = PropertyChange.objects.filter(object_id=helene.pk, property="firstname").get()
    assert (history.source_type, history.source_id) == ("IMPORT", str(imp.pk))
    assert history.actor_id == importer_user.pk


def test_utf8_bom_file_maps_its_first_column(importer_user):
    data = csv_bytes([["Email", "First name"], ["ana@example.com", "Ana"]], bom=True)
    imp = upload(importer_user, data)
    assert imp.encoding == "utf-8-sig"
    assert imp.mapping[0]["property"] == "email"
    imp = run_import(imp)
    assert contacts()["ana@example.com"].firstname == "Ana"


def test_latin1_detected_when_bytes_are_not_windows_1252(importer_user):
    data = "email,firstname\r\nzoe@example.com,Zoé\x81\r\n".encode("latin-1")
    assert upload(importer_user, data).encoding == "iso-8859-1"


def test_bad_rows_are_reported_and_never_stop_the_good_ones(importer_user):
    make_user("owner@example.com", first_name="Olivia")
    rows = [
        ["Email", "First name", "Contact owner", "Job title"],
        ["good@example.com", "Good", "owner@example.com", "multi\nline, quoted"],
        ["not-an-email", "Bad", "", ""],
        ["twice@example.com", "First", "", ""],
        ["", "", "", ""],
        ["ghost@example.com", "Ghost", "nobody@example.com", ""],
        ["long@example.com", "x" * 70000, "", ""],
        ["TWICE@example.com", "Second", "", ""],
        ["last@example.com", "Last", "", ""],
    ]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert imp.state == ImportState.DONE
    found = contacts()
    assert set(found) == {"good@example.com", "twice@example.com", "last@example.com"}
    assert found["twice@example.com"].firstname == "Second"  # the later row wins
    assert found["good@example.com"].hubspot_owner_id is not None
    assert found["good@example.com"].properties["jobtitle"] == "multi\nline, quoted"
    assert (imp.created, imp.updated, imp.skipped, imp.failed) == (3, 1, 1, 3)
    failures = {f.line: f for f in imp.failures.all()}
    # Line numbers are the spreadsheet's: the quoted field spans lines 2 and 3.
    assert failures[4].column == "Email" and failures[4].error_type == "INVALID_EMAIL"
    assert failures[4].value == "not-an-email"
    assert failures[7].column == "Contact owner" and "nobody@example.com" in failures[7].reason
    assert failures[8].column == "First name" and failures[8].error_type == "TOO_LONG"
    assert failures[4].row == ["not-an-email", "Bad", "", ""]


def test_update_only_changes_records_the_user_may_edit(db):
    rep = make_user("rep@example.com", role="Sales rep")  # sees all, edits own
    boss = make_user("boss@example.com")
    mine = make_contact(email="mine@example.com", hubspot_owner_id=str(rep.owner.pk))
    theirs = make_contact(email="theirs@example.com", hubspot_owner_id=str(boss.owner.pk))
    rows = [
        ["Email", "Job title"],
        ["mine@example.com", "CEO"],
        ["theirs@example.com", "CTO"],
        ["new@example.com", "Intern"],
    ]
    imp = run_import(upload(rep, csv_bytes(rows)), mode="UPDATE")
    assert (imp.created, imp.updated, imp.skipped, imp.failed) == (0, 1, 1, 1)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.properties["jobtitle"] == "CEO"
    assert "jobtitle" not in theirs.properties
    reasons = {f.line: f.error_type for f in imp.failures.all()}
    assert reasons == {3: "NOT_ALLOWED", 4: "UPDATE_ONLY_IMPORT_NO_MATCH"}


def test_create_only_skips_existing_and_upsert_updates_by_email_and_record_id(importer_user):
    existing = make_contact(email="known@example.com", firstname="Old")
    rows = [["Email", "First name"], ["known@example.com", "New"], ["fresh@example.com", "F"]]
    imp = run_import(upload(importer_user, csv_bytes(rows)), mode="CREATE")
    assert (imp.created, imp.skipped) == (1, 1)
    existing.refresh_from_db()
    assert existing.firstname == "Old"
    rows = [["Record ID", "First name"], [str(existing.pk), "Renamed"], ["999999", "Nobody"]]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert (imp.updated, imp.failed) == (1, 1)
    existing.refresh_from_db()
    assert existing.firstname == "Renamed"


def test_unique_custom_property_deduplicates(importer_user):
    create_property(
        "contacts",
        {
            "name": "customer_code",
            "label": "Customer code",
            "type": "string",
            "fieldType": "text",
            "hasUniqueValue": True,
        },
    )
    make_contact(email="a@example.com", customer_code="C-1")
    rows = [["Customer code", "Last name"], ["C-1", "Known"], ["C-2", "New"]]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert (imp.created, imp.updated) == (1, 1)
    assert contacts()["a@example.com"].lastname == "Known"


def test_contacts_and_companies_from_one_file(importer_user):
    acme = make_company(name="Acme", domain="acme.fr")
    rows = [
        ["Email", "Prénom", "Entreprise", "Nom de domaine"],
        ["a@acme.fr", "Alice", "Acme", "acme.fr"],
        ["b@globex.fr", "Bob", "Globex", "www.globex.fr"],
        ["c@globex.fr", "Chloé", "Globex", "globex.fr"],
        ["d@solo.fr", "Dan", "", ""],
    ]
    imp = upload(importer_user, csv_bytes(rows), objects="contacts+companies")
    assert [(e["object_type"], e["property"]) for e in imp.mapping] == [
        ("contacts", "email"),
        ("contacts", "firstname"),
        ("companies", "name"),
        ("companies", "domain"),
    ]
    imp = run_import(imp)
    assert (imp.created, imp.failed) == (4, 0)
    companies = {c.domain: c for c in base_queryset("companies")}
    assert set(companies) == {"acme.fr", "globex.fr"}
    found = contacts()
    assert associated_ids("contacts", found["a@acme.fr"].pk, "companies") == [acme.pk]
    globex = companies["globex.fr"].pk
    assert associated_ids("companies", globex, "contacts") == sorted(
        [found["b@globex.fr"].pk, found["c@globex.fr"].pk]
    )
    assert found["b@globex.fr"].properties["associatedcompanyid"] == globex
    assert associated_ids("contacts", found["d@solo.fr"].pk, "companies") == []


def test_xlsx_chosen_sheet_dates_and_numbers(importer_user, french_properties):
    import datetime as dt

    data = xlsx_bytes(
        {
            "Notes": [["nothing here"]],
            "Contacts": [
                ["Email", "Date du premier contact", "Budget", "Phone"],
                ["x@example.com", dt.datetime(2024, 3, 1), 1500.25, 33612345678],
            ],
        }
    )
    imp = upload(importer_user, data, "contacts.xlsx")
    assert imp.file_format == "SPREADSHEET" and imp.sheet == "Notes"
    imp.sheet = "Contacts"
    services.read_header(imp)
    from comptoir.imports.mapping import auto_map

    imp.mapping = auto_map(imp.header, imp.object_types)
    imp = run_import(imp)
    record = contacts()["x@example.com"]
    assert record.properties["premier_contact"] == "2024-03-01"
    assert record.properties["budget"] == 1500.25
    assert record.properties["phone"] == "33612345678"


def test_month_day_year_and_tab_delimiter(importer_user, french_properties):
    rows = [["email", "premier_contact"], ["m@example.com", "12/31/2024"]]
    imp = upload(importer_user, csv_bytes(rows, delimiter="\t"))
    assert imp.delimiter == "tab"
    imp = run_import(imp, date_format="MONTH_DAY_YEAR")
    assert contacts()["m@example.com"].properties["premier_contact"] == "2024-12-31"


def test_a_worker_killed_mid_import_leaves_committed_batches_and_resumes(
    importer_user, monkeypatch
):
    rows = [["Email"]] + [[f"p{i}@example.com"] for i in range(10)]
    imp = upload(importer_user, csv_bytes(rows))
    services.start(imp, importer_user)
    calls = []

    def die_after_two(imp_, outcome):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is going away

    monkeypatch.setattr(engine, "after_batch", die_after_two)
    with pytest.raises(KeyboardInterrupt):
        engine.run(imp.pk, batch_size=3)
    imp.refresh_from_db()
    assert imp.state == ImportState.PROCESSING and imp.last_line == 7
    assert len(contacts()) == 6 and imp.created == 6
    assert services.resume_interrupted() == [] and imp.shown_state == ImportState.PROCESSING
    # Its heartbeat stops: it shows as interrupted, and the scheduler queues it again.
    from django.utils import timezone

    later = timezone.now() + 2 * stall_after()
    assert services.resume_interrupted(later) == [imp.pk]
    imp.refresh_from_db()
    assert (imp.state, imp.interrupted) == (ImportState.DEFERRED, True)
    monkeypatch.setattr(engine, "after_batch", lambda *a: None)
    engine.run(imp.pk, batch_size=3)
    imp.refresh_from_db()
    assert imp.state == ImportState.DONE
    assert (imp.created, imp.failed) == (10, 0)
    assert len(contacts()) == 10


def test_an_error_marks_the_import_failed_with_where_it_stopped(importer_user, monkeypatch):
    rows = [["Email"]] + [[f"q{i}@example.com"] for i in range(5)]
    imp = upload(importer_user, csv_bytes(rows))
    services.start(imp, importer_user)

    def broken(imp_, outcome):
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "after_batch", broken)
    with pytest.raises(RuntimeError):
        engine.run(imp.pk, batch_size=2)
    imp.refresh_from_db()
    assert imp.state == ImportState.FAILED
    assert imp.error_message == "Stopped after line 3: disk full"
    monkeypatch.setattr(engine, "after_batch", lambda *a: None)
    services.resume(imp, importer_user)
    engine.run(imp.pk, batch_size=2)
    imp.refresh_from_db()
    assert (imp.state, imp.created) == (ImportState.DONE, 5)


def test_cancel_stops_between_batches(importer_user, monkeypatch):
    rows = [["Email"]] + [[f"c{i}@example.com"] for i in range(6)]
    imp = upload(importer_user, csv_bytes(rows))
    services.start(imp, importer_user)
    monkeypatch.setattr(engine, "after_batch", lambda imp_, o: services.cancel(imp_))
    engine.run(imp.pk, batch_size=2)
    imp.refresh_from_db()
    assert imp.state == ImportState.CANCELED
    assert imp.created == 2 and len(contacts()) == 2


def test_users_without_the_import_right_cannot_import(db):
    from comptoir.core.permissions import NotAllowed
    from comptoir.users.models import Role

    Role.objects.filter(name="Sales rep").update(can_import=False)
    rep = make_user("norights@example.com", role="Sales rep")
    with pytest.raises(NotAllowed):
        upload(rep, csv_bytes([["Email"], ["a@example.com"]]))


def test_deals_with_french_stage_labels_amounts_dates_and_owner(importer_user):
    owner = make_user("vendeur@example.com", first_name="Victor")
    rows = [
        [
            "Nom de la transaction",
            "Étape de la transaction",
            "Montant",
            "Date de fermeture",
            "Propriétaire",
        ],
        ["Contrat Acme", "Qualifié pour l'achat", "12 500,50", "15/03/2026", "vendeur@example.com"],
        ["Contrat Globex", "Étape inconnue", "1 000", "01/04/2026", ""],
    ]
    imp = upload(importer_user, csv_bytes(rows, delimiter=";"), objects="deals")
    assert [m["property"] for m in imp.mapping] == [
        "dealname",
        "dealstage",
        "amount",
        "closedate",
        "hubspot_owner_id",
    ]
    imp = run_import(imp)
    assert (imp.created, imp.failed) == (1, 1)
    deal = base_queryset("deals").get()
    assert (deal.dealname, deal.dealstage, str(deal.amount)) == (
        "Contrat Acme",
        "qualifiedtobuy",
        "12500.50",
    )
    assert deal.closedate.date().isoformat() == "2026-03-15"
    assert deal.hubspot_owner_id == owner.owner.pk
    assert imp.failures.get().error_type == "INVALID_OPTION"
