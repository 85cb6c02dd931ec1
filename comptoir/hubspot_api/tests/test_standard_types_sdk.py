"""HubSpot's standard types every account has (tickets, products, line items, quotes...)
that Comptoir holds none of: the API answers as an account with none of their records
would, never 400 "Unable to infer object type" (issue 15, point 4). Real SDK calls, the
same ones connectors (Airbyte's source-hubspot) make."""

import pytest
from hubspot.crm.associations import BatchInputPublicObjectId
from hubspot.crm.associations import PublicObjectId as V3ObjectId
from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import (
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects.exceptions import NotFoundException
from hubspot.crm.tickets.exceptions import NotFoundException as TicketNotFound

from comptoir.core.testing.factories import make_activity, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db

# Plural name, singular, type id: each spelling HubSpot accepts in a path.
STANDARD = [
    "tickets",
    "0-5",
    "products",
    "0-7",
    "line_items",
    "line_item",
    "0-8",
    "quotes",
    "0-14",
    "leads",
    "goal_targets",
    "feedback_submissions",
]


@pytest.mark.parametrize("object_type", STANDARD)
def test_list_search_and_batch_read_answer_empty(hubspot, object_type):
    objects = hubspot.crm.objects
    page = objects.basic_api.get_page(object_type, limit=100, properties=["name"])
    assert page.results == [] and page.paging is None

    found = objects.search_api.do_search(
        object_type,
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}
                    ]
                }
            ],
            limit=100,
        ),
    )
    assert found.total == 0 and found.results == []

    read = objects.batch_api.read(
        object_type,
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id="1"), SimplePublicObjectId(id="2")], properties=[]
        ),
    )
    assert read.results == []
    assert read.num_errors == 1 and read.errors[0].category == "OBJECT_NOT_FOUND"
    assert read.errors[0].context == {"ids": ["1", "2"]}


def test_a_record_of_a_standard_type_is_missing(hubspot):
    with pytest.raises(TicketNotFound) as caught:
        hubspot.crm.tickets.basic_api.get_by_id("12")
    assert '"category":"OBJECT_NOT_FOUND"' in caught.value.body.replace(" ", "")

    with pytest.raises(NotFoundException):
        hubspot.crm.objects.basic_api.get_by_id("0-8", "12")


def test_writes_answer_a_missing_object(hubspot, http):
    objects = hubspot.crm.objects
    with pytest.raises(NotFoundException) as caught:
        objects.basic_api.create(
            "line_items", SimplePublicObjectInputForCreate(properties={"name": "Widget"})
        )
    assert "OBJECT_NOT_FOUND" in caught.value.body
    with pytest.raises(NotFoundException):
        objects.basic_api.update(
            "tickets", "7", SimplePublicObjectInput(properties={"subject": "x"})
        )
    # Archiving a record that does not exist is a no-op in HubSpot (idempotent).
    assert http("DELETE", "/crm/v3/objects/quotes/7").status_code == 204
    # A type HubSpot does not have either is still refused as before.
    unknown = http("GET", "/crm/v3/objects/spaceships")
    assert unknown.status_code == 400
    assert "Unable to infer object type" in unknown.json()["message"]


def test_associations_to_standard_types_on_list_and_read(hubspot):
    contact = make_contact(email="a@example.com")
    deal = make_deal(dealname="Big one", associations=[("contacts", contact.pk, None)])

    page = hubspot.crm.deals.basic_api.get_page(
        associations=["line_items", "tickets", "contacts"], limit=100
    )
    assert [r.id for r in page.results] == [str(deal.pk)]
    # HubSpot leaves out a type with no associations.
    assert set(page.results[0].associations) == {"contacts"}
    assert [a.id for a in page.results[0].associations["contacts"].results] == [str(contact.pk)]

    read = hubspot.crm.deals.basic_api.get_by_id(
        str(deal.pk), associations=["line_items", "0-5", "quotes"]
    )
    assert read.id == str(deal.pk) and not read.associations


@pytest.mark.parametrize("from_type", ["deals", "calls", "contacts", "companies"])
@pytest.mark.parametrize("to_type", ["line_items", "tickets"])
def test_v4_and_v3_batch_reads_to_standard_types_find_none(hubspot, from_type, to_type):
    if from_type == "calls":
        pk = make_activity("calls", hs_call_title="Hello").pk
    elif from_type == "deals":
        pk = make_deal(dealname="D").pk
    elif from_type == "contacts":
        pk = make_contact(email="c@example.com").pk
    else:
        pk = make_company(name="Acme").pk
    v4 = hubspot.crm.associations.v4.batch_api.get_page(
        from_type,
        to_type,
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=str(pk))]
        ),
    )
    assert v4.results == [] and v4.num_errors == 1
    assert v4.errors[0].sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert v4.errors[0].context["fromObjectId"] == [str(pk)]

    v3 = hubspot.crm.associations.batch_api.read(
        from_type, to_type, BatchInputPublicObjectId(inputs=[V3ObjectId(id=str(pk))])
    )
    assert v3.results == [] and v3.num_errors == 1
    assert v3.errors[0].sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"

    # One record's associations of that type: none.
    page = hubspot.crm.associations.v4.basic_api.get_page(from_type, str(pk), to_type)
    assert page.results == []


def test_batch_read_from_a_standard_type_finds_none(hubspot):
    read = hubspot.crm.associations.v4.batch_api.get_page(
        "line_items",
        "deals",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id="3")]
        ),
    )
    assert read.results == [] and read.num_errors == 1
    assert read.errors[0].context["fromObjectType"] == ["line_item"]
