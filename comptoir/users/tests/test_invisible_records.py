"""Holes of issue 13 in the UI: a private rep (Alice) cannot associate anything with
another rep's (Bruno's) record, nor learn its id from a taken email or domain. Each path
answers for Bruno's record exactly as once that record is purged."""

import re

import pytest

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import purge_records
from comptoir.core.testing.factories import make_user
from comptoir.users.roles import SALES_REP
from comptoir.users.tests.helpers import browser, two_private_reps

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def reps():
    return two_private_reps()


def seen_by(client, method, url, data, htmx):
    """(status, body) of one request, without the per-request CSRF tokens."""
    response = getattr(client, method)(url, data, **(HX if htmx else {}))
    if response.status_code in (301, 302):
        response = client.get(response["Location"])
    body = response.content.decode()
    body = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1TOKEN", body)
    return response.status_code, body


def same_as_missing(client, requests, object_type, pk):
    """Each (method, url, data) answers for the invisible record `pk` as once it is gone,
    with htmx and without."""
    calls = [(*request, htmx) for request in requests for htmx in (True, False)]
    seen = [seen_by(client, *call) for call in calls]
    purge_records(object_type, [pk])
    for call, before in zip(calls, seen, strict=True):
        assert seen_by(client, *call) == before, call
    return seen


# -- point 1: association paths of the UI ------------------------------------------------------


def test_adding_another_reps_record_to_a_card_reads_as_a_missing_one(reps):
    alice = browser(reps["alice"])
    mine, theirs = reps["Aaa"], reps["Bbb"]
    card = f"/contacts/{mine['contact'].pk}/associations"
    company, deal = theirs["company"].pk, theirs["deal"].pk
    seen = same_as_missing(
        alice, [("post", f"{card}/companies/add/", {"to_id": company})], "companies", company
    )
    assert seen[0][0] == 404 and "Bbb" not in seen[0][1]
    same_as_missing(alice, [("post", f"{card}/deals/add/", {"to_id": deal})], "deals", deal)
    task = {
        "hs_task_subject": "Call",
        "hs_timestamp": "2030-01-01T10:00",
        "assoc": [f"contacts:{theirs['contact'].pk}"],
    }
    same_as_missing(alice, [("post", "/tasks/add/", task)], "contacts", theirs["contact"].pk)
    assert associated_ids("contacts", mine["contact"].pk, "companies") == []
    assert associated_ids("contacts", mine["contact"].pk, "deals") == [mine["deal"].pk]
    assert base_queryset("tasks").count() == 2


def test_another_reps_record_as_the_source_reads_as_a_missing_one(reps):
    """From Bruno's contact's URL, every write of Alice's answers as for a purged one
    (it answered 404 while a missing record answered 410)."""
    alice = browser(reps["alice"])
    theirs = reps["Bbb"]["contact"].pk
    company = reps["Aaa"]["company"].pk
    base = f"/contacts/{theirs}"
    same_as_missing(
        alice,
        [
            ("post", f"{base}/associations/companies/add/", {"to_id": company}),
            ("post", f"{base}/associations/deals/create/", {"dealname": "x"}),
            ("post", f"{base}/associations/companies/{company}/remove/", {}),
            ("post", f"{base}/properties/jobtitle/", {"jobtitle": "x"}),
            ("post", f"{base}/log/note/", {"hs_note_body": "<p>x</p>"}),
            ("get", f"{base}/timeline/", {}),
        ],
        "contacts",
        theirs,
    )
    assert associated_ids("companies", company, "contacts") == []


def test_a_record_created_from_a_card_belongs_to_its_private_creator(reps):
    """A deal (no automation gives it an owner) created from her contact's card is Alice's:
    unowned, it would vanish from the card at once."""
    alice = browser(reps["alice"])
    contact = reps["Aaa"]["contact"].pk
    response = alice.post(
        f"/contacts/{contact}/associations/deals/create/",
        {"dealname": "Fresh deal", "dealstage": "appointmentscheduled"},
        **HX,
    )
    assert response.status_code == 200 and "Fresh deal" in response.content.decode()
    fresh = base_queryset("deals").get(dealname="Fresh deal")
    assert fresh.hubspot_owner_id == reps["alice"].owner.pk


# -- point 3: a taken email or domain names no id of a record the user may not see -------------


def test_the_create_dialog_and_inline_edits_name_only_visible_duplicates(reps):
    alice = browser(reps["alice"])
    mine, theirs = reps["Aaa"], reps["Bbb"]
    response = alice.post("/contacts/create/", {"email": mine["contact"].email}, **HX)
    assert f"Already used by another record (#{mine['contact'].pk})." in response.content.decode()

    hidden = [
        ("/contacts/create/", {"email": theirs["contact"].email}, "email"),
        ("/companies/create/", {"name": "Copy", "domain": theirs["company"].domain}, "domain"),
        (
            f"/contacts/{mine['contact'].pk}/properties/email/",
            {"email": theirs["contact"].email},
            "email",
        ),
        (
            f"/companies/{mine['company'].pk}/properties/domain/",
            {"domain": theirs["company"].domain},
            "domain",
        ),
        (
            f"/companies/{mine['company'].pk}/associations/contacts/create/",
            {"email": theirs["contact"].email},
            "email",
        ),
    ]
    for url, data, name in hidden:
        response = alice.post(url, data, **HX)
        html = response.content.decode()
        assert response.status_code == 422, url
        assert "Already used by another record." in html or (
            f"with this {name} already exists" in html
        ), url
        for pk in (theirs["contact"].pk, theirs["company"].pk):
            assert f"#{pk})" not in html and f"ID: {pk}" not in html, url
    response = alice.post(
        "/contacts/bulk/",
        {
            "ids": [mine["contact"].pk],
            "action": "edit_property",
            "property": "email",
            "value": theirs["contact"].email,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "A contact with this email already exists." in html
    assert f"ID: {theirs['contact'].pk}" not in html
    assert base_queryset("contacts").get(pk=mine["contact"].pk).email == mine["contact"].email


def test_french_says_it_too(reps):
    alice = browser(reps["alice"])
    alice.cookies["django_language"] = "fr"
    response = alice.post("/contacts/create/", {"email": reps["Bbb"]["contact"].email}, **HX)
    assert "Déjà utilisé par une autre fiche." in response.content.decode()


# -- point 8 in the UI: a rep who edits only her records owns those she creates ---------------


def test_a_rep_who_changes_only_hers_owns_what_she_creates(reps):
    rita = make_user("rita@example.com", role=SALES_REP)
    client = browser(rita)
    assert client.post("/contacts/create/", {"email": "mine@example.com"}).status_code == 302
    created = base_queryset("contacts").get(email="mine@example.com")
    assert created.hubspot_owner_id == rita.owner.pk
    response = client.post(
        f"/contacts/{created.pk}/properties/jobtitle/", {"jobtitle": "Buyer"}, **HX
    )
    assert response.status_code == 200


def test_a_card_search_on_another_reps_record_reads_as_a_missing_one(reps):
    """The card's search leaves out what the record is linked to: on Bruno's contact (linked to
    Alice's company) it would tell Alice that link. It answers as for a purged contact."""
    alice = browser(reps["alice"])
    contact = reps["Bbb"]["contact"].pk
    search = f"/contacts/{contact}/associations/companies/search/"
    seen = same_as_missing(alice, [("get", search, {"q": "Aaa"})], "contacts", contact)
    assert "Aaa Corp" not in seen[0][1]
