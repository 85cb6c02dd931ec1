"""Metadata is coherent across server processes (issue 15, point 2): a property, pipeline,
owner, role, association label or token change made through one `comptoir serve` process
(or any other process) is seen by every other process on its next request. Two real
servers on one database (SQLite; PostgreSQL when DATABASE_URL is set); each has its caches
warm before the change, so a stale cache would answer."""

import json

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def two(site):
    """(site, url of server A, url of server B)."""
    return site, site.serve(), site.serve()


def call(site, url, method, path, body=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else None
    status, _, text = site.request(method, path, body, headers, url=url)
    return status, json.loads(text) if text else None


def test_property_pipeline_and_label_created_on_one_process_work_on_the_other(two):
    site, a, b = two
    for url in (a, b):  # warm both: definitions, pipelines, association types
        assert call(site, url, "GET", "/crm/v3/properties/contacts")[0] == 200
        assert call(site, url, "GET", "/crm/v3/pipelines/deals")[0] == 200
        assert call(site, url, "GET", "/crm/v4/associations/contacts/companies/labels")[0] == 200
    for i in range(6):  # created on A, used at once on B, then the other way round
        make, use = (a, b) if i % 2 == 0 else (b, a)
        name = f"colour_{i}"
        prop = {
            "name": name,
            "label": f"Colour {i}",
            "type": "string",
            "fieldType": "text",
            "groupName": "contactinformation",
        }
        assert call(site, make, "POST", "/crm/v3/properties/contacts", prop)[0] == 201
        status, body = call(
            site, use, "POST", "/crm/v3/objects/contacts", {"properties": {name: "blue"}}
        )
        assert status == 201, body
        status, body = call(
            site, use, "GET", f"/crm/v3/objects/contacts/{body['id']}?properties={name}"
        )
        assert body["properties"][name] == "blue"
        flt = {"propertyName": name, "operator": "EQ", "value": "blue"}
        status, body = call(
            site, use, "POST", "/crm/v3/objects/contacts/search", {"filters": [flt]}
        )
        assert (status, body["total"]) == (200, 1), body

    pipeline = {
        "label": "Partners",
        "displayOrder": 2,
        "stages": [{"label": "Talking", "displayOrder": 0, "metadata": {"probability": "0.5"}}],
    }
    status, created = call(site, a, "POST", "/crm/v3/pipelines/deals", pipeline)
    assert status == 201, created
    deal = {
        "dealname": "Via B",
        "pipeline": created["id"],
        "dealstage": created["stages"][0]["id"],
    }
    status, body = call(site, b, "POST", "/crm/v3/objects/deals", {"properties": deal})
    assert status == 201, body

    status, labels = call(
        site,
        a,
        "POST",
        "/crm/v4/associations/contacts/companies/labels",
        {"label": "Adviser", "name": "adviser"},
    )
    assert status == 200, labels
    type_id = labels["results"][0]["typeId"]
    contact = call(site, b, "POST", "/crm/v3/objects/contacts", {"properties": {}})[1]["id"]
    company = call(site, b, "POST", "/crm/v3/objects/companies", {"properties": {"name": "X"}})
    link = [{"associationCategory": "USER_DEFINED", "associationTypeId": type_id}]
    path = f"/crm/v4/objects/contacts/{contact}/associations/companies/{company[1]['id']}"
    status, body = call(site, b, "PUT", path, link)
    assert status in (200, 201), body


def test_owner_role_and_token_changes_reach_every_process(two):
    site, a, b = two
    made = site.python(
        "from comptoir.core.permissions import scoped_objects\n"
        "from comptoir.core.testing.factories import make_user\n"
        "from comptoir.users.services import create_token\n"
        "from comptoir.users.teams_and_roles import save_role\n"
        "scopes = {n: {'view': 'all', 'edit': 'all'} for n in scoped_objects()}\n"
        "role = save_role(None, 'Integrations', scopes, {'can_use_api': True})\n"
        "user = make_user('robot@example.com', role='Integrations')\n"
        "print(user.owner.pk, create_token(user, 'robot')[1])\n"
    )
    owner_id, token = made.strip().splitlines()[-1].split()
    for url in (a, b):  # both know the token, its user, its role and the owners
        assert call(site, url, "GET", "/crm/v3/owners/", token=token)[0] == 200
    # A new owner, made by another process: both servers take it at once.
    new_owner = (
        site.python(
            "from comptoir.core.testing.factories import make_user\n"
            "print(make_user('late@example.com').owner.pk)\n"
        )
        .strip()
        .splitlines()[-1]
    )
    for url in (a, b):
        props = {"properties": {"hubspot_owner_id": new_owner}}
        status, body = call(site, url, "POST", "/crm/v3/objects/contacts", props, token=token)
        assert status == 201, body
    # The role loses the API right: both servers refuse the token on their next request.
    site.python(
        "from comptoir.core.permissions import scoped_objects\n"
        "from comptoir.users.models import Role\n"
        "from comptoir.users.teams_and_roles import save_role\n"
        "scopes = {n: {'view': 'all', 'edit': 'all'} for n in scoped_objects()}\n"
        "save_role(Role.objects.get(name='Integrations'), 'Integrations', scopes, {})\n"
    )
    for url in (a, b):
        status, body = call(site, url, "GET", "/crm/v3/owners/", token=token)
        assert (status, body["category"]) == (403, "FORBIDDEN"), body
    # The site's own token, revoked through another process: 401 everywhere at once.
    for url in (a, b):
        assert call(site, url, "GET", "/crm/v3/owners/")[0] == 200
    site.python(
        "from comptoir.users.models import ApiToken\n"
        "from comptoir.users.services import revoke_token\n"
        "for token in ApiToken.objects.all():\n"
        "    revoke_token(token)\n"
    )
    for url in (a, b):
        status, body = call(site, url, "GET", "/crm/v3/owners/")
        assert (status, body["category"]) == (401, "INVALID_AUTHENTICATION"), body
    assert owner_id
