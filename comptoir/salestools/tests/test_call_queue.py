"""The call queue (TOOL-8): from a selection or a view, one contact after the other, each
call logged on the contact's timeline; only the contacts the user may see."""

import json

import pytest

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset, display_name
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.salestools.models import CallQueue, CallQueueEntry
from comptoir.users.roles import SALES_REP_PRIVATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    acme = make_company(name="Acme", domain="acme.fr")
    return [
        make_contact(
            email="lea@acme.fr", firstname="Léa", lastname="Lefèvre", phone="+33 1 23 45 67 89"
        ),
        make_contact(
            email="paul@gmail.com",
            firstname="Paul",
            lastname="Durand",
            mobilephone="06 12 34 56 78",
        ),
        make_contact(email="zoe@gmail.com", firstname="Zoé", lastname="Martin"),
        acme,
    ]


def start(client, ids):
    response = client.post("/sales-tools/calls/new/", {"ids": [str(i) for i in ids]})
    assert response.status_code == 302
    return CallQueue.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def test_start_calling_from_a_selection_walks_through_the_contacts(client_in, contacts):
    lea, paul, zoe, acme = contacts
    queue = start(client_in, [lea.pk, paul.pk, zoe.pk])
    url = f"/sales-tools/calls/{queue.pk}/"

    html = client_in.get(url).content.decode()
    assert "Léa Lefèvre" in html and "Contact 1 of 3" in html and "0 of 3 done" in html
    assert 'href="tel:+33123456789"' in html  # the number as typed, dialable
    assert ">Acme<" in html  # her company, from the email domain
    entry = queue.entries.get(contact_id=lea.pk)

    response = client_in.post(
        f"{url}log/",
        {
            "entry": entry.pk,
            "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7",  # Connected
            "hs_call_direction": "OUTBOUND",
            "duration_minutes": "4",
            "hs_call_body": "Interested, send the offer.",
        },
    )
    assert response.status_code == 302 and response.url == f"{url}?after={entry.pk}"
    entry.refresh_from_db()
    assert entry.state == CallQueueEntry.CALLED
    call = base_queryset("calls").get(pk=entry.call_id)
    assert int(call.properties["hs_call_duration"]) == 4 * 60 * 1000
    assert call.properties["hs_call_title"] == "Call with Léa Lefèvre"
    # On her timeline and her company's, like a call logged from the record page.
    assert associated_ids("calls", call.pk, "contacts") == [lea.pk]
    assert associated_ids("calls", call.pk, "companies") == [acme.pk]

    html = client_in.get(response.url).content.decode()
    assert "Call with Léa Lefèvre logged." in html and "Next: Paul Durand" in html
    assert 'data-countdown="5"' in html  # auto-advance is on by default

    html = client_in.get(url).content.decode()
    assert "Paul Durand" in html and "Contact 2 of 3" in html and "1 of 3 done" in html
    assert 'href="tel:0612345678"' in html and "Call mobile 06 12 34 56 78" in html
    paul_entry = queue.entries.get(contact_id=paul.pk)
    assert client_in.post(f"{url}skip/", {"entry": paul_entry.pk}).status_code == 302

    html = client_in.get(url).content.decode()
    assert "Zoé Martin" in html and "This contact has no phone number" in html
    zoe_entry = queue.entries.get(contact_id=zoe.pk)
    client_in.post(f"{url}skip/", {"entry": zoe_entry.pk})
    html = client_in.get(url).content.decode()
    assert "Queue finished" in html and "1 call logged" in html and "2 contacts skipped." in html


def test_a_refused_call_keeps_the_contact_and_what_was_typed(client_in, contacts):
    lea = contacts[0]
    queue = start(client_in, [lea.pk])
    entry = queue.entries.get()
    response = client_in.post(
        f"/sales-tools/calls/{queue.pk}/log/",
        {"entry": entry.pk, "duration_minutes": "ten", "hs_call_body": "Voicemail"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a number of minutes." in html and "Voicemail" in html and "Léa Lefèvre" in html
    entry.refresh_from_db()
    assert entry.state == CallQueueEntry.PENDING
    assert not base_queryset("calls").exists()


def test_logging_twice_the_same_contact_logs_one_call(client_in, contacts):
    """A double submit (or two tabs): the second post finds the contact done."""
    lea, paul = contacts[0], contacts[1]
    queue = start(client_in, [lea.pk, paul.pk])
    entry = queue.entries.get(contact_id=lea.pk)
    data = {"entry": entry.pk, "hs_call_body": "Talked"}
    client_in.post(f"/sales-tools/calls/{queue.pk}/log/", data)
    response = client_in.post(f"/sales-tools/calls/{queue.pk}/log/", data, follow=True)
    assert "This contact was already done" in response.content.decode()
    assert base_queryset("calls").count() == 1


def test_call_the_contacts_of_a_view_uses_its_filters_and_sort(client_in, contacts):
    filters = json.dumps(
        [
            {
                "filters": [
                    {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*gmail.com"}
                ]
            }
        ]
    )
    response = client_in.post(
        f"/sales-tools/calls/new/?filters={filters}&sort=lastname", {"scope": "view"}
    )
    assert response.status_code == 302
    queue = CallQueue.objects.get()
    names = [
        display_name("contacts", base_queryset("contacts").get(pk=e.contact_id))
        for e in queue.entries.all()
    ]
    assert names == ["Paul Durand", "Zoé Martin"]


def test_only_contacts_the_user_may_see_and_only_own_queues(client, contacts):
    lea, paul = contacts[0], contacts[1]
    rep = make_user("rep@example.com", role=SALES_REP_PRIVATE)
    other = make_user("other@example.com", role=SALES_REP_PRIVATE)
    from comptoir.core.records.writes import update_record
    from comptoir.core.testing.factories import UI

    update_record("contacts", paul, {"hubspot_owner_id": str(rep.owner.pk)}, source=UI)
    client.force_login(rep)
    queue = start(client, [lea.pk, paul.pk])  # Léa is not the rep's: left out
    assert [e.contact_id for e in queue.entries.all()] == [paul.pk]
    response = client.post("/sales-tools/calls/new/", {"ids": [str(lea.pk)]}, follow=True)
    assert "Select at least one contact to call." in response.content.decode()

    client.force_login(other)
    assert client.get(f"/sales-tools/calls/{queue.pk}/").status_code == 404
    assert client.post(f"/sales-tools/calls/{queue.pk}/delete/").status_code == 404


def test_a_contact_deleted_meanwhile_is_skipped(client_in, contacts):
    from comptoir.core.records.writes import archive_record
    from comptoir.core.testing.factories import UI

    lea, paul = contacts[0], contacts[1]
    queue = start(client_in, [lea.pk, paul.pk])
    archive_record("contacts", lea.pk, source=UI)
    html = client_in.get(f"/sales-tools/calls/{queue.pk}/").content.decode()
    assert "Paul Durand" in html and "Contact 2 of 2" in html
    assert queue.entries.get(contact_id=lea.pk).state == CallQueueEntry.SKIPPED


def test_queue_settings_and_index(client_in, contacts):
    queue = start(client_in, [contacts[0].pk])
    url = f"/sales-tools/calls/{queue.pk}/settings/"
    response = client_in.post(url, {"delay_seconds": "90"}, follow=True)
    assert "Enter a delay in seconds, from 0 to 60." in response.content.decode()
    queue.refresh_from_db()
    assert queue.auto_advance and queue.delay_seconds == 5
    client_in.post(url, {"delay_seconds": "0"})
    queue.refresh_from_db()
    assert not queue.auto_advance and queue.delay_seconds == 0

    html = client_in.get("/sales-tools/").content.decode()
    assert queue.name in html and "0 of 1 done" in html and "Start calling" in html
    client_in.post(f"/sales-tools/calls/{queue.pk}/delete/")
    assert "No call queue yet" in client_in.get("/sales-tools/").content.decode()


def test_reorder_the_contacts_still_to_call(client_in, contacts):
    lea, paul, zoe, _acme = contacts
    queue = start(client_in, [lea.pk, paul.pk, zoe.pk])
    url = f"/sales-tools/calls/{queue.pk}/"
    html = client_in.get(url).content.decode()
    assert "Up next" in html and html.index("Paul Durand") < html.index("Zoé Martin")

    zoe_entry = queue.entries.get(contact_id=zoe.pk)
    response = client_in.post(f"{url}move/", {"entry": zoe_entry.pk, "to": "next"})
    assert response.status_code == 302
    order = list(queue.entries.order_by("position").values_list("contact_id", flat=True))
    assert order == [lea.pk, zoe.pk, paul.pk]  # Léa, on screen, stays first
    client_in.post(f"{url}move/", {"entry": zoe_entry.pk, "to": "down"})
    order = list(queue.entries.order_by("position").values_list("contact_id", flat=True))
    assert order == [lea.pk, paul.pk, zoe.pk]

    # Done contacts keep their places; moving one is refused in words.
    lea_entry = queue.entries.get(contact_id=lea.pk)
    client_in.post(f"{url}skip/", {"entry": lea_entry.pk})
    refused = client_in.post(f"{url}move/", {"entry": lea_entry.pk, "to": "down"}, follow=True)
    assert "This contact was already done in this queue." in refused.content.decode()
    client_in.post(f"{url}move/", {"entry": zoe_entry.pk, "to": "up"})
    pending = queue.entries.filter(state=CallQueueEntry.PENDING).order_by("position")
    assert [e.contact_id for e in pending] == [zoe.pk, paul.pk]
    positions = list(queue.entries.values_list("position", flat=True))
    assert len(set(positions)) == len(positions)

    hostile = client_in.post(f"{url}move/", {"entry": "x'--", "to": "<b>"}, follow=True)
    assert hostile.status_code == 200
    bad_way = client_in.post(f"{url}move/", {"entry": zoe_entry.pk, "to": "sideways"}, follow=True)
    assert "Choose up, down or next." in bad_way.content.decode()


def test_nobody_reorders_anothers_queue(client, contacts):
    owner = make_user("owner@example.com")
    client.force_login(owner)
    queue = start(client, [c.pk for c in contacts[:3]])
    entry = queue.entries.order_by("position").last()
    client.force_login(make_user("other@example.com"))
    response = client.post(
        f"/sales-tools/calls/{queue.pk}/move/", {"entry": entry.pk, "to": "next"}
    )
    assert response.status_code == 404
    assert queue.entries.order_by("position").last().pk == entry.pk
