"""crm.contacts / companies / deals / objects through the official SDK (reference §2.1-2.2)."""

import json

import pytest
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import NotFoundException

pytestmark = pytest.mark.django_db(transaction=True)


def create_contact(hubspot, **props):
    return hubspot.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties=props))


def test_create_get_update_archive(hubspot):
    created = create_contact(hubspot, email="Jean@Acme.fr", firstname="Jean", lastname="Lefèvre")
    assert created.properties["email"] == "jean@acme.fr"
    assert created.properties["hs_object_id"] == created.id
    assert created.created_at.tzinfo is not None and created.archived is False

    fetched = hubspot.crm.contacts.basic_api.get_by_id(
        created.id, properties=["jobtitle", "lastname"]
    )
    assert fetched.properties["lastname"] == "Lefèvre"
    assert fetched.properties["jobtitle"] is None
    assert {"createdate", "lastmodifieddate", "hs_object_id"} <= set(fetched.properties)

    updated = hubspot.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"jobtitle": "CEO", "phone": 33612345678})
    )
    assert (updated.properties["jobtitle"], updated.properties["phone"]) == ("CEO", "33612345678")

    by_email = hubspot.crm.contacts.basic_api.get_by_id(
        "jean@acme.fr", id_property="email", properties=["jobtitle", "phone"]
    )
    assert by_email.id == created.id
    assert by_email.properties["phone"] == "33612345678"

    hubspot.crm.contacts.basic_api.archive(created.id)
    with pytest.raises(NotFoundException):
        hubspot.crm.contacts.basic_api.get_by_id(created.id)
    archived = hubspot.crm.contacts.basic_api.get_by_id(created.id, archived=True)
    assert archived.archived is True and archived.archived_at is not None


def test_get_page_and_get_all_walk_every_record(hubspot):
    ids = {create_contact(hubspot, email=f"p{i}@example.com").id for i in range(7)}
    page = hubspot.crm.contacts.basic_api.get_page(limit=3)
    assert len(page.results) == 3 and page.paging.next.after
    everything = hubspot.crm.contacts.get_all()
    assert {c.id for c in everything} == ids
    last = hubspot.crm.contacts.basic_api.get_page(limit=100)
    assert last.paging is None


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


def test_batch_create_read_update_upsert_archive(hubspot):
    batch = hubspot.crm.contacts.batch_api
    created = batch.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                {"properties": {"email": f"b{i}@example.com", "firstname": f"B{i}"}}
                for i in range(3)
            ]
        )
    )
    assert created.status == "COMPLETE" and len(created.results) == 3
    ids = sorted(r.id for r in created.results)

    read = batch.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in [*ids, "999999"]], properties=["firstname"]
        )
    )
    assert len(read.results) == 3
    assert read.num_errors == 1 and read.errors[0].context == {"ids": ["999999"]}

    updated = batch.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[{"id": ids[0], "properties": {"firstname": "Changed"}}]
        )
    )
    assert updated.results[0].properties["firstname"] == "Changed"

    upserted = batch.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                {
                    "id": "b1@example.com",
                    "idProperty": "email",
                    "properties": {"lastname": "Again"},
                },
                {"id": "new@example.com", "idProperty": "email", "properties": {"lastname": "New"}},
            ]
        )
    )
    assert sorted(r.new for r in upserted.results) == [False, True]

    batch.archive(BatchInputSimplePublicObjectId(inputs=[{"id": i} for i in ids]))
    page = hubspot.crm.contacts.basic_api.get_page(limit=100)
    assert [c.properties["email"] for c in page.results] == ["new@example.com"]


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


def test_merge_and_gdpr_delete(hubspot):
    from hubspot.crm.contacts import PublicGdprDeleteInput, PublicMergeInput

    a = create_contact(hubspot, email="a@example.com", firstname="A")
    b = create_contact(hubspot, email="b@example.com", lastname="B")
    merged = hubspot.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=a.id, object_id_to_merge=b.id)
    )
    assert merged.id == a.id
    survivor = hubspot.crm.contacts.basic_api.get_by_id(b.id, properties=["lastname"])
    assert (survivor.id, survivor.properties["lastname"]) == (a.id, "B")
    hubspot.crm.contacts.basic_api.purge(
        PublicGdprDeleteInput(object_id="a@example.com", id_property="email")
    )
    with pytest.raises(NotFoundException):
        hubspot.crm.contacts.basic_api.get_by_id(a.id, archived=True)


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
