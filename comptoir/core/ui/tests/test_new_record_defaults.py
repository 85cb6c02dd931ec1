"""What a record made in the browser starts with (issue 14, point 5): the creating user as
owner (contacts, companies, deals), a deal in the first pipeline's first stage, and a deal
made from a contact's card associated with the contact's primary company too. The API
takes what it is given."""

import pytest

from comptoir.core.associations.services import associated_ids
from comptoir.core.pipelines.queries import default_pipeline_id, stages
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.core.testing.html import parse, select_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def camille(client):
    user = make_user("camille@example.com", first_name="Camille", last_name="Martin")
    client.force_login(user)
    return user


def first_stage():
    pipeline = default_pipeline_id("deals")
    stage = next(s.stage_id for s in stages("deals").values() if s.pipeline_id == pipeline)
    return pipeline, stage


@pytest.mark.parametrize(
    ("ot", "form"),
    [
        ("contacts", {"email": "paul@exemple.fr", "firstname": "Paul"}),
        ("companies", {"name": "Globex", "domain": "globex.fr"}),
        ("deals", {"dealname": "Renouvellement"}),
    ],
)
def test_a_record_created_in_the_browser_is_owned_by_its_creator(client, camille, ot, form):
    # The dialog starts with the user chosen as owner.
    dialog = parse(client.get(f"/{ot}/create/").content.decode())
    chosen = select_one(dialog, "select[name=hubspot_owner_id] option[selected]")
    assert chosen.get("value") == str(camille.owner.pk)

    response = client.post(f"/{ot}/create/", form)

    assert response.status_code == 302, response.content.decode()[:500]
    record = base_queryset(ot).get()
    assert record.hubspot_owner_id == camille.owner.pk


def test_an_owner_left_empty_on_purpose_stays_empty(client, camille):
    client.post("/contacts/create/", {"email": "paul@exemple.fr", "hubspot_owner_id": ""})
    assert base_queryset("contacts").get().hubspot_owner_id is None


def test_a_new_deal_starts_in_the_first_pipeline_and_its_first_stage(client, camille):
    pipeline, stage = first_stage()
    dialog = parse(client.get("/deals/create/").content.decode())
    assert select_one(dialog, "select[name=pipeline] option[selected]").get("value") == pipeline
    assert select_one(dialog, "select[name=dealstage] option[selected]").get("value") == stage

    response = client.post("/deals/create/", {"dealname": "Renouvellement"})

    assert response.status_code == 302, response.content.decode()[:500]
    deal = base_queryset("deals").get()
    assert (deal.pipeline, deal.dealstage) == (pipeline, stage)


def test_a_deal_made_from_a_contacts_card_joins_the_contacts_primary_company(client, camille):
    acme = make_company(name="Acme", domain="acme.fr")
    lea = make_contact(email="lea@acme.fr", firstname="Léa", hubspot_owner_id=camille.owner.pk)
    assert associated_ids("contacts", lea.pk, "companies") == [acme.pk]

    response = client.post(
        f"/contacts/{lea.pk}/associations/deals/create/",
        {"dealname": "Acme – renouvellement"},  # noqa: RUF001
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200, response.content.decode()[:500]
    deal = base_queryset("deals").get()
    assert associated_ids("deals", deal.pk, "contacts") == [lea.pk]
    assert associated_ids("deals", deal.pk, "companies") == [acme.pk]
    assert deal.hubspot_owner_id == camille.owner.pk
    assert (deal.pipeline, deal.dealstage) == first_stage()


def test_the_api_leaves_the_owner_as_given(client):
    from comptoir.users.services import create_token

    admin = make_user("api@example.com", role="Super admin")
    token = create_token(admin, "Tests")[1]
    response = client.post(
        "/crm/v3/objects/contacts",
        {"properties": {"email": "api@exemple.fr"}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    assert base_queryset("contacts").get().hubspot_owner_id is None
