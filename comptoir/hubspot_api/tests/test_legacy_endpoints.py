"""The legacy read-only endpoints connectors still call (issue 15, point 6), in HubSpot's
shapes and paging, with the v3 API's scopes and permissions; and HubSpot's JSON 404 on
any API-looking path that does not exist. Plain HTTP (the Python SDK has none of these
calls); Airbyte's source-hubspot reads each of them with exactly these parameters."""

import pytest

from comptoir.core.associations.services import associate
from comptoir.core.testing.factories import UI, make_activity, make_company, make_contact, make_deal
from comptoir.users.services import create_token
from comptoir.users.tests.helpers import two_private_reps

pytestmark = pytest.mark.django_db


def get(http, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = http("GET", path, params=params, headers=headers)
    return response.status_code, response.json()


def walk(http, path, items: str, more: str, offset: str, param: str, token=None, **params):
    """Every item over the pages, and how many pages it took."""
    seen, pages, at = [], 0, None
    while True:
        query = dict(params, **({param: at} if at is not None else {}))
        status, body = get(http, path, token, **query)
        assert status == 200, body
        pages += 1
        seen += body[items]
        if not body[more]:
            return seen, pages
        at = body[offset]


def test_properties_v2_lists_every_property(http):
    for key in ("contact", "contacts", "0-1"):
        status, body = get(http, f"/properties/v2/{key}/properties")
        assert status == 200 and isinstance(body, list)
        email = next(p for p in body if p["name"] == "email")
        assert (email["type"], email["fieldType"], email["groupName"]) == (
            "string",
            "text",
            "contactinformation",
        )
        assert isinstance(email["createdAt"], int | None)
    status, body = get(http, "/properties/v2/deal/properties")
    stage = next(p for p in body if p["name"] == "dealstage")
    assert {o["value"] for o in stage["options"]} >= {"closedwon", "closedlost"}


def test_pipelines_v1_in_hubspot_shape(http):
    status, body = get(http, "/crm-pipelines/v1/pipelines/deals")
    assert status == 200
    default = body["results"][0]
    assert (default["pipelineId"], default["objectType"], default["active"]) == (
        "default",
        "DEAL",
        True,
    )
    won = next(s for s in default["stages"] if s["stageId"] == "closedwon")
    assert won["metadata"] == {"isClosed": "true", "probability": "1.0"}
    assert isinstance(default["createdAt"], int)


def test_records_pages_follow_each_endpoint_paging(http):
    contacts = [make_contact(email=f"p{i}@example.com", firstname=f"P{i}") for i in range(5)]
    companies = [make_company(name=f"Co {i}") for i in range(5)]
    deal = make_deal(dealname="Big", associations=[("contacts", contacts[0].pk, None)])
    more_deals = [make_deal(dealname=f"D{i}") for i in range(4)]

    seen, pages = walk(
        http,
        "/contacts/v1/lists/all/contacts/all",
        "contacts",
        "has-more",
        "vid-offset",
        "vidOffset",
        count=2,
        property=["email", "firstname"],
    )
    assert [c["vid"] for c in seen] == [c.pk for c in contacts] and pages == 3
    first = seen[0]
    assert first["canonical-vid"] == first["vid"]
    assert first["properties"]["email"]["value"] == "p0@example.com"
    assert first["identity-profiles"][0]["identities"][0] == {
        "type": "EMAIL",
        "value": "p0@example.com",
        "timestamp": first["addedAt"],
        "is-primary": True,
    }

    seen, pages = walk(
        http,
        "/companies/v2/companies/paged",
        "companies",
        "has-more",
        "offset",
        "offset",
        limit=2,
        properties=["name", "domain"],
    )
    assert [c["companyId"] for c in seen] == [c.pk for c in companies] and pages == 3
    assert seen[1]["properties"]["name"]["value"] == "Co 1"
    assert "domain" not in seen[1]["properties"]  # unset: absent, as in HubSpot's v2

    seen, pages = walk(
        http,
        "/deals/v1/deal/paged",
        "deals",
        "hasMore",
        "offset",
        "offset",
        limit=3,
        properties="dealname,dealstage",
        includeAssociations="true",
    )
    assert [d["dealId"] for d in seen] == [d.pk for d in [deal, *more_deals]] and pages == 2
    assert seen[0]["properties"]["dealname"]["value"] == "Big"
    assert seen[0]["associations"]["associatedVids"] == [contacts[0].pk]


def test_engagements_page_over_every_type(http):
    contact = make_contact(email="e@example.com")
    made = [
        make_activity("notes", hs_note_body="Hello", associations=[("contacts", contact.pk, None)]),
        make_activity("tasks", hs_task_subject="Call back"),
        make_activity("calls", hs_call_title="Intro", hs_call_body="Talked"),
        make_activity("meetings", hs_meeting_title="Demo"),
        make_activity("emails", hs_email_subject="Offer"),
    ]
    seen, pages = walk(
        http,
        "/engagements/v1/engagements/paged",
        "results",
        "hasMore",
        "offset",
        "offset",
        limit=2,
    )
    assert [e["engagement"]["id"] for e in seen] == [r.pk for r in made] and pages == 3
    note = seen[0]
    assert note["engagement"]["type"] == "NOTE"
    assert note["metadata"] == {"body": "Hello"}
    assert note["associations"]["contactIds"] == [contact.pk]
    assert [e["engagement"]["type"] for e in seen] == ["NOTE", "TASK", "CALL", "MEETING", "EMAIL"]
    assert seen[2]["metadata"]["title"] == "Intro"
    # Airbyte asks with `count` instead of `limit`.
    status, body = get(http, "/engagements/v1/engagements/paged", count=250)
    assert len(body["results"]) == 5 and body["hasMore"] is False
    status, body = get(
        http, "/engagements/v1/engagements/recent/modified", since=note["engagement"]["lastUpdated"]
    )
    assert status == 200 and [e["engagement"]["id"] for e in body["results"]] == [
        r.pk for r in made
    ]


def test_owners_v2(http, api_user):
    status, body = get(http, "/owners/v2/owners")
    assert status == 200 and isinstance(body, list)
    mine = next(o for o in body if o["email"] == api_user.email)
    assert (mine["ownerId"], mine["activeUserId"], mine["isActive"]) == (
        api_user.owner.pk,
        api_user.pk,
        True,
    )
    status, body = get(http, "/owners/v2/owners", email=api_user.email.upper())
    assert [o["ownerId"] for o in body] == [api_user.owner.pk]


def test_a_private_rep_sees_only_her_records_everywhere(http):
    """Alice's token: Bruno's records are absent, and so are their ids in her records'
    associations (her note and her deal are linked to his contact too)."""
    world = two_private_reps()
    alice, bruno = world["Aaa"], world["Bbb"]
    associate("notes", alice["note"].pk, "contacts", bruno["contact"].pk, source=UI)
    associate("deals", alice["deal"].pk, "contacts", bruno["contact"].pk, source=UI)
    token = create_token(world["alice"], "alice")[1]

    _, body = get(http, "/contacts/v1/lists/all/contacts/all", token)
    assert [c["vid"] for c in body["contacts"]] == [alice["contact"].pk]
    _, body = get(http, "/companies/v2/companies/paged", token)
    assert [c["companyId"] for c in body["companies"]] == [alice["company"].pk]
    _, body = get(http, "/deals/v1/deal/paged", token, includeAssociations="true")
    assert [d["dealId"] for d in body["deals"]] == [alice["deal"].pk]
    assert body["deals"][0]["associations"]["associatedVids"] == [alice["contact"].pk]
    _, body = get(http, "/engagements/v1/engagements/paged", token)
    ids = {e["engagement"]["id"]: e for e in body["results"]}
    assert set(ids) == {alice["task"].pk, alice["note"].pk}
    assert ids[alice["note"].pk]["associations"]["contactIds"] == [alice["contact"].pk]


def test_scopes_are_the_v3_ones(http, api_user):
    token = create_token(api_user, "owners only", ["crm.objects.owners.read"])[1]
    for path in (
        "/contacts/v1/lists/all/contacts/all",
        "/companies/v2/companies/paged",
        "/deals/v1/deal/paged",
        "/engagements/v1/engagements/paged",
        "/properties/v2/contacts/properties",
        "/crm-pipelines/v1/pipelines/deals",
    ):
        status, body = get(http, path, token)
        assert (status, body["category"]) == (403, "MISSING_SCOPES"), path
    assert get(http, "/owners/v2/owners", token)[0] == 200
    token = create_token(api_user, "contacts only", ["crm.objects.contacts.read"])[1]
    assert get(http, "/owners/v2/owners", token)[1]["category"] == "MISSING_SCOPES"
    response = http("GET", "/deals/v1/deal/paged", auth=False)
    assert response.status_code == 401
    assert response.json()["category"] == "INVALID_AUTHENTICATION"


@pytest.mark.parametrize(
    "path",
    [
        "/crm/v3/nothing",
        "/properties/v1/contacts/properties",
        "/engagements/v2/engagements",
        "/contacts/v1/contact/vid/1/profile",
        "/owners/v3/owners",
        "/crm-pipelines/v1/nothing/here/at/all",
        "/marketing/v3/forms",
        "/email/public/v1/campaigns",
        "/settings/v3/users",
        "/automation/v3/workflows",
    ],
)
def test_unknown_api_paths_answer_hubspot_json_404(http, path):
    response = http("GET", path)
    assert response.status_code == 404
    body = response.json()
    assert (body["status"], body["category"]) == ("error", "OBJECT_NOT_FOUND")
    assert body["correlationId"]


def test_pages_still_answer_their_own_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code in (302, 404)
    assert not response.get("Content-Type", "").startswith("application/json")


def test_odd_parameters_answer_json_never_a_500(http):
    """Found by the API fuzz test: a NUL in a property name, a `since` past any date and an
    offset past any id."""
    for path, params in (
        ("/contacts/v1/lists/all/contacts/all", {"property": "a\0b"}),
        ("/deals/v1/deal/paged", {"properties": "a\0b"}),
        ("/engagements/v1/engagements/recent/modified", {"since": "3893782312053892"}),
    ):
        response = http("GET", path, params=params)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["category"] == "VALIDATION_ERROR"
    status, body = get(http, "/companies/v2/companies/paged", offset="9" * 40)
    assert (status, body["companies"], body["has-more"]) == (200, [], False)
    response = http("GET", "/owners/v9/nothing", params={"x": "\0"})
    assert response.status_code in (400, 404) and response.json()["status"] == "error"
