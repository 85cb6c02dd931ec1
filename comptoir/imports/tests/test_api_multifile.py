"""crm.imports with two files joined by a common column, through the official SDK (the
SDK sends one `files` part per path of the list)."""

import json

import pytest
from hubspot.crm.imports import ApiException

from comptoir.core.associations.models import Association
from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company
from comptoir.imports.models import Import
from comptoir.imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def column(name, type_id, prop, **extra):
    return {"columnName": name, "columnObjectTypeId": type_id, "propertyName": prop, **extra}


def file_entry(name, *mappings):
    return {
        "fileName": name,
        "fileFormat": "CSV",
        "fileImportPage": {"hasHeader": True, "columnMappings": list(mappings)},
    }


@pytest.fixture
def files(tmp_path):
    def write(name, rows):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return str(path)

    contacts = write(
        "contacts.csv",
        [
            ["Email", "First Name", "Company domain"],
            ["ana@globex.fr", "Ana", "globex.fr"],
            ["carl@acme.fr", "Carl", "acme.fr"],
            ["dora@nowhere.fr", "Dora", "nowhere.fr"],
        ],
    )
    companies = write(
        "companies.csv",
        [["Company name", "Company domain"], ["Globex", "globex.fr"], ["Broken", "not a domain"]],
    )
    return contacts, companies


def test_two_files_with_to_column_object_type_id_and_foreign_key_type(hubspot, files, run_worker):
    acme = make_company(name="Acme", domain="acme.fr")
    request = {
        "name": "Salon, deux fichiers",
        "importOperations": {"0-1": "UPSERT", "0-2": "UPSERT"},
        "files": [
            file_entry(
                "contacts.csv",
                column("Email", "0-1", "email"),
                column("First Name", "0-1", "firstname"),
                {
                    "columnName": "Company domain",
                    "propertyName": None,
                    "toColumnObjectTypeId": "0-2",
                    "foreignKeyType": {
                        "associationTypeId": 279,
                        "associationCategory": "HUBSPOT_DEFINED",
                    },
                },
            ),
            file_entry(
                "companies.csv",
                column("Company name", "0-2", "name"),
                column("Company domain", "0-2", "domain", columnType="HUBSPOT_ALTERNATE_ID"),
            ),
        ],
    }
    created = hubspot.crm.imports.core_api.create(
        files=list(files), import_request=json.dumps(request)
    )
    assert created.state == "STARTED"
    assert sorted(created.mapped_object_type_ids) == ["0-1", "0-2"]
    run_worker()
    done = hubspot.crm.imports.core_api.get_by_id(created.id)
    assert done.state == "DONE"
    counters = done.metadata.counters
    assert (counters["CREATED_OBJECTS"], counters["ERRORS"]) == (4, 1)
    main = Import.objects.get(pk=created.id)
    linked = main.linked_files.get()
    assert done.metadata.file_ids == [str(linked.pk), str(main.pk)]

    contacts = {c.email: c for c in base_queryset("contacts")}
    globex = base_queryset("companies").get(domain="globex.fr")
    assert associated_ids("contacts", contacts["ana@globex.fr"].pk, "companies") == [globex.pk]
    assert associated_ids("contacts", contacts["carl@acme.fr"].pk, "companies") == [acme.pk]
    assert associated_ids("contacts", contacts["dora@nowhere.fr"].pk, "companies") == []
    link = Association.objects.get(from_type="contacts", from_id=contacts["ana@globex.fr"].pk)
    assert link.type_id == 279  # the foreignKeyType asked for

    errors = hubspot.crm.imports.public_imports_api.get_errors(
        created.id, include_error_message=True, include_row_data=True
    )
    found = {e.error_type: e for e in errors.results}
    assert set(found) == {"INVALID_DOMAIN", "ASSOCIATION_RECORD_NOT_FOUND"}
    bad = found["INVALID_DOMAIN"].source_data
    assert (bad.file_id, bad.line_number) == (linked.pk, 3)
    assert bad.row_data == ["Broken", "not a domain"]
    missing = found["ASSOCIATION_RECORD_NOT_FOUND"]
    assert (missing.source_data.file_id, missing.source_data.line_number) == (main.pk, 4)
    assert missing.known_column_number == 3 and missing.invalid_value == "nowhere.fr"


def test_the_common_column_mapped_to_the_other_objects_property(hubspot, files, run_worker):
    contacts_path, companies_path = files
    request = {
        "name": "Mapped to the company's domain",
        "files": [
            file_entry(
                "companies.csv",
                column("Company name", "0-2", "name"),
                column("Company domain", "0-2", "domain"),
            ),
            file_entry(
                "contacts.csv",
                column("Email", "0-1", "email"),
                column("Company domain", "0-2", "domain"),
            ),
        ],
    }
    # The parts come in another order than the entries: matched by file name.
    created = hubspot.crm.imports.core_api.create(
        files=[contacts_path, companies_path], import_request=json.dumps(request)
    )
    main = Import.objects.get(pk=created.id)
    linked = main.linked_files.get()
    assert (main.file_name, linked.file_name) == ("contacts.csv", "companies.csv")
    assert (linked.main_column, linked.common_column) == ("Company domain", "Company domain")
    assert main.mapping[2]["property"] == ""  # the common column is not a contact property
    run_worker()
    assert hubspot.crm.imports.core_api.get_by_id(created.id).state == "DONE"
    ana = base_queryset("contacts").get(email="ana@globex.fr")
    globex = base_queryset("companies").get(domain="globex.fr")
    assert ana.properties["associatedcompanyid"] == globex.pk  # the primary company


def test_bad_multi_file_requests(hubspot, files):
    contacts_path, companies_path = files
    request = {
        "files": [
            file_entry(
                "contacts.csv",
                column("Email", "0-1", "email"),
                column("Company domain", "0-2", "domain"),
            ),
            file_entry("companies.csv", column("Company name", "0-2", "name")),
        ]
    }
    with pytest.raises(ApiException) as caught:
        hubspot.crm.imports.core_api.create(files=contacts_path, import_request=json.dumps(request))
    assert caught.value.status == 400
    assert "one `files` part per entry" in json.loads(caught.value.body)["message"]
    with pytest.raises(ApiException) as caught:
        hubspot.crm.imports.core_api.create(
            files=[contacts_path, companies_path], import_request=json.dumps(request)
        )
    assert caught.value.status == 400
    message = json.loads(caught.value.body)["message"]
    assert message == "choose the common column of companies.csv"


def test_hubspots_example_companies_pointing_at_their_contacts_by_email(
    hubspot, tmp_path, run_worker
):
    """The imports guide's example: the companies file's Email column names contacts."""
    contacts = tmp_path / "contact-import-file.csv"
    contacts.write_bytes(csv_bytes([["First name", "Email"], ["Ana", "ana@globex.fr"]]))
    companies = tmp_path / "company-import-file.csv"
    companies.write_bytes(
        csv_bytes(
            [
                ["Company name", "Company domain name", "Email"],
                ["Globex", "globex.fr", "ana@globex.fr"],
            ]
        )
    )
    request = {
        "name": "Contact Company import",
        "dateFormat": "YEAR_MONTH_DAY",
        "files": [
            file_entry(
                "contact-import-file.csv",
                column("First name", "0-1", "firstname"),
                column("Email", "0-1", "email"),
            ),
            file_entry(
                "company-import-file.csv",
                column("Company name", "0-2", "name"),
                column("Company domain name", "0-2", "domain", columnType="HUBSPOT_ALTERNATE_ID"),
                {
                    "columnName": "Email",
                    "propertyName": None,
                    "toColumnObjectTypeId": "0-1",
                    "foreignKeyType": {
                        "associationTypeId": 280,
                        "associationCategory": "HUBSPOT_DEFINED",
                    },
                },
            ),
        ],
    }
    created = hubspot.crm.imports.core_api.create(
        files=[str(contacts), str(companies)], import_request=json.dumps(request)
    )
    run_worker()
    done = hubspot.crm.imports.core_api.get_by_id(created.id)
    assert (done.state, done.metadata.counters["CREATED_OBJECTS"]) == ("DONE", 2)
    globex = base_queryset("companies").get(domain="globex.fr")
    ana = base_queryset("contacts").get(email="ana@globex.fr")
    assert associated_ids("companies", globex.pk, "contacts") == [ana.pk]
