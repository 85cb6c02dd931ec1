"""Shared tests every object type passes (NetBox-style), parametrised over the registry.

A test module subclasses these classes (`class TestListPage(ListPageTests): pass`); each
test then runs once per registered type it applies to: the built-in ones and any type an
app adds (the test-only "projects" type of core/testing/projects proves that a new type
gets its pages, search, API, permissions and imports without code of its own). Records
are made through the real services with `sample_properties()`, derived from the type's
facts (its required and name properties) and its definitions, never from a per-type table.
"""

import csv
import itertools
import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from comptoir.core.objects.registry import (
    OBJECT_TYPES,
    crm_types,
    get_object_type,
    import_types,
    page_types,
)
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import to_api_string
from comptoir.core.properties.errors import RecordNotFound
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import display_name, read_value
from comptoir.core.records.writes import archive_record, create_record, restore_record
from comptoir.core.search.compiler import search
from comptoir.core.testing.factories import UI, make_user
from comptoir.core.testing.html import select, select_one, text_of
from comptoir.core.ui.fields import make_field
from comptoir.imports import engine, exports, services
from comptoir.imports.models import Export, ExportState
from comptoir.users.services import create_token

_seq = itertools.count(1)


def _ids(types) -> list[str]:
    return [ot.name for ot in types]


def each(types):
    """Parametrise a test over object types, named after them."""
    types = tuple(types)
    return pytest.mark.parametrize("ot", types, ids=_ids(types))


def _choice(defn) -> str:
    choices = [value for value, _label in make_field(defn, None, "UTC").choices if value]
    return choices[0]


# A valid value of each property type, as a user would type or pick it.
_SAMPLES = {
    "enumeration": lambda ot, defn, n: _choice(defn),
    "datetime": lambda ot, defn, n: "2030-01-15T10:00:00Z",
    "date": lambda ot, defn, n: "2030-01-15",
    "number": lambda ot, defn, n: str(n),
    "bool": lambda ot, defn, n: "true",
}


def _sample(ot, defn, n: int):
    if defn.name == "email":
        return f"sample{n}@example.com"
    text = _SAMPLES.get(str(defn.type))
    return text(ot, defn, n) if text else f"Sample {ot.singular} {n}"


def sample_properties(ot, **given) -> dict:
    """The properties of a valid new record: its required ones and its name."""
    defs = registry.definitions(ot)
    n = next(_seq)
    names = [*ot.required_all, *ot.required_any[:1], *ot.display_properties[:1]]
    if ot.pages is not None:
        names.append(ot.pages.name_property)
    props = {name: _sample(ot, defs[name], n) for name in dict.fromkeys(names)}
    props.update(given)
    return props


def make_record(ot, source=UI, **given):
    return create_record(ot, sample_properties(ot, **given), source=source)


def name_of(ot, record) -> str:
    return display_name(ot, record)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def manager(db):
    return make_user(role="Sales manager")


@pytest.fixture
def browser(manager):
    return signed_in(manager)


# -- the pages ------------------------------------------------------------------------------


# Every record, whatever its dates: index pages with tabs of their own (the tasks page's due
# dates) read "tab"; the others ignore it.
EVERYTHING = {"tab": "all"}


class ListPageTests:
    @each(page_types())
    def test_list_page_shows_the_records_by_name(self, ot, browser):
        record = make_record(ot)
        response = browser.get(f"/{ot.name}/", EVERYTHING)
        assert response.status_code == 200
        html = response.content.decode()
        assert name_of(ot, record) in html
        assert f"/{ot.name}/{record.pk}/" in html

    @each(page_types())
    def test_list_page_sorts_by_every_default_column(self, ot, browser):
        make_record(ot)
        for column in (ot.pages.name_property, *ot.pages.list_columns):
            for sort in (column, f"-{column}"):
                assert browser.get(f"/{ot.name}/?sort={sort}").status_code == 200, sort

    @each(page_types())
    def test_list_page_quick_search_narrows(self, ot, browser):
        wanted = make_record(ot)
        other = make_record(ot)
        response = browser.get(f"/{ot.name}/", {**EVERYTHING, "q": name_of(ot, wanted)})
        html = response.content.decode()
        assert f"/{ot.name}/{wanted.pk}/" in html
        assert f"/{ot.name}/{other.pk}/" not in html


class RecordPageTests:
    @each(page_types())
    def test_record_page_shows_name_cards_and_about(self, ot, browser):
        record = make_record(ot)
        response = browser.get(f"/{ot.name}/{record.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert text_of(select_one(html, "h1#record-name")) == name_of(ot, record)
        for card in ot.pages.cards:  # an association card per type the facts list
            assert select(html, f"#card-{card}"), card
        assert browser.get(f"/{ot.name}/{record.pk}/properties/").status_code == 200

    @each(page_types())
    def test_a_missing_record_is_a_404(self, ot, browser):
        assert browser.get(f"/{ot.name}/987654/").status_code == 404

    @each(page_types())
    def test_inline_edit_saves_one_value(self, ot, browser):
        record = make_record(ot)
        name = ot.pages.name_property
        response = browser.post(
            f"/{ot.name}/{record.pk}/properties/{name}/", {name: "Renamed inline"}
        )
        assert response.status_code < 400
        record.refresh_from_db()
        assert name_of(ot, record).startswith("Renamed inline") or "Renamed inline" in str(
            record.properties.get(name, getattr(record, name, ""))
        )


class CreateDialogTests:
    @each(page_types())
    def test_create_dialog_offers_the_create_fields(self, ot, browser):
        response = browser.get(f"/{ot.name}/create/")
        assert response.status_code == 200
        html = response.content.decode()
        defs = registry.definitions(ot)
        for name in ot.pages.create_fields:
            if name in defs:
                assert f'name="{name}"' in html, name

    @each(page_types())
    def test_create_dialog_creates_a_record(self, ot, browser):
        model = ot.model
        before = model.objects.count()
        response = browser.post(f"/{ot.name}/create/", sample_properties(ot))
        assert response.status_code < 400, response.content.decode()[:500]
        assert model.objects.count() == before + 1


class BulkActionTests:
    @each(page_types())
    def test_bulk_delete_archives_the_chosen_records(self, ot, browser):
        kept, *gone = [make_record(ot) for _ in range(3)]
        browser.post(f"/{ot.name}/bulk/", {"ids": [r.pk for r in gone], "action": "delete"})
        assert set(ot.model.objects.filter(archived=True).values_list("pk", flat=True)) >= {
            r.pk for r in gone
        }
        kept.refresh_from_db()
        assert not kept.archived


class GlobalSearchTests:
    @each(crm_types())
    def test_global_search_finds_the_record(self, ot, browser):
        record = make_record(ot)
        response = browser.get("/search/", {"q": name_of(ot, record)}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert f"/{ot.name}/{record.pk}/" in response.content.decode()
        nothing = browser.get("/search/", {"q": "zzzz"}, HTTP_HX_REQUEST="true")
        assert "Nothing matches" in nothing.content.decode()


class ArchiveRestoreTests:
    """Archived records leave searches, reads and list pages, and come back restored."""

    @each(OBJECT_TYPES)
    def test_archived_records_leave_lists_and_search_and_come_back(self, ot, browser):
        record = make_record(ot)
        make_record(ot)
        name = ot.display_properties[0]
        value = sample_value(ot, record, name)
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": name, "operator": "EQ", "value": value}]}
            ]
        }

        def listed() -> bool:
            html = browser.get(f"/{ot.name}/", EVERYTHING).content.decode()
            return f"/{ot.name}/{record.pk}/" in html

        assert search(ot, body).total == 1
        archive_record(ot, record.pk, source=UI)
        assert search(ot, body).total == 0
        with pytest.raises(RecordNotFound):
            get_record(ot, record.pk)
        if ot.pages is not None:
            assert not listed()
        restore_record(ot, record.pk, source=UI)
        assert search(ot, body).total == 1
        assert get_record(ot, record.pk).pk == record.pk
        if ot.pages is not None:
            assert listed()


class PermissionTests:
    @each(crm_types())
    def test_owned_only_roles_see_their_own_records_only(self, ot, db):
        mine_user = make_user(role="Sales rep – private")  # noqa: RUF001 - the role's name
        theirs_user = make_user(role="Sales rep – private")  # noqa: RUF001
        mine = make_record(ot, hubspot_owner_id=str(mine_user.owner.pk))
        theirs = make_record(ot, hubspot_owner_id=str(theirs_user.owner.pk))
        client = signed_in(mine_user)
        if ot.pages is not None:
            assert client.get(f"/{ot.name}/{mine.pk}/").status_code == 200
            assert client.get(f"/{ot.name}/{theirs.pk}/").status_code == 404
        api = ApiClient(mine_user)
        assert api.get(f"/crm/v3/objects/{ot.name}/{mine.pk}").status_code == 200
        assert api.get(f"/crm/v3/objects/{ot.name}/{theirs.pk}").status_code == 404


# -- the API ----------------------------------------------------------------------------------


class ApiClient:
    """Django's test client with a private-app token of `user` (every scope)."""

    def __init__(self, user):
        _token, raw = create_token(user)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path, **params):
        return self.client.get(path, params)

    def send(self, method, path, body=None):
        return getattr(self.client, method)(
            path, json.dumps(body or {}), content_type="application/json"
        )


@pytest.fixture
def api(manager):
    return ApiClient(manager)


class ApiTests:
    @each(OBJECT_TYPES)
    def test_create_read_update_archive(self, ot, api):
        base = f"/crm/v3/objects/{ot.name}"
        props = sample_properties(ot)
        created = api.send("post", base, {"properties": props})
        assert created.status_code == 201, created.content
        record_id = created.json()["id"]
        read = api.get(f"{base}/{record_id}", properties=",".join(props))
        assert read.status_code == 200
        assert {k: v for k, v in read.json()["properties"].items() if k in props}.keys() == set(
            props
        )
        name = ot.display_properties[0]
        changed = api.send("patch", f"{base}/{record_id}", {"properties": {name: "Changed"}})
        assert changed.status_code == 200, changed.content
        assert changed.json()["properties"][name] == "Changed"
        assert api.send("delete", f"{base}/{record_id}").status_code == 204
        assert api.get(f"{base}/{record_id}").status_code == 404
        archived = api.get(f"{base}/{record_id}", archived="true")
        assert archived.status_code == 200 and archived.json()["archived"] is True

    @each(OBJECT_TYPES)
    def test_batch_create_and_read(self, ot, api):
        base = f"/crm/v3/objects/{ot.name}/batch"
        inputs = [{"properties": sample_properties(ot)} for _ in range(3)]
        created = api.send("post", f"{base}/create", {"inputs": inputs})
        assert created.status_code == 201, created.content
        ids = sorted(r["id"] for r in created.json()["results"])
        read = api.send("post", f"{base}/read", {"inputs": [{"id": i} for i in ids]})
        assert read.status_code == 200
        assert sorted(r["id"] for r in read.json()["results"]) == ids

    @each(OBJECT_TYPES)
    def test_search_by_text_and_filter(self, ot, api):
        wanted = make_record(ot)
        make_record(ot)
        name = ot.display_properties[0]
        value = sample_value(ot, wanted, name)
        wanted_filter = {"propertyName": name, "operator": "EQ", "value": value}
        body = {"filterGroups": [{"filters": [wanted_filter]}]}
        found = api.send("post", f"/crm/v3/objects/{ot.name}/search", body)
        assert found.status_code == 200, found.content
        assert [r["id"] for r in found.json()["results"]] == [str(wanted.pk)]


def sample_value(ot, record, name) -> str:
    defn = registry.definitions(ot)[name]
    return to_api_string(defn, read_value(record, defn))


# -- imports and exports --------------------------------------------------------------------


class ImportTests:
    @each(import_types())
    def test_a_csv_file_creates_records(self, ot, manager):
        props = sample_properties(ot)
        header = ",".join(props)
        row = ",".join(str(v) for v in props.values())
        upload = SimpleUploadedFile("file.csv", f"{header}\n{row}\n".encode())
        before = ot.model.objects.count()
        imp = services.create_draft(manager, upload, ot.name)
        services.start(imp, manager)
        engine.run(imp.pk)
        assert ot.model.objects.count() == before + 1


class ExportTests:
    """The list's export (Actions > Export): the records the list shows, by name first."""

    @each(page_types())
    @pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
    def test_export_writes_the_records_the_list_shows(self, ot, file_format, browser, manager):
        wanted = make_record(ot)
        make_record(ot)
        params = urlencode({**EVERYTHING, "q": name_of(ot, wanted)})
        response = browser.post(
            f"/imports/export/{ot.name}/", {"params": params, "format": file_format}
        )
        export = Export.objects.get(user=manager)
        assert response.status_code == 302 and response.url == f"/imports/exports/{export.pk}/"
        exports.run(export.pk)
        export.refresh_from_db()
        assert (export.object_type, export.state, export.row_count) == (
            ot.name,
            ExportState.DONE,
            1,
        )
        if file_format == "CSV":
            with open(export.file_path, encoding="utf-8-sig") as handle:
                rows = list(csv.reader(handle))
        else:
            sheet = load_workbook(export.file_path, read_only=True).worksheets[0]
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0][0] == "Name"
        assert [row[0] for row in rows[1:]] == [name_of(ot, wanted)]


# -- query budgets ----------------------------------------------------------------------------

# More rows than any budget, with two owners and associations to one record of each card
# type: a query per row, per owner or per association would show.
BUDGET_ROWS = 12


def budget_records(ot, owners) -> list:
    partners = ot.pages.cards if ot.pages is not None else ()
    links = [(name, make_record(get_object_type(name)).pk, None) for name in partners]
    return [
        create_record(
            ot,
            sample_properties(ot, hubspot_owner_id=str(owners[i % 2].owner.pk)),
            source=UI,
            associations=links,
        )
        for i in range(BUDGET_ROWS)
    ]


class QueryBudgetTests:
    """Per type, what its list page, record page, API list, search and batch read cost
    (core/testing/query_budgets.json: ui.list.<type>, ui.record.<type>, api.list.<type>,
    api.search.<type>, api.batch_read.<type>). Each block runs once before it is measured,
    as on a running server whose caches are warm; the `query_budget` fixture starts every
    test with the per-process caches empty, so a count does not depend on the tests before."""

    @each(page_types())
    def test_pages(self, ot, manager, browser, query_budget):
        other = make_user(first_name="Rita", last_name="Rep")
        records = budget_records(ot, [manager, other])
        page = f"/{ot.name}/{records[0].pk}/"
        for url, params in ((f"/{ot.name}/", EVERYTHING), (page, {})):
            browser.get(url, params)  # warm
            with query_budget(f"ui.{'list' if params else 'record'}.{ot.name}"):
                response = browser.get(url, params)
            assert response.status_code == 200, url
        listed = browser.get(f"/{ot.name}/", EVERYTHING).content.decode()
        assert all(f"/{ot.name}/{r.pk}/" in listed for r in records)
        assert "Rita Rep" in listed, "owners are shown"

    @each(OBJECT_TYPES)
    def test_api_list_search_and_batch_read(self, ot, manager, api, query_budget):
        records = budget_records(ot, [manager, make_user()])
        others = ",".join(ot.pages.cards if ot.pages is not None else ())
        props = ",".join(dict.fromkeys((*ot.default_properties, "hubspot_owner_id")))
        name = ot.display_properties[0]
        base = f"/crm/v3/objects/{ot.name}"
        calls = {
            "list": lambda: api.get(base, limit=100, properties=props, associations=others),
            "search": lambda: api.send(
                "post",
                f"{base}/search",
                {
                    "filterGroups": [
                        {"filters": [{"propertyName": name, "operator": "HAS_PROPERTY"}]}
                    ],
                    "properties": props.split(","),
                    "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                    "limit": 100,
                },
            ),
            "batch_read": lambda: api.send(
                "post",
                f"{base}/batch/read",
                {
                    "inputs": [{"id": str(r.pk)} for r in records],
                    "properties": props.split(","),
                    "propertiesWithHistory": ["hubspot_owner_id"],
                },
            ),
        }
        for what, call in calls.items():
            call()  # warm
            with query_budget(f"api.{what}.{ot.name}"):
                response = call()
            assert response.status_code == 200, response.content
            results = response.json()["results"]
            assert len(results) == BUDGET_ROWS, what
            if what == "list" and others:
                assert all(r["associations"] for r in results)


__all__ = [
    "ApiTests",
    "ArchiveRestoreTests",
    "BulkActionTests",
    "CreateDialogTests",
    "ExportTests",
    "GlobalSearchTests",
    "ImportTests",
    "ListPageTests",
    "PermissionTests",
    "QueryBudgetTests",
    "RecordPageTests",
    "api",
    "browser",
    "manager",
]
