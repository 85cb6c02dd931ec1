"""Through the real SDK, a private rep (Alice) can neither write into nor find out about a
record of another rep's (Bruno's): every association path answers for his record exactly
as it answers once that record is gone, and a duplicate email or domain names no id of his.
The comparisons purge Bruno's record between the two calls, so both name the same id."""

import json

import pytest
from hubspot.crm.associations import BatchInputPublicAssociation

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import purge_records
from comptoir.core.testing.factories import make_user
from comptoir.users.roles import SALES_REP
from comptoir.users.services import create_token
from comptoir.users.tests.helpers import two_private_reps

pytestmark = pytest.mark.django_db

NOISE = {"correlationId", "startedAt", "completedAt", "requestedAt", "started_at", "completed_at"}


@pytest.fixture
def reps():
    return two_private_reps()


@pytest.fixture
def alice(reps, sdk_for):
    return sdk_for(create_token(reps["alice"], "alice")[1])


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in NOISE}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def answer(call):
    """What the caller learns: the error's status and body, or the result (no timestamps,
    no correlation id)."""
    try:
        result = call()
    except Exception as exc:
        if not hasattr(exc, "body"):
            raise
        return exc.status, _clean(json.loads(exc.body))
    return "ok", _clean(result.to_dict() if hasattr(result, "to_dict") else result)


def same_as_missing(call, object_type, pk):
    """`call` answers for the invisible record `pk` as once it is gone; returns the answer."""
    seen = answer(call)
    purge_records(object_type, [pk])
    gone = answer(call)
    assert seen == gone
    return seen


def link(to_id, type_id):
    return {
        "to": {"id": str(to_id)},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


def deal_input(*links, trace=None):
    body = {"properties": {"dealname": "Hijack", "dealstage": "closedwon"}}
    if links:
        body["associations"] = list(links)
    if trace:
        body["objectWriteTraceId"] = trace
    return body


def untouched(reps):
    """Bruno's contact kept its links and its lifecycle stage (his deal made it an
    opportunity; a closed-won deal of Alice's would make it a customer)."""
    theirs = reps["Bbb"]["contact"]
    contact = base_queryset("contacts").get(pk=theirs.pk)
    assert associated_ids("contacts", theirs.pk, "deals") == [reps["Bbb"]["deal"].pk]
    assert associated_ids("contacts", theirs.pk, "notes") == [reps["Bbb"]["note"].pk]
    assert contact.lifecyclestage == "opportunity"


# -- point 1: association paths ----------------------------------------------------------------


def test_inline_associations_on_create_answer_as_for_a_missing_record(reps, alice):
    theirs = reps["Bbb"]["contact"].pk
    deals = base_queryset("deals").count()

    def create_deal():
        return alice.crm.deals.basic_api.create(deal_input(link(theirs, 3)))

    def create_note():
        return alice.crm.objects.notes.basic_api.create(
            {
                "properties": {"hs_timestamp": "2026-01-02T10:00:00Z", "hs_note_body": "x"},
                "associations": [link(theirs, 202)],
            }
        )

    def batch(trace=None):
        return lambda: alice.crm.deals.batch_api.create(
            {"inputs": [deal_input(link(theirs, 3), trace=trace)]}
        )

    calls = {"deal": create_deal, "note": create_note, "batch": batch(), "207": batch("t-1")}
    seen = {name: answer(call) for name, call in calls.items()}
    assert seen["deal"][0] == 400 and seen["deal"][1]["category"] == "VALIDATION_ERROR"
    assert seen["207"][0] == "ok" and seen["207"][1]["num_errors"] == 1
    untouched(reps)
    assert base_queryset("deals").count() == deals
    purge_records("contacts", [theirs])
    assert {name: answer(call) for name, call in calls.items()} == seen


def test_a_visible_target_is_enough_the_source_being_new(reps, sdk_for):
    """A rep who sees every record (but changes only hers) may link her new deal to
    another rep's contact, as in HubSpot; a private rep's own contact works too."""
    rita = make_user("rita@example.com", role=SALES_REP)
    rep = sdk_for(create_token(rita, "rita")[1])
    theirs = reps["Bbb"]["contact"].pk
    deal = rep.crm.deals.basic_api.create(deal_input(link(theirs, 3)))
    assert int(deal.id) in associated_ids("contacts", theirs, "deals")
    mine = reps["Aaa"]["contact"].pk
    alice = sdk_for(create_token(reps["alice"], "alice")[1])
    deal = alice.crm.deals.basic_api.create(deal_input(link(mine, 3)))
    assert int(deal.id) in associated_ids("contacts", mine, "deals")


@pytest.mark.parametrize("path", ["v4 put", "v4 default", "v4 batch", "v4 batch default", "v3"])
def test_association_endpoints_answer_as_for_a_missing_target(reps, alice, path):
    mine, theirs = reps["Aaa"]["deal"].pk, reps["Bbb"]["contact"].pk
    v4 = alice.crm.associations.v4
    pair = {"from": {"id": str(mine)}, "to": {"id": str(theirs)}}
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]
    calls = {
        "v4 put": lambda: v4.basic_api.create("deals", mine, "contacts", theirs, spec),
        "v4 default": lambda: v4.basic_api.create_default("deals", mine, "contacts", theirs),
        "v4 batch": lambda: v4.batch_api.create(
            "deals", "contacts", {"inputs": [pair | {"types": spec}]}
        ),
        "v4 batch default": lambda: v4.batch_api.create_default(
            "deals", "contacts", {"inputs": [pair]}
        ),
        "v3": lambda: alice.crm.associations.batch_api.create(
            "deals",
            "contacts",
            BatchInputPublicAssociation(inputs=[pair | {"type": "deal_to_contact"}]),
        ),
    }
    same_as_missing(calls[path], "contacts", theirs)
    assert associated_ids("deals", mine, "contacts") == [reps["Aaa"]["contact"].pk]


def test_association_endpoints_answer_as_for_a_missing_source(reps, alice):
    theirs, mine = reps["Bbb"]["contact"].pk, reps["Aaa"]["deal"].pk
    v4 = alice.crm.associations.v4
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4}]
    answered = same_as_missing(
        lambda: v4.basic_api.create("contacts", theirs, "deals", mine, spec), "contacts", theirs
    )
    assert answered[0] == 404


# -- point 3: uniqueness names no id of an invisible record ------------------------------------


HIDDEN_EMAIL = "A contact with this email already exists."
HIDDEN_DOMAIN = "A company with this domain already exists."


def conflict(call):
    status, body = answer(call)
    assert status == 409 and body["category"] == "CONFLICT", (status, body)
    return body


def test_a_duplicate_email_names_the_existing_id_only_when_the_caller_sees_it(reps, alice):
    mine, theirs = reps["Aaa"]["contact"], reps["Bbb"]["contact"]
    contacts = alice.crm.contacts

    def create(email):
        return lambda: contacts.basic_api.create({"properties": {"email": email}})

    body = conflict(create(mine.email))
    assert body["message"] == f"Contact already exists. Existing ID: {mine.pk}"
    assert body["context"] == {"id": [str(mine.pk)]}

    hidden = [
        create(theirs.email),
        create(theirs.email.upper()),
        lambda: contacts.batch_api.create({"inputs": [{"properties": {"email": theirs.email}}]}),
        lambda: contacts.batch_api.upsert(
            {"inputs": [{"id": theirs.email, "idProperty": "email", "properties": {}}]}
        ),
        lambda: contacts.basic_api.update(mine.pk, {"properties": {"email": theirs.email}}),
    ]
    for call in hidden:
        body = conflict(call)
        assert body["message"] == HIDDEN_EMAIL and "context" not in body, body
    partial = answer(
        lambda: contacts.batch_api.create(
            {"inputs": [{"properties": {"email": theirs.email}, "objectWriteTraceId": "t"}]}
        )
    )[1]
    error = partial["errors"][0]
    assert error["category"] == "CONFLICT" and str(theirs.pk) not in error["message"]
    assert base_queryset("contacts").get(pk=mine.pk).email == mine.email


def test_a_duplicate_domain_names_no_invisible_company(reps, alice):
    mine, theirs = reps["Aaa"]["company"], reps["Bbb"]["company"]
    companies = alice.crm.companies
    body = conflict(lambda: companies.basic_api.create({"properties": {"domain": mine.domain}}))
    assert body["message"].endswith(f"Existing ID: {mine.pk}")
    for call in (
        lambda: companies.basic_api.create({"properties": {"domain": theirs.domain}}),
        lambda: companies.basic_api.update(mine.pk, {"properties": {"domain": theirs.domain}}),
        lambda: companies.batch_api.upsert(
            {"inputs": [{"id": theirs.domain, "idProperty": "domain", "properties": {}}]}
        ),
    ):
        body = conflict(call)
        assert body["message"] == HIDDEN_DOMAIN and "context" not in body, body


# -- point 8: a rep who may change only her records owns what she creates ----------------------


def test_records_created_without_an_owner_belong_to_a_rep_who_edits_only_hers(reps, sdk_for):
    rita = make_user("rita@example.com", role=SALES_REP)
    rep = sdk_for(create_token(rita, "rita")[1]).crm.contacts
    created = rep.basic_api.create({"properties": {"email": "new@example.com"}})
    batch = rep.batch_api.create({"inputs": [{"properties": {"email": "batch@example.com"}}]})
    upserted = rep.batch_api.upsert(
        {"inputs": [{"id": "up@example.com", "idProperty": "email", "properties": {}}]}
    )
    for record_id in (created.id, batch.results[0].id, upserted.results[0].id):
        changed = rep.basic_api.update(record_id, {"properties": {"jobtitle": "Buyer"}})
        assert changed.properties["jobtitle"] == "Buyer"
        record = base_queryset("contacts").get(pk=record_id)
        assert record.hubspot_owner_id == rita.owner.pk


# -- the email-domain automation: HubSpot's reach, never an id the caller names -----------------


def test_the_domain_automation_reaches_no_further_than_in_hubspot(reps, alice):
    """A contact whose email has the domain of Bruno's company joins it, as in HubSpot
    (the system's rule, not Alice's choice), and his company keeps its owner and its name
    hidden. Naming that company besides is refused as a missing one, and nothing at all
    is created then; nor can Alice label or change the link the automation made."""
    theirs = reps["Bbb"]["company"]
    contacts = alice.crm.contacts
    email = f"new@{theirs.domain}"
    refused = answer(
        lambda: contacts.basic_api.create(
            {"properties": {"email": email}, "associations": [link(theirs.pk, 279)]}
        )
    )
    assert refused[0] == 400 and not base_queryset("contacts").filter(email=email).exists()

    created = contacts.basic_api.create({"properties": {"email": email}})
    assert associated_ids("contacts", created.id, "companies") == [theirs.pk]
    company = base_queryset("companies").get(pk=theirs.pk)
    assert company.hubspot_owner_id == reps["bruno"].owner.pk
    read = contacts.basic_api.get_by_id(created.id, associations=["companies"])
    assert read.associations is None  # Alice may not see the company
    v4 = alice.crm.associations.v4.basic_api
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]
    for call in (
        lambda: v4.create("contacts", created.id, "companies", theirs.pk, spec),
        lambda: v4.archive("contacts", created.id, "companies", theirs.pk),
    ):
        assert answer(call)[0] == 404
    assert associated_ids("contacts", created.id, "companies") == [theirs.pk]
