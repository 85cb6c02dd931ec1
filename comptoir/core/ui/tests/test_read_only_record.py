"""A record the user may see but not change (issue 14, point 6): the page offers no change,
and a change sent anyway is refused with a message the page shows."""

import pytest

from comptoir.activities.models import Activity
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.core.testing.html import select

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rep_client(client):
    rep = make_user("rep2@example.com", role="Sales rep")
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    return client, rep


def _contact(owner_id):
    acme = make_company(name="Acme", hubspot_owner_id=owner_id)
    return make_contact(
        email=f"lea{owner_id}@acme.fr",
        firstname="Léa",
        hubspot_owner_id=owner_id,
        associations=[("companies", acme.pk, None)],
    ), acme


def test_a_colleagues_record_offers_no_change_and_refuses_a_note(rep_client):
    client, _rep = rep_client
    boss = make_user("boss2@example.com")
    contact, acme = _contact(boss.owner.pk)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert select(html, "#card-companies a")  # the company is shown...
    assert not select(html, "#card-companies .assoc-add")  # ...with nothing to change it
    assert not select(html, "#card-companies .assoc-actions")
    assert not select(html, "#about-props .edit-trigger")
    assert not select(html, "#composer")
    card = client.get(f"/contacts/{contact.pk}/associations/companies/", **HX).content.decode()
    assert not select(card, ".assoc-add") and not select(card, ".assoc-actions")
    props = client.get(f"/contacts/{contact.pk}/properties/").content.decode()
    assert not select(props, ".edit-trigger")

    before = Activity.objects.count()
    response = client.post(f"/contacts/{contact.pk}/log/note/", {"hs_note_body": "Vu"}, **HX)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "You can see this record but not change it."
    assert Activity.objects.count() == before
    response = client.post(f"/contacts/{contact.pk}/associations/companies/{acme.pk}/remove/", **HX)
    assert response.status_code == 403
    assert response.content.decode() == "You can see this record but not change it."


def test_the_reps_own_record_offers_every_change(rep_client):
    client, rep = rep_client
    contact, _acme = _contact(rep.owner.pk)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert select(html, "#card-companies .assoc-add")
    assert select(html, "#card-companies .assoc-actions")
    assert select(html, "#about-props .edit-trigger")
    assert select(html, "#composer")
    response = client.post(f"/contacts/{contact.pk}/log/note/", {"hs_note_body": "Vu"}, **HX)
    assert response.status_code == 200


def test_the_stage_bar_is_not_clickable_for_a_colleagues_deal(rep_client):
    from comptoir.core.testing.factories import make_deal

    client, rep = rep_client
    boss = make_user("boss3@example.com")
    theirs = make_deal(dealname="Theirs", hubspot_owner_id=boss.owner.pk)
    mine = make_deal(dealname="Mine", hubspot_owner_id=rep.owner.pk)
    assert not select(client.get(f"/deals/{theirs.pk}/").content.decode(), "#stage-bar button")
    assert select(client.get(f"/deals/{mine.pk}/").content.decode(), "#stage-bar button")
