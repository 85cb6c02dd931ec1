"""crm.contacts / companies / deals / objects through the official SDK (reference §2.1-2.2)."""

import json
from dataclasses import dataclass
from functools import partial
from importlib import import_module

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection
from hubspot.crm.contacts import (
    ApiException,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import NotFoundException

from comptoir.contacts.models import Contact
from comptoir.core.history.models import PropertyChange
from comptoir.core.search.fulltext import fts_table
from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db


def create_contact(hubspot, **props):
    return hubspot.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties=props))


def test_contact_email_is_normalised_and_serves_as_id_property(hubspot):
    created = create_contact(hubspot, email="Jean@Acme.fr", firstname="Jean", lastname="Lefèvre")
    assert created.properties["email"] == "jean@acme.fr"
    updated = hubspot.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"jobtitle": "CEO", "phone": 33612345678})
    )
    assert (updated.properties["jobtitle"], updated.properties["phone"]) == ("CEO", "33612345678")
    by_email = hubspot.crm.contacts.basic_api.get_by_id(
        "jean@acme.fr", id_property="email", properties=["jobtitle", "phone"]
    )
    assert by_email.id == created.id
    assert by_email.properties["phone"] == "33612345678"


@pytest.mark.sdk_both_modes
def test_properties_with_history_and_associations_on_read(hubspot):
    company = hubspot.crm.companies.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"name": "Acme", "domain": "acme.fr"})
    )
    contact = create_contact(hubspot, email="h@acme.fr", jobtitle="Dev")
    hubspot.crm.contacts.basic_api.update(
        contact.id, SimplePublicObjectInput(properties={"jobtitle": "CTO"})
    )
    fetched = hubspot.crm.contacts.basic_api.get_by_id(
        contact.id, properties_with_history=["jobtitle"], associations=["companies"]
    )
    history = fetched.properties_with_history["jobtitle"]
    assert [h.value for h in history] == ["CTO", "Dev"]
    assert history[0].source_type == "API"
    types = {a.type for a in fetched.associations["companies"].results}
    assert {a.id for a in fetched.associations["companies"].results} == {company.id}
    assert types == {"contact_to_company", "contact_to_company_unlabeled"}


def test_history_names_the_token_that_wrote(hubspot, sdk_for, api_user):
    """Each write is recorded as source API with the writing token's id (API-2)."""
    sync_token, raw = create_token(api_user, "Nightly sync")
    contact = create_contact(hubspot, email="t@example.com", jobtitle="Dev")
    sdk_for(raw).crm.contacts.basic_api.update(
        contact.id, SimplePublicObjectInput(properties={"jobtitle": "CTO"})
    )
    fetched = hubspot.crm.contacts.basic_api.get_by_id(
        contact.id, properties_with_history=["jobtitle"]
    )
    latest, first = fetched.properties_with_history["jobtitle"]
    assert (latest.value, latest.source_type, latest.source_id) == (
        "CTO",
        "API",
        str(sync_token.pk),
    )
    assert latest.updated_by_user_id == api_user.pk
    assert (first.value, first.source_type) == ("Dev", "API")
    assert first.source_id not in (None, str(sync_token.pk))  # the other token's id


def test_duplicate_email_is_a_409_with_the_existing_id(hubspot):
    first = create_contact(hubspot, email="dup@example.com")
    with pytest.raises(ApiException) as caught:
        create_contact(hubspot, email="DUP@example.com")
    assert caught.value.status == 409
    body = json.loads(caught.value.body)
    assert body["message"] == f"Contact already exists. Existing ID: {first.id}"
    assert body["category"] == "CONFLICT"


def test_unknown_property_is_a_400_property_doesnt_exist(hubspot):
    with pytest.raises(ApiException) as caught:
        create_contact(hubspot, email="x@example.com", favourite_colour="blue")
    assert caught.value.status == 400
    body = json.loads(caught.value.body)
    assert body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert body["errors"][0]["context"] == {"propertyName": ["favourite_colour"]}


@pytest.mark.sdk_both_modes
def test_search_with_filters_sorts_query_and_paging(hubspot):
    for i, (first, last) in enumerate([("Ann", "Lefèvre"), ("Bob", "Martin"), ("Cy", "Lefevre")]):
        create_contact(hubspot, email=f"s{i}@example.com", firstname=first, lastname=last)
    result = hubspot.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(
            query="lefevre", sorts=["-firstname"], properties=["firstname"], limit=1
        )
    )
    assert result.total == 2
    assert [r.properties["firstname"] for r in result.results] == ["Cy"]
    assert result.paging.next.after == "1"
    rest = hubspot.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(
            query="lefevre", sorts=["-firstname"], properties=["firstname"], limit=1, after="1"
        )
    )
    assert [r.properties["firstname"] for r in rest.results] == ["Ann"] and rest.paging is None
    filtered = hubspot.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "firstname", "operator": "IN", "values": ["ann", "bob"]}
                    ]
                }
            ],
            sorts=[{"propertyName": "firstname", "direction": "DESCENDING"}],
        )
    )
    assert [r.properties["firstname"] for r in filtered.results] == ["Bob", "Ann"]


def traces_of(*needles: str) -> list[str]:
    """Every table row (and, on SQLite, full-text index entry) still holding a needle."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        dump = serializers.serialize("json", model.objects.all()).lower()
        found += [f"{model._meta.label}: {n}" for n in needles if n.lower() in dump]
    if connection.vendor == "sqlite":
        fts = fts_table(Contact._meta.db_table)
        with connection.cursor() as cursor:
            for needle in needles:
                cursor.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [f'"{needle}"'])
                found += [f"{fts}: {needle}" for _ in cursor.fetchall()]
    return found


def test_gdpr_delete_erases_the_contact_and_every_contact_merged_into_it(hubspot):
    from hubspot.crm.contacts import PublicGdprDeleteInput, PublicMergeInput

    a = create_contact(hubspot, email="a@example.com", firstname="Anna")
    b = create_contact(hubspot, email="zbigniew@example.com", lastname="Brzęczyszczykiewicz")
    hubspot.crm.contacts.basic_api.update(
        b.id, SimplePublicObjectInput(properties={"firstname": "Zbigniew"})
    )
    hubspot.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=a.id, object_id_to_merge=b.id)
    )
    needles = ("zbigniew", "brzeczyszczykiewicz", "Brzęczyszczykiewicz")
    assert traces_of(*needles)  # the scan does see personal data while it is there

    hubspot.crm.contacts.basic_api.purge(
        PublicGdprDeleteInput(object_id="a@example.com", id_property="email")
    )
    for object_id in (a.id, b.id):
        with pytest.raises(NotFoundException):
            hubspot.crm.contacts.basic_api.get_by_id(object_id, archived=True)
    assert traces_of(*needles) == []
    assert not Contact.objects.filter(pk__in=[a.id, b.id]).exists()
    assert not PropertyChange.objects.filter(object_id__in=[a.id, b.id]).exists()


def test_deals_with_inline_associations_and_engagements(hubspot):
    from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInput

    contact = create_contact(hubspot, email="buyer@example.com")
    deal = hubspot.crm.deals.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"dealname": "Big", "dealstage": "qualifiedtobuy", "amount": 1500.5},
            associations=[
                {
                    "to": {"id": contact.id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
                }
            ],
        )
    )
    assert deal.properties["amount"] == "1500.5" and deal.properties["pipeline"] == "default"
    note = hubspot.crm.objects.notes.basic_api.create(
        ObjectInput(
            properties={"hs_timestamp": "2026-01-02T10:00:00+01:00", "hs_note_body": "Called"},
            associations=[
                {
                    "to": {"id": deal.id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}],
                }
            ],
        )
    )
    fetched = hubspot.crm.objects.basic_api.get_by_id(
        "0-46", note.id, properties=["hs_timestamp"], associations=["deals"]
    )
    assert fetched.properties["hs_timestamp"] == "2026-01-02T09:00:00.000Z"
    assert fetched.associations["deals"].results[0].id == deal.id
    tasks = hubspot.crm.objects.get_all("tasks")
    assert tasks == []


# -- the same SDK calls for every kind of object (reference §2.1 and §2.2) ----------------------


@dataclass(frozen=True)
class Kind:
    """One object type as an SDK user reaches it: `crm.<name>` (§2.1), the generic
    `crm.objects` with the type as first argument, or its own wrapper
    `crm.objects.<name>` (§2.2)."""

    name: str
    base: dict  # properties every record of this type needs
    text: str  # a text property to set, change, filter and sort on
    extra: str  # another property, empty on the primary of a merge
    unique: str | None = None  # a unique property for idProperty upserts
    generic: bool = False
    wrapper: bool = False

    @property
    def models(self):
        if self.wrapper:
            return import_module(f"hubspot.crm.objects.{self.name}")
        return import_module(f"hubspot.crm.{'objects' if self.generic else self.name}")

    def props(self, n, **more) -> dict:
        unique = {self.unique: f"k{n}@example.com"} if self.unique == "email" else {}
        if self.unique == "domain":
            unique = {"domain": f"k{n}.example.com"}
        return {**self.base, **unique, self.text: f"Name {n}", **more}

    def apis(self, hubspot):
        """basic_api, batch_api and search_api, the type argument already given."""
        if self.wrapper:
            root = getattr(hubspot.crm.objects, self.name)
        else:
            root = hubspot.crm.objects if self.generic else getattr(hubspot.crm, self.name)
        return tuple(
            Bound(getattr(root, api), self.name if self.generic else None)
            for api in ("basic_api", "batch_api", "search_api")
        )


class Bound:
    """An SDK api object whose calls get the object type first when the API is generic."""

    def __init__(self, api, object_type):
        self.api, self.object_type = api, object_type

    def __getattr__(self, method):
        call = getattr(self.api, method)
        return partial(call, self.object_type) if self.object_type else call


AT = "2026-01-02T10:00:00Z"
CONTACTS = Kind("contacts", {}, "firstname", "jobtitle", unique="email")
COMPANIES = Kind("companies", {}, "name", "description", unique="domain")
DEALS = Kind("deals", {"dealstage": "appointmentscheduled"}, "dealname", "description")
CALLS = Kind("0-48", {"hs_timestamp": AT}, "hs_call_title", "hs_call_body", generic=True)
TASKS = Kind("tasks", {"hs_timestamp": AT}, "hs_task_subject", "hs_task_body", generic=True)
# The engagements' own wrappers (crm.objects.notes...): same paths, models of their own.
WRAPPERS = [
    Kind("notes", {"hs_timestamp": AT}, "hs_note_body", "hs_attachment_ids", wrapper=True),
    Kind("calls", {"hs_timestamp": AT}, "hs_call_title", "hs_call_body", wrapper=True),
    Kind(
        "emails",
        {"hs_timestamp": AT, "hs_email_direction": "EMAIL"},
        "hs_email_subject",
        "hs_email_text",
        wrapper=True,
    ),
    Kind("meetings", {"hs_timestamp": AT}, "hs_meeting_title", "hs_meeting_body", wrapper=True),
    Kind("tasks", {"hs_timestamp": AT}, "hs_task_subject", "hs_task_body", wrapper=True),
]
EVERY_KIND = pytest.mark.parametrize(
    "kind",
    [CONTACTS, COMPANIES, DEALS, CALLS, TASKS, *WRAPPERS],
    ids=lambda k: f"{k.name}-wrapper" if k.wrapper else k.name,
)


def create(kind, hubspot, n, **more):
    basic, _, _ = kind.apis(hubspot)
    return basic.create(
        kind.models.SimplePublicObjectInputForCreate(properties=kind.props(n, **more))
    )


@pytest.mark.sdk_both_modes
@EVERY_KIND
def test_basic_create_get_update_archive(hubspot, kind):
    basic, _, _ = kind.apis(hubspot)
    created = create(kind, hubspot, 1)
    assert created.properties[kind.text] == "Name 1"
    assert created.properties["hs_object_id"] == created.id
    assert created.created_at.tzinfo is not None and created.archived is False

    fetched = basic.get_by_id(created.id, properties=[kind.text, kind.extra])
    assert fetched.properties[kind.text] == "Name 1" and fetched.properties[kind.extra] is None

    updated = basic.update(
        created.id, kind.models.SimplePublicObjectInput(properties={kind.extra: "More"})
    )
    assert updated.properties[kind.extra] == "More"
    assert basic.get_by_id(created.id, properties=[kind.extra]).properties[kind.extra] == "More"

    basic.archive(created.id)
    with pytest.raises(kind.models.ApiException) as caught:
        basic.get_by_id(created.id)
    assert caught.value.status == 404
    archived = basic.get_by_id(created.id, archived=True)
    assert archived.archived is True and archived.archived_at is not None


@EVERY_KIND
def test_get_page_and_get_all_walk_every_record(hubspot, kind):
    basic, _, _ = kind.apis(hubspot)
    ids = {create(kind, hubspot, i).id for i in range(7)}
    page = basic.get_page(limit=3, properties=[kind.text])
    assert len(page.results) == 3 and page.paging.next.after
    rest = basic.get_page(limit=100, after=page.paging.next.after)
    assert {r.id for r in page.results + rest.results} == ids and rest.paging is None
    if kind.wrapper:
        return  # the engagements' wrappers have no get_all
    root = hubspot.crm.objects if kind.generic else getattr(hubspot.crm, kind.name)
    everything = root.get_all(*([kind.name] if kind.generic else []))
    assert {r.id for r in everything} == ids


@EVERY_KIND
def test_batch_create_read_update_upsert_archive(hubspot, kind):
    basic, batch, _ = kind.apis(hubspot)
    models = kind.models
    created = batch.create(
        models.BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[{"properties": kind.props(i)} for i in range(3)]
        )
    )
    assert created.status == "COMPLETE" and len(created.results) == 3
    ids = sorted((r.id for r in created.results), key=int)

    read = batch.read(
        models.BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in [*ids, "999999"]], properties=[kind.text]
        )
    )
    assert sorted(r.properties[kind.text] for r in read.results) == ["Name 0", "Name 1", "Name 2"]
    assert read.num_errors == 1 and read.errors[0].context == {"ids": ["999999"]}

    updated = batch.update(
        models.BatchInputSimplePublicObjectBatchInput(
            inputs=[{"id": ids[0], "properties": {kind.text: "Changed"}}]
        )
    )
    assert updated.results[0].properties[kind.text] == "Changed"

    # Upsert by a unique property creates what is missing; by id it updates.
    upserts = [{"id": ids[1], "properties": {kind.extra: "Again"}}]
    if kind.unique:
        upserts = [
            {
                "id": kind.props(1)[kind.unique],
                "idProperty": kind.unique,
                "properties": {kind.extra: "Again"},
            },
            {
                "id": kind.props(9)[kind.unique],
                "idProperty": kind.unique,
                "properties": {kind.text: "New"},
            },
        ]
    upserted = batch.upsert(models.BatchInputSimplePublicObjectBatchInputUpsert(inputs=upserts))
    again = next(r for r in upserted.results if r.id == ids[1])
    assert again.new is False and again.properties[kind.extra] == "Again"
    assert sorted(r.new for r in upserted.results) == ([False, True] if kind.unique else [False])

    batch.archive(models.BatchInputSimplePublicObjectId(inputs=[{"id": i} for i in ids]))
    left = basic.get_page(limit=100, properties=[kind.text]).results
    assert [r.properties[kind.text] for r in left] == (["New"] if kind.unique else [])


@EVERY_KIND
def test_search_filters_sorts_and_pages(hubspot, kind):
    _, _, search = kind.apis(hubspot)
    for n in ("Ann", "Bob", "Cy"):
        create(kind, hubspot, n)

    def do(**request):
        return search.do_search(kind.models.PublicObjectSearchRequest(**request))

    wanted = [{"propertyName": kind.text, "operator": "IN", "values": ["name ann", "Name Cy"]}]
    first = do(
        filter_groups=[{"filters": wanted}],
        sorts=[f"-{kind.text}"],
        properties=[kind.text],
        limit=1,
    )
    assert first.total == 2 and [r.properties[kind.text] for r in first.results] == ["Name Cy"]
    assert first.paging.next.after == "1"
    rest = do(
        filter_groups=[{"filters": wanted}],
        sorts=[f"-{kind.text}"],
        properties=[kind.text],
        limit=1,
        after="1",
    )
    assert [r.properties[kind.text] for r in rest.results] == ["Name Ann"] and rest.paging is None
    everything = do(
        sorts=[{"propertyName": kind.text, "direction": "ASCENDING"}], properties=[kind.text]
    )
    assert [r.properties[kind.text] for r in everything.results] == [
        "Name Ann",
        "Name Bob",
        "Name Cy",
    ]


@pytest.mark.parametrize("kind", [CONTACTS, COMPANIES, DEALS], ids=lambda k: k.name)
def test_merge(hubspot, kind):
    basic, _, _ = kind.apis(hubspot)
    a = create(kind, hubspot, "a")
    b = create(kind, hubspot, "b", **{kind.extra: "From B"})
    merged = basic.merge(
        kind.models.PublicMergeInput(primary_object_id=a.id, object_id_to_merge=b.id)
    )
    assert merged.id == a.id
    survivor = basic.get_by_id(b.id, properties=[kind.text, kind.extra])
    # The primary keeps its own values and gains the other's where it had none.
    assert (survivor.id, survivor.properties[kind.text], survivor.properties[kind.extra]) == (
        a.id,
        "Name a",
        "From B",
    )
    assert [r.id for r in basic.get_page(limit=100).results] == [a.id]
