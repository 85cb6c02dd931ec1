"""An import treats a record the importer may not see as missing, exactly as the API does:
it never links a row to it and never names it (issue 13)."""

import pytest

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import purge_records
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload, upload_files
from comptoir.users.tests.helpers import two_private_reps

pytestmark = pytest.mark.django_db


@pytest.fixture
def reps():
    return two_private_reps()


def _failures(imp):
    return [(f.line, f.error_type, f.reason, f.warning) for f in imp.failures.order_by("line")]


def test_an_import_never_links_a_contact_to_a_company_it_may_not_see_by_name(reps):
    theirs = reps["Bbb"]["company"]

    def run(email):
        rows = [["Email", "Company name"], [email, "Bbb Corp"]]
        imp = run_import(upload(reps["alice"], csv_bytes(rows), objects="contacts+companies"))
        contact = base_queryset("contacts").get(email=email)
        (company,) = associated_ids("contacts", contact.pk, "companies")
        return imp, company

    imp, company = run("one@example.com")
    assert company != theirs.pk and (imp.created, imp.failed) == (1, 0)
    assert base_queryset("companies").get(pk=company).hubspot_owner_id == reps["alice"].owner.pk
    assert associated_ids("companies", theirs.pk, "contacts") == []
    purge_records("companies", [theirs.pk])
    again, _ = run("two@example.com")
    assert (again.created, again.failed, _failures(again)) == (1, 0, _failures(imp))


def test_an_import_refuses_another_reps_domain_as_the_api_does(reps):
    theirs = reps["Bbb"]["company"]
    rows = [["Email", "Company domain"], ["one@example.com", theirs.domain]]
    imp = run_import(upload(reps["alice"], csv_bytes(rows), objects="contacts+companies"))
    ((line, kind, reason, warning),) = _failures(imp)
    assert (line, kind, warning) == (2, "DUPLICATE_VALUE", False)
    assert reason == f"'{theirs.domain}' already belongs to another company"
    assert associated_ids("companies", theirs.pk, "contacts") == []


def test_a_linked_file_never_reaches_a_company_the_importer_may_not_see(reps):
    theirs = reps["Bbb"]["company"]

    def run(email):
        contacts = [["E-mail", "Company domain"], [email, theirs.domain]]
        companies = [["Company domain", "Nom de l'entreprise"], ["other.fr", "Other"]]
        imp = upload_files(
            reps["alice"],
            {
                "contacts": ("contacts.csv", csv_bytes(contacts)),
                "companies": ("entreprises.csv", csv_bytes(companies)),
            },
        )
        return run_import(imp)

    imp = run("one@example.com")
    found = _failures(imp)
    assert found[0][1:] == (
        "ASSOCIATION_NOT_FOUND",
        "no company has this domain (in entreprises.csv or already in the CRM): "
        "the row is imported without its company",
        True,
    )
    one = base_queryset("contacts").get(email="one@example.com")
    assert associated_ids("contacts", one.pk, "companies") == []
    purge_records("companies", [theirs.pk])
    assert _failures(run("two@example.com")) == found
