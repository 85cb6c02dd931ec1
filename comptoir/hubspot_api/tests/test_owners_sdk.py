"""crm.owners through the official SDK (reference §2.5), and both owners URLs over HTTP."""

import json

import pytest
from hubspot.crm.owners import ApiException
from hubspot.crm.owners.exceptions import NotFoundException

from comptoir.users.models import Owner
from comptoir.users.services import add_to_team, create_token, create_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(api_user):
    """Two more users; Claire is in two teams, Bob's owner is archived."""
    claire = create_user(
        "claire@example.com",
        "Pass-word-123",
        first_name="Claire",
        last_name="Durand",
        team="West",
        check_password=False,
    )
    add_to_team(claire, "East", primary=False)
    bob = create_user("bob@example.com", "Pass-word-123", first_name="Bob", check_password=False)
    Owner.objects.filter(user=bob).update(archived=True)  # test setup: a departed user
    return api_user, claire, bob


@pytest.mark.sdk_both_modes
def test_get_page_get_all_and_filters(hubspot, sales):
    api_user, _claire, bob = sales
    page = hubspot.crm.owners.owners_api.get_page()
    assert [o.email for o in page.results] == ["api@example.com", "claire@example.com"]
    assert page.paging is None
    first, second = page.results
    assert (first.id, first.type, first.first_name, first.last_name) == (
        str(api_user.owner.pk),
        "PERSON",
        "Api",
        "User",
    )
    assert first.user_id == api_user.pk and first.user_id_including_inactive == api_user.pk
    assert first.archived is False and first.created_at.tzinfo is not None
    assert first.teams == []
    assert [(t.name, t.primary) for t in second.teams] == [("West", True), ("East", False)]
    assert all(t.id.isdigit() for t in second.teams)

    small = hubspot.crm.owners.owners_api.get_page(limit=1)
    assert [o.email for o in small.results] == ["api@example.com"]
    assert small.paging.next.after == second.id
    rest = hubspot.crm.owners.owners_api.get_page(limit=1, after=small.paging.next.after)
    assert [o.email for o in rest.results] == ["claire@example.com"] and rest.paging is None

    everyone = hubspot.crm.owners.get_all()
    assert [o.email for o in everyone] == ["api@example.com", "claire@example.com"]
    two_pages = hubspot.crm.owners.get_all(limit=2)
    assert len(two_pages) == 2

    by_email = hubspot.crm.owners.owners_api.get_page(email="CLAIRE@example.com")
    assert [o.id for o in by_email.results] == [second.id]
    archived = hubspot.crm.owners.owners_api.get_page(archived=True)
    assert [(o.email, o.archived) for o in archived.results] == [("bob@example.com", True)]
    assert archived.results[0].user_id is None
    assert archived.results[0].user_id_including_inactive == bob.pk


def test_get_by_id_and_user_id(hubspot, sales):
    _api_user, claire, bob = sales
    owner = hubspot.crm.owners.owners_api.get_by_id(claire.owner.pk)
    assert (owner.id, owner.email, owner.user_id) == (
        str(claire.owner.pk),
        "claire@example.com",
        claire.pk,
    )
    by_user = hubspot.crm.owners.owners_api.get_by_id(claire.pk, id_property="userId")
    assert by_user.id == owner.id

    with pytest.raises(NotFoundException) as caught:
        hubspot.crm.owners.owners_api.get_by_id(bob.owner.pk)
    assert json.loads(caught.value.body)["category"] == "OBJECT_NOT_FOUND"
    departed = hubspot.crm.owners.owners_api.get_by_id(bob.owner.pk, archived=True)
    assert departed.archived is True and departed.user_id is None
    with pytest.raises(NotFoundException):
        hubspot.crm.owners.owners_api.get_by_id(999999)
    with pytest.raises(ApiException) as caught:
        hubspot.crm.owners.owners_api.get_by_id(claire.owner.pk, id_property="email")
    assert caught.value.status == 400


# -- plain HTTP ------------------------------------------------------------------------------------


def assert_hubspot_error(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "error" and body["message"] and body["correlationId"]
    return body


@pytest.mark.parametrize("path", ["/crm/v3/owners", "/crm/v3/owners/"])
def test_both_owner_urls_answer_without_redirect(http, api_user, path):
    # The SDK sends Content-Type: application/json on this bodiless GET; so do we.
    response = http(
        "GET", path, allow_redirects=False, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert [o["email"] for o in response.json()["results"]] == ["api@example.com"]
    assert "paging" not in response.json()
    paged = http("GET", f"{path}?limit=1&archived=False", allow_redirects=False)
    assert paged.status_code == 200


def test_owner_paging_link_and_bad_queries(http, sales):
    page = http("GET", "/crm/v3/owners/?limit=1").json()
    link = page["paging"]["next"]["link"]
    assert "after=" in link and "limit=1" in link
    assert_hubspot_error(http("GET", "/crm/v3/owners/?limit=many"), 400)
    assert_hubspot_error(http("GET", "/crm/v3/owners/?limit=0"), 400)
    assert_hubspot_error(http("GET", "/crm/v3/owners?after=abc"), 400)
    assert_hubspot_error(http("GET", "/crm/v3/owners?archived=sometimes"), 400)
    assert_hubspot_error(http("GET", "/crm/v3/owners/abc"), 400)
    assert_hubspot_error(http("GET", "/crm/v3/owners/1?idProperty=email"), 400)
    assert_hubspot_error(http("GET", "/crm/v3/owners/424242"), 404)
    assert_hubspot_error(http("GET", "/crm/v3/owners", auth=False), 401)


def test_owners_need_the_owners_scope(http, api_user):
    raw = create_token(api_user, "contacts only", ["crm.objects.contacts.read"])[1]
    response = http("GET", "/crm/v3/owners/", headers={"Authorization": f"Bearer {raw}"})
    assert assert_hubspot_error(response, 403)["category"] == "MISSING_SCOPES"
