"""Query budgets of the API's list, search and batch read (core/testing/query_budgets.json):
12 records of each type, each with an owner (two owners) and associations to the two other
types, so a query per record, per owner or per association would show."""

import json

import pytest

from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import make_company, make_contact, make_deal, make_user
from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db

ROWS = 12
PROPERTIES = {
    "contacts": "email,firstname,lastname,jobtitle,hubspot_owner_id,lifecyclestage",
    "companies": "name,domain,city,industry,hubspot_owner_id",
    "deals": "dealname,amount,dealstage,closedate,pipeline,hubspot_owner_id",
}
FILTERS = {
    "contacts": {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*.fr"},
    "companies": {"propertyName": "domain", "operator": "HAS_PROPERTY"},
    "deals": {"propertyName": "amount", "operator": "GTE", "value": "1000"},
}
OTHERS = {
    "contacts": "companies,deals",
    "companies": "contacts,deals",
    "deals": "contacts,companies",
}


@pytest.fixture
def api(client, db):
    owners = [make_user("a@example.com").owner.pk, make_user("b@example.com").owner.pk]
    ids = {"contacts": [], "companies": [], "deals": []}
    for i in range(ROWS):
        owner = owners[i % 2]
        company = make_company(name=f"Co {i}", domain=f"co{i}.fr", hubspot_owner_id=owner)
        contact = make_contact(email=f"q{i}@co{i}.fr", firstname=f"Q{i}", hubspot_owner_id=owner)
        deal = make_deal(
            dealname=f"Deal {i}",
            amount=1000 + i,
            closedate="2026-06-30",
            hubspot_owner_id=owner,
            associations=[("contacts", contact.pk, None), ("companies", company.pk, None)],
        )
        ids["contacts"].append(contact.pk)
        ids["companies"].append(company.pk)
        ids["deals"].append(deal.pk)
    token = create_token(make_user("api@example.com", role="Super admin"), "budgets")[1]
    headers = {"Authorization": f"Bearer {token}"}

    def call(method, path, body=None):
        kw = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = client.generic(method, path, headers=headers, **kw)
        assert response.status_code == 200, response.content
        return response.json()

    call("GET", "/crm/v3/objects/contacts?limit=1")  # warm the caches like a running server
    call.ids = ids
    return call


@pytest.mark.parametrize("name", ["contacts", "companies", "deals"])
def test_list_with_properties_and_associations(api, name):
    path = (
        f"/crm/v3/objects/{name}?limit=100&properties={PROPERTIES[name]}"
        f"&associations={OTHERS[name]}"
    )
    with query_budget(f"api.list.{name}"):
        body = api("GET", path)
    assert len(body["results"]) == ROWS
    assert all(r["associations"] for r in body["results"])


@pytest.mark.parametrize("name", ["contacts", "companies", "deals"])
def test_search_with_filters(api, name):
    body = {
        "filterGroups": [{"filters": [FILTERS[name]]}],
        "properties": PROPERTIES[name].split(","),
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "limit": 100,
    }
    with query_budget(f"api.search.{name}"):
        found = api("POST", f"/crm/v3/objects/{name}/search", body)
    assert found["total"] == ROWS and len(found["results"]) == ROWS


@pytest.mark.parametrize("name", ["contacts", "companies", "deals"])
def test_batch_read(api, name):
    body = {
        "inputs": [{"id": str(pk)} for pk in api.ids[name]],
        "properties": PROPERTIES[name].split(","),
        "propertiesWithHistory": ["hubspot_owner_id"],
    }
    with query_budget(f"api.batch_read.{name}"):
        read = api("POST", f"/crm/v3/objects/{name}/batch/read", body)
    assert len(read["results"]) == ROWS
