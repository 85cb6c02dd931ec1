"""Several files joined by a common column: a contacts file and a companies file (or deals
with their contacts), each one object, linked by a column both files have."""

import pytest
from django.utils import timezone

from comptoir.core.associations.services import associated_ids
from comptoir.core.history.models import PropertyChange
from comptoir.core.properties.services import create_property
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact
from comptoir.imports import engine, services
from comptoir.imports.errorfile import error_rows
from comptoir.imports.models import ImportFailure, ImportState, stall_after
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload_files
from comptoir.imports.undo import undo

pytestmark = pytest.mark.django_db

COMPANIES = [
    ["Nom de l'entreprise", "Company domain", "Ville"],
    ["Globex", "globex.fr", "Lyon"],
    ["Initech", "initech.fr", "Nantes"],
    ["Sans domaine", "pas un domaine", "Lille"],
]
CONTACTS = [
    ["E-mail", "Prénom", "Company domain"],
    ["ana@globex.fr", "Ana", "globex.fr"],
    ["ben@globex.fr", "Ben", "www.globex.fr"],
    ["carl@acme.fr", "Carl", "acme.fr"],
    ["dora@nowhere.fr", "Dora", "nowhere.fr"],
    ["eve@solo.fr", "Eve", ""],
    ["pas-un-email", "Zoé", "initech.fr"],
]


def two_files(user, contacts=CONTACTS, companies=COMPANIES):
    return upload_files(
        user,
        {
            "contacts": ("contacts.csv", csv_bytes(contacts, delimiter=";")),
            "companies": ("entreprises.csv", csv_bytes(companies)),
        },
    )


def by_email():
    return {c.email: c for c in base_queryset("contacts")}


def by_domain():
    return {c.domain: c for c in base_queryset("companies")}


def test_contacts_are_associated_with_the_companies_of_the_other_file_or_the_crm(
    importer_user,
):
    acme = make_company(name="Acme", domain="acme.fr")  # already in the CRM
    imp = two_files(importer_user)
    (linked,) = imp.linked_files.all()
    # Each file is read and mapped on its own; the common column is guessed from the headers.
    assert (imp.objects_choice, linked.objects_choice) == ("contacts", "companies")
    assert (imp.delimiter, linked.delimiter) == (";", ",")
    assert [e["property"] for e in linked.mapping] == ["name", "domain", "city"]
    assert (imp.mapping[2]["property"], linked.main_column, linked.common_column) == (
        "",
        "Company domain",
        "Company domain",
    )

    imp = run_import(imp)

    assert imp.state == ImportState.DONE
    companies = by_domain()
    assert set(companies) == {"globex.fr", "initech.fr", "acme.fr"}
    contacts = by_email()
    assert sorted(contacts) == [
        "ana@globex.fr",
        "ben@globex.fr",
        "carl@acme.fr",
        "dora@nowhere.fr",
        "eve@solo.fr",
    ]
    globex = companies["globex.fr"].pk
    assert associated_ids("companies", globex, "contacts") == sorted(
        [contacts["ana@globex.fr"].pk, contacts["ben@globex.fr"].pk]
    )
    assert contacts["ana@globex.fr"].properties["associatedcompanyid"] == globex
    assert associated_ids("contacts", contacts["carl@acme.fr"].pk, "companies") == [acme.pk]
    assert associated_ids("contacts", contacts["dora@nowhere.fr"].pk, "companies") == []
    assert associated_ids("contacts", contacts["eve@solo.fr"].pk, "companies") == []

    # Counters add up both files; each file keeps its own.
    assert (imp.created, imp.updated, imp.failed, imp.warnings) == (7, 0, 2, 1)
    linked.refresh_from_db()
    assert (linked.created, linked.failed, linked.state) == (2, 1, ImportState.DONE)
    failures = {(f.run.file_name, f.line): f for f in ImportFailure.objects.all()}
    assert failures["entreprises.csv", 4].error_type == "INVALID_DOMAIN"
    assert failures["contacts.csv", 7].error_type == "INVALID_EMAIL"
    warning = failures["contacts.csv", 5]
    assert warning.warning and warning.column == "Company domain"
    assert warning.value == "nowhere.fr" and "without its company" in warning.reason
    # One history source for every file: the import.
    change = PropertyChange.objects.get(object_id=globex, property="city")
    assert (change.source_type, change.source_id) == ("IMPORT", str(imp.pk))
    # The errors file of each file has its own rows and columns; warnings are not in it.
    assert "".join(error_rows(imp)).count("\r\n") == 2
    assert "pas un domaine" in "".join(error_rows(linked))


def test_undo_takes_back_the_records_of_both_files(importer_user):
    imp = run_import(two_files(importer_user))
    undo(imp, importer_user)
    assert imp.state == ImportState.REVERTED
    assert not base_queryset("contacts").exists()
    assert not base_queryset("companies").exists()


def test_existing_records_are_updated_and_associated(importer_user):
    globex = make_company(name="Globex", domain="globex.fr", city="Paris")
    ana = make_contact(email="ana@globex.fr", firstname="Anne")
    imp = run_import(two_files(importer_user, contacts=CONTACTS[:2]), mode="UPDATE")
    # Initech is not in the CRM: update only skips it; the bad domain is an error.
    assert (imp.created, imp.updated, imp.skipped, imp.failed) == (0, 2, 1, 1)
    globex.refresh_from_db()
    ana.refresh_from_db()
    assert (globex.properties["city"], ana.firstname) == ("Lyon", "Ana")
    assert associated_ids("contacts", ana.pk, "companies") == [globex.pk]


def test_a_worker_killed_in_either_file_resumes_each_after_its_own_last_line(
    importer_user, monkeypatch
):
    companies = [["Company domain"]] + [[f"c{i}.fr"] for i in range(5)]
    contacts = [["Email", "Company domain"]] + [[f"p{i}@c{i}.fr", f"c{i}.fr"] for i in range(5)]
    imp = two_files(importer_user, contacts=contacts, companies=companies)
    linked = imp.linked_files.get()
    services.start(imp, importer_user)
    calls = []

    def die_at(*numbers):
        def hook(imp_, outcome):
            calls.append(1)
            if len(calls) in numbers:
                raise KeyboardInterrupt

        return hook

    def stall_and_resume():
        assert services.resume_interrupted(timezone.now() + 2 * stall_after()) == [imp.pk]

    monkeypatch.setattr(engine, "after_batch", die_at(1))  # in the companies file
    with pytest.raises(KeyboardInterrupt):
        engine.run(imp.pk, batch_size=2)
    linked.refresh_from_db()
    assert (linked.last_line, linked.created, base_queryset("companies").count()) == (3, 2, 2)
    stall_and_resume()
    monkeypatch.setattr(engine, "after_batch", die_at(4))  # companies done, then contacts
    with pytest.raises(KeyboardInterrupt):
        engine.run(imp.pk, batch_size=2)
    imp.refresh_from_db()
    linked.refresh_from_db()
    assert (linked.state, linked.last_line) == (ImportState.DONE, 6)
    assert (imp.last_line, base_queryset("contacts").count()) == (3, 2)
    stall_and_resume()
    monkeypatch.setattr(engine, "after_batch", lambda *a: None)
    engine.run(imp.pk, batch_size=2)
    imp.refresh_from_db()
    assert (imp.state, imp.created, imp.warnings, imp.progress) == (ImportState.DONE, 10, 0, 100)
    for email, contact in by_email().items():
        (company,) = associated_ids("contacts", contact.pk, "companies")
        assert base_queryset("companies").get(pk=company).domain == email.split("@")[1]


def test_cancel_stops_in_the_linked_file(importer_user, monkeypatch):
    companies = [["Company domain"]] + [[f"c{i}.fr"] for i in range(6)]
    imp = two_files(importer_user, companies=companies)
    services.start(imp, importer_user)
    monkeypatch.setattr(engine, "after_batch", lambda imp_, o: services.cancel(imp_))
    engine.run(imp.pk, batch_size=2)
    imp.refresh_from_db()
    assert imp.state == ImportState.CANCELED
    assert (imp.created, base_queryset("companies").count()) == (2, 2)
    assert not base_queryset("contacts").exists()


def test_deals_with_their_contacts_linked_by_email(importer_user):
    lea = make_contact(email="lea@acme.fr", firstname="Léa")
    imp = upload_files(
        importer_user,
        {
            "deals": (
                "deals.csv",
                csv_bytes(
                    [
                        ["Nom de la transaction", "Étape", "Montant", "Email"],
                        ["Contrat Globex", "appointmentscheduled", "1000", "max@globex.fr"],
                        ["Contrat Acme", "closedwon", "500", "LEA@acme.fr"],
                    ]
                ),
            ),
            "contacts": (
                "contacts.csv",
                csv_bytes([["Email", "First name"], ["max@globex.fr", "Max"]]),
            ),
        },
    )
    linked = imp.linked_files.get()
    assert (linked.main_column, linked.common_column) == ("Email", "Email")
    imp = run_import(imp)
    assert (imp.created, imp.warnings, imp.failed) == (3, 0, 0)
    deals = {d.dealname: d for d in base_queryset("deals")}
    assert associated_ids("deals", deals["Contrat Acme"].pk, "contacts") == [lea.pk]
    max_ = by_email()["max@globex.fr"]
    assert associated_ids("contacts", max_.pk, "deals") == [deals["Contrat Globex"].pk]


def test_a_unique_custom_property_joins_the_files(importer_user):
    """A key stored in the JSON column is compared in its canonical form (a number)."""
    create_property(
        "companies",
        {
            "name": "siren",
            "label": "SIREN",
            "type": "number",
            "fieldType": "number",
            "hasUniqueValue": True,
        },
    )
    known = make_company(name="Connue", siren=552100554)
    imp = upload_files(
        importer_user,
        {
            "contacts": (
                "contacts.csv",
                csv_bytes(
                    [
                        ["Email", "SIREN"],
                        ["ana@globex.fr", "732829320"],
                        ["ben@connue.fr", "552 100 554"],
                        ["dora@nowhere.fr", "999999999"],
                    ]
                ),
            ),
            "companies": (
                "entreprises.csv",
                csv_bytes([["Company name", "SIREN"], ["Globex", "732829320"]]),
            ),
        },
    )
    linked = imp.linked_files.get()
    assert (linked.main_column, linked.common_column) == ("SIREN", "SIREN")
    imp = run_import(imp)
    assert (imp.created, imp.warnings, imp.failed) == (4, 1, 0)
    globex = base_queryset("companies").get(name="Globex")
    contacts = by_email()
    assert associated_ids("contacts", contacts["ana@globex.fr"].pk, "companies") == [globex.pk]
    assert associated_ids("contacts", contacts["ben@connue.fr"].pk, "companies") == [known.pk]
    assert associated_ids("contacts", contacts["dora@nowhere.fr"].pk, "companies") == []


def test_the_common_column_must_identify_the_records_of_the_linked_file(importer_user):
    imp = two_files(importer_user)
    linked = imp.linked_files.get()
    linked.common_column = "Ville"
    linked.save()
    with pytest.raises(services.ImportProblem) as caught:
        services.start(imp, importer_user)
    assert "“Ville” of entreprises.csv must be mapped to a property that identifies" in str(
        caught.value
    )
    linked.common_column = "Company domain"
    linked.main_column = ""
    linked.save()
    with pytest.raises(services.ImportProblem, match=r"column of contacts\.csv that matches"):
        services.start(imp, importer_user)
    with pytest.raises(services.ImportProblem, match="at least two"):
        upload_files(importer_user, {"contacts": ("c.csv", csv_bytes(CONTACTS))})
