"""Shared tests every object type passes (NetBox-style), parametrised over the registry.

A test module subclasses these classes (`class TestListPage(ListPageTests): pass`); each
test then runs once per registered type it applies to: the built-in ones and any type an
app adds (the test-only "projects" type of core/testing/projects proves that a new type
gets its pages, search, API, permissions and imports without code of its own). Records
are made through the real services with `sample_properties()`, derived from the type's
facts (its required and name properties) and its definitions, never from a per-type table.
"""

import csv
import datetime as dt
import itertools
import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from comptoir.core.associations.services import associate, associated_ids
from comptoir.core.associations.types import default_type
from comptoir.core.files.stored import local_path
from comptoir.core.history.models import PropertyChange
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
from comptoir.core.testing.html import links, select, select_one, text_of
from comptoir.core.timeline.models import EventType, TimelineEvent
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


class RestoreTests:
    """The "Deleted records" page of every type (OBJ-5, SET-13): list, search, restore one
    or many with associations and history, permissions, and the restore window."""

    @each(page_types())
    def test_deleted_records_are_listed_searched_and_restored(self, ot, browser, manager):
        kept = make_record(ot)
        gone, other = make_record(ot), make_record(ot)
        browser.post(f"/{ot.name}/bulk/", {"ids": [gone.pk, other.pk], "action": "delete"})
        listing = browser.get(f"/{ot.name}/deleted/")
        assert listing.status_code == 200
        rows = deleted_rows(listing)
        assert set(rows) == {gone.pk, other.pk}  # live records are not in the recycle bin
        assert kept.pk not in rows
        # Who deleted them, as HubSpot's tool shows.
        row = select_one(listing.content.decode(), f'tr[data-record="{gone.pk}"] td.by')
        assert text_of(row) == (manager.get_full_name() or manager.email)
        found = deleted_rows(browser.get(f"/{ot.name}/deleted/", {"q": name_of(ot, gone)}))
        assert set(found) == {gone.pk}
        # The list page's Actions menu leads there.
        menu = browser.get(f"/{ot.name}/", EVERYTHING).content.decode()
        assert f"/{ot.name}/deleted/" in [href for _text, href in links(menu)]

        response = browser.post(f"/{ot.name}/deleted/restore/", {"ids": [gone.pk, other.pk]})
        assert response.status_code == 302
        for record in (gone, other):
            record.refresh_from_db()
            assert not record.archived and record.archived_at is None
        assert deleted_rows(browser.get(f"/{ot.name}/deleted/")) == []
        assert browser.get(f"/{ot.name}/{gone.pk}/").status_code == 200
        # The restore is on the timeline, by its author; the history is still there.
        event = TimelineEvent.objects.get(
            object_type=ot.type_id, object_id=gone.pk, event_type=EventType.RESTORED
        )
        assert event.actor_id == manager.pk
        assert PropertyChange.objects.filter(object_type=ot.type_id, object_id=gone.pk).exists()

    @each(page_types())
    def test_associations_come_back_with_the_record(self, ot, browser, db):
        partners = [other for other in OBJECT_TYPES if default_type(ot, other) is not None]
        if not partners:
            pytest.skip(f"{ot.name} associates with no type")
        record, other = make_record(ot), make_record(partners[0])
        associate(ot, record.pk, partners[0], other.pk, source=UI)
        archive_record(ot, record.pk, source=UI)
        assert associated_ids(partners[0], other.pk, ot) == []  # gone while deleted
        assert browser.post(f"/{ot.name}/deleted/restore/", {"one": record.pk}).status_code == 302
        assert associated_ids(ot, record.pk, partners[0]) == [other.pk]
        assert associated_ids(partners[0], other.pk, ot) == [record.pk]

    @each(page_types())
    def test_one_restore_button_restores_only_its_record(self, ot, browser, db):
        first, second = make_record(ot), make_record(ot)
        archive_record(ot, first.pk, source=UI)
        archive_record(ot, second.pk, source=UI)
        browser.post(f"/{ot.name}/deleted/restore/", {"one": first.pk, "ids": [second.pk]})
        first.refresh_from_db()
        second.refresh_from_db()
        assert not first.archived and second.archived

    @each(page_types())
    def test_a_record_whose_unique_value_is_taken_again_stays_deleted(self, ot, browser):
        """As in HubSpot: a contact whose email another live contact now has (a company
        whose domain...) is not restored, and the page says why."""
        defs = registry.definitions(ot)
        unique = [n for n in LIVE_UNIQUE if n in defs] or [
            n for n, d in defs.items() if d.has_unique_value and str(d.type) == "string"
        ]
        if not unique:
            pytest.skip(f"{ot.name} has no unique property")
        value = f"restore{next(_seq)}.example.com"
        value = f"lea@{value}" if unique[0] == "email" else value
        gone = make_record(ot, **{unique[0]: value})
        archive_record(ot, gone.pk, source=UI)
        make_record(ot, **{unique[0]: value})  # allowed: the first one is deleted
        response = browser.post(f"/{ot.name}/deleted/restore/", {"one": gone.pk})
        assert response.status_code == 302
        gone.refresh_from_db()
        assert gone.archived
        said = " ".join(flash(browser, response))
        assert "Not restored" in said and value in said

    @each(page_types())
    def test_records_past_the_restore_window_are_not_offered(self, ot, browser, settings, db):
        old = make_record(ot)
        past = timezone.now() - dt.timedelta(days=settings.COMPTOIR_RESTORE_DAYS, minutes=1)
        archive_record(ot, old.pk, source=UI, at=past)
        assert old.pk not in deleted_rows(browser.get(f"/{ot.name}/deleted/"))
        browser.post(f"/{ot.name}/deleted/restore/", {"ids": [old.pk]})
        old.refresh_from_db()
        assert old.archived

    @each(page_types())
    def test_a_user_sees_and_restores_only_what_the_role_allows(self, ot, db):
        """The attacker: a private rep, and a rep who sees everything but changes only his
        own records. An invisible record answers exactly like a missing one."""
        private = make_user(role="Sales rep – private")  # noqa: RUF001 - the role's name
        rep = make_user(role="Sales rep")
        boss = make_user(role="Sales manager")
        own = make_record(ot, hubspot_owner_id=str(private.owner.pk))
        theirs = make_record(ot, hubspot_owner_id=str(boss.owner.pk))
        for record in (own, theirs):
            archive_record(ot, record.pk, source=UI)
        client = signed_in(private)
        assert deleted_rows(client.get(f"/{ot.name}/deleted/")) == [own.pk]
        searched = client.get(f"/{ot.name}/deleted/", {"q": name_of(ot, theirs)})
        assert theirs.pk not in deleted_rows(searched)

        missing = client.post(f"/{ot.name}/deleted/restore/", {"ids": [987654321]})
        missing_said = flash(client, missing)
        hidden = client.post(f"/{ot.name}/deleted/restore/", {"ids": [theirs.pk]})
        assert (hidden.status_code, hidden.url) == (missing.status_code, missing.url)
        assert flash(client, hidden) == missing_said != []
        theirs.refresh_from_db()
        assert theirs.archived

        viewer = signed_in(rep)
        page = viewer.get(f"/{ot.name}/deleted/").content.decode()
        row = select_one(page, f'tr[data-record="{theirs.pk}"]')
        assert select(row, "input[name=ids]") == []
        viewer.post(f"/{ot.name}/deleted/restore/", {"ids": [theirs.pk]})
        theirs.refresh_from_db()
        assert theirs.archived  # seen, not changed: refused

        assert client.post(f"/{ot.name}/deleted/restore/", {"ids": [own.pk]}).status_code == 302
        own.refresh_from_db()
        assert not own.archived

    @each(page_types())
    def test_the_page_costs_the_same_for_few_or_many_records(self, ot, browser, query_budget):
        def delete(n):  # by the signed-in user: the page names who deleted them
            ids = [make_record(ot).pk for _ in range(n)]
            browser.post(f"/{ot.name}/bulk/", {"ids": ids, "action": "delete"})

        delete(3)
        browser.get(f"/{ot.name}/deleted/")  # warm the caches of the first request
        with query_budget(f"ui.deleted.{ot.name}") as few:
            browser.get(f"/{ot.name}/deleted/")
        delete(5)
        with query_budget(f"ui.deleted.{ot.name}") as many:
            response = browser.get(f"/{ot.name}/deleted/")
        assert len(deleted_rows(response)) == 8
        assert len(many) == len(few)


# Values a unique index keeps to one live record (contact email, company domain).
LIVE_UNIQUE = ("email", "domain")


def deleted_rows(response) -> list[int]:
    """The record ids of a "Deleted records" page, in order."""
    return [
        int(tr.get("data-record")) for tr in select(response.content.decode(), "tr[data-record]")
    ]


def flash(client, response) -> list[str]:
    """The messages a redirect leaves for the next page."""
    page = client.get(response.url).content.decode()
    return [text_of(m) for m in select(page, ".messages li")]


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
            with open(local_path(export.file_path), encoding="utf-8-sig") as handle:
                rows = list(csv.reader(handle))
        else:
            sheet = load_workbook(local_path(export.file_path), read_only=True).worksheets[0]
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
    "RestoreTests",
    "api",
    "browser",
    "manager",
]
