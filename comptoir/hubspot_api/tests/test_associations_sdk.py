"""crm.associations (v4 and legacy v3) through the official SDK (reference §2.7-2.8, §5.5)."""

import json

import pytest
from hubspot.crm.associations import BatchInputPublicAssociation, BatchInputPublicObjectId
from hubspot.crm.associations import PublicAssociation as V3Association
from hubspot.crm.associations import PublicObjectId as V3ObjectId
from hubspot.crm.associations.exceptions import ApiException as V3ApiException
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicAssociationMultiArchive,
    PublicAssociationMultiPost,
    PublicDefaultAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
    PublicObjectId,
)
from hubspot.crm.associations.v4.exceptions import (
    ApiException,
    ForbiddenException,
    NotFoundException,
)
from hubspot.crm.associations.v4.schema import (
    PublicAssociationDefinitionCreateRequest,
    PublicAssociationDefinitionUpdateRequest,
)
from hubspot.crm.associations.v4.schema.exceptions import ApiException as SchemaApiException
from hubspot.crm.associations.v4.schema.exceptions import (
    NotFoundException as SchemaNotFoundException,
)

from comptoir.core.associations.services import associations_by_target
from comptoir.core.testing.factories import make_activity, make_company, make_contact, make_deal
from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db

HS, USER = "HUBSPOT_DEFINED", "USER_DEFINED"


def spec(type_id, category=HS):
    return AssociationSpec(association_category=category, association_type_id=type_id)


def ids(pk):
    return PublicObjectId(id=str(pk))


def types_of(page, to_id):
    """{typeId: label} of one target in a get_page / batch read result."""
    entry = next(r for r in page if r.to_object_id == str(to_id))
    return {(t.category, t.type_id): t.label for t in entry.association_types}


def make(object_type, n=""):
    if object_type == "contacts":
        return make_contact(email=f"c{n}@example.com").pk
    if object_type == "companies":
        return make_company(name=f"Company {n}").pk
    if object_type == "deals":
        return make_deal(dealname=f"Deal {n}", dealstage="appointmentscheduled").pk
    return make_activity(object_type).pk


# -- basic_api -------------------------------------------------------------------------------


@pytest.mark.sdk_both_modes
def test_create_default_then_get_page_from_both_sides(hubspot):
    contact, company = make("contacts"), make("companies")
    result = hubspot.crm.associations.v4.basic_api.create_default(
        "contacts", contact, "companies", company
    )
    assert result.status == "COMPLETE" and result.completed_at.tzinfo is not None
    first = result.results[0]
    assert (first._from.id, first.to.id) == (str(contact), str(company))
    assert (
        first.association_spec.association_category,
        first.association_spec.association_type_id,
    ) == (HS, 279)
    assert result.results[1].association_spec.association_type_id == 280

    # The contact's first company also becomes its primary one, as in HubSpot.
    page = hubspot.crm.associations.v4.basic_api.get_page("contacts", contact, "companies")
    assert [r.to_object_id for r in page.results] == [str(company)]
    assert types_of(page.results, company) == {(HS, 1): "Primary", (HS, 279): None}
    assert page.paging is None
    back = hubspot.crm.associations.v4.basic_api.get_page("0-2", company, "0-1")
    assert types_of(back.results, contact) == {(HS, 2): "Primary", (HS, 280): None}


def test_create_sets_exactly_the_given_labels(hubspot):
    contact, company = make("contacts"), make("companies")
    basic = hubspot.crm.associations.v4.basic_api
    pair = basic.create("contacts", contact, "companies", company, [spec(1)])
    assert (pair.from_object_type_id, pair.from_object_id) == ("0-1", str(contact))
    assert (pair.to_object_type_id, pair.to_object_id) == ("0-2", str(company))
    assert pair.labels == ["Primary"]
    assert types_of(basic.get_page("contacts", contact, "companies").results, company) == {
        (HS, 1): "Primary",
        (HS, 279): None,
    }
    assert types_of(basic.get_page("companies", company, "contacts").results, contact) == {
        (HS, 2): "Primary",
        (HS, 280): None,
    }
    fetched = hubspot.crm.contacts.basic_api.get_by_id(contact, properties=["associatedcompanyid"])
    assert fetched.properties["associatedcompanyid"] == str(company)

    # Replace semantics: only the unlabeled association is left; the primary is gone.
    pair = basic.create("contacts", contact, "companies", company, [spec(279)])
    assert pair.labels == []
    assert types_of(basic.get_page("contacts", contact, "companies").results, company) == {
        (HS, 279): None
    }
    fetched = hubspot.crm.contacts.basic_api.get_by_id(contact, properties=["associatedcompanyid"])
    assert fetched.properties["associatedcompanyid"] is None


def test_archive_removes_every_label_on_both_sides(hubspot):
    deal, company = make("deals"), make("companies")
    basic = hubspot.crm.associations.v4.basic_api
    pair = basic.create("deals", deal, "companies", company, [spec(5)])
    assert pair.labels == ["Primary"]
    assert types_of(basic.get_page("companies", company, "deals").results, deal) == {
        (HS, 6): "Primary",
        (HS, 342): None,
    }
    assert basic.archive("deal", deal, "company", company) is None
    assert basic.get_page("deals", deal, "companies").results == []
    assert basic.get_page("companies", company, "deals").results == []


PRIMARY = {("contacts", "companies"): (1, 2), ("deals", "companies"): (5, 6)}
HUBSPOT_DEFINED_IDS = [
    ("contacts", "companies", 279, 280),
    ("deals", "contacts", 3, 4),
    ("deals", "companies", 341, 342),
    ("companies", "calls", 181, 182),
    ("companies", "emails", 185, 186),
    ("companies", "meetings", 187, 188),
    ("companies", "notes", 189, 190),
    ("companies", "tasks", 191, 192),
    ("contacts", "calls", 193, 194),
    ("contacts", "emails", 197, 198),
    ("contacts", "meetings", 199, 200),
    ("contacts", "notes", 201, 202),
    ("contacts", "tasks", 203, 204),
    ("deals", "calls", 205, 206),
    ("deals", "emails", 209, 210),
    ("deals", "meetings", 211, 212),
    ("deals", "notes", 213, 214),
    ("deals", "tasks", 215, 216),
]


def test_hubspot_defined_type_ids_per_direction(hubspot):
    """One test, not 18: each transactional test costs a flush (slow on PostgreSQL)."""
    sdk = hubspot
    basic = sdk.crm.associations.v4.basic_api
    for n, (a, b, forward, backward) in enumerate(HUBSPOT_DEFINED_IDS):
        x, y = make(a, f"x{n}"), make(b, f"y{n}")
        result = basic.create_default(a, x, b, y)
        assert [r.association_spec.association_type_id for r in result.results] == [
            forward,
            backward,
        ], (a, b)
        primary = PRIMARY.get((a, b))  # a first company also becomes the primary one
        expected = {(HS, forward): None, **({(HS, primary[0]): "Primary"} if primary else {})}
        expected_back = {(HS, backward): None, **({(HS, primary[1]): "Primary"} if primary else {})}
        assert types_of(basic.get_page(a, x, b).results, y) == expected, (a, b)
        assert types_of(basic.get_page(b, y, a).results, x) == expected_back, (a, b)
        labels = sdk.crm.associations.v4.schema.definitions_api.get_all(a, b).results
        assert (HS, forward, None) in {(t.category, t.type_id, t.label) for t in labels}


def test_object_types_by_plural_singular_and_type_id(hubspot):
    for n, (contact_key, company_key) in enumerate(
        [
            ("contacts", "companies"),
            ("contact", "company"),
            ("0-1", "0-2"),
            ("CONTACT", "Companies"),
        ]
    ):
        contact, company = make("contacts", str(n)), make("companies", str(n))
        pair = hubspot.crm.associations.v4.basic_api.create(
            contact_key, contact, company_key, company, [spec(279)]
        )
        assert (pair.from_object_type_id, pair.to_object_type_id, pair.labels) == ("0-1", "0-2", [])
        page = hubspot.crm.associations.v4.basic_api.get_page(company_key, company, contact_key)
        assert types_of(page.results, contact) == {(HS, 280): None}
        types = hubspot.crm.associations.schema.types_api.get_all(contact_key, company_key)
        assert {(t.id, t.name) for t in types.results} >= {
            ("279", "contact_to_company_unlabeled"),
            ("1", "contact_to_company"),
        }


def test_get_page_walks_with_after_and_limit(hubspot):
    contact = make("contacts")
    companies = sorted(make("companies", str(i)) for i in range(5))
    for company in companies:
        hubspot.crm.associations.v4.basic_api.create_default(
            "contacts", contact, "companies", company
        )
    basic = hubspot.crm.associations.v4.basic_api
    seen, after = [], None
    while True:
        page = basic.get_page("contacts", contact, "companies", limit=2, after=after)
        seen += [int(r.to_object_id) for r in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == companies
    assert len(basic.get_page("contacts", contact, "companies").results) == 5


def test_single_endpoint_errors(hubspot):
    contact, company, note, call = make("contacts"), make("companies"), make("notes"), make("calls")
    basic = hubspot.crm.associations.v4.basic_api
    with pytest.raises(NotFoundException) as missing:
        basic.create("contacts", contact, "companies", 987654321, [spec(279)])
    assert json.loads(missing.value.body)["category"] == "OBJECT_NOT_FOUND"
    with pytest.raises(NotFoundException):
        basic.create_default("contacts", 987654321, "companies", company)
    with pytest.raises(NotFoundException):
        basic.get_page("contacts", 987654321, "companies")
    with pytest.raises(NotFoundException):
        basic.archive("contacts", contact, "companies", 987654321)
    # The reverse direction's id, an unknown id, a wrong category: 400 and nothing written.
    for bad in (spec(280), spec(999), spec(279, USER), spec(1, "INTEGRATOR_DEFINED")):
        with pytest.raises(ApiException) as refused:
            basic.create("contacts", contact, "companies", company, [bad])
        assert refused.value.status == 400
        assert json.loads(refused.value.body)["category"] == "VALIDATION_ERROR"
    with pytest.raises(ApiException) as unknown_type:
        basic.create("contacts", contact, "widgets", company, [spec(279)])
    assert unknown_type.value.status == 400
    with pytest.raises(ApiException) as no_pair:
        basic.create_default("notes", note, "calls", call)
    assert no_pair.value.status == 400
    assert basic.get_page("contacts", contact, "companies").results == []


# -- batch_api --------------------------------------------------------------------------------


def multi_post(from_id, to_id, *type_ids):
    return PublicAssociationMultiPost(
        _from=ids(from_id), to=ids(to_id), types=[spec(t) for t in type_ids]
    )


def test_batch_create_201_then_207_with_missing_ids(hubspot):
    contact = make("contacts")
    first, second = make("companies", "1"), make("companies", "2")
    batch = hubspot.crm.associations.v4.batch_api
    created = batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[multi_post(contact, first, 1), multi_post(contact, second, 279)]
        ),
    )
    assert type(created).__name__ == "BatchResponseLabelsBetweenObjectPair"
    assert [(r.to_object_id, r.labels) for r in created.results] == [
        (str(first), ["Primary"]),
        (str(second), []),
    ]
    assert created.results[0].from_object_type_id == "0-1"

    partial = batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                multi_post(contact, second, 1),
                multi_post(contact, 987654321, 279),
                multi_post(987654322, first, 279),
            ]
        ),
    )
    assert type(partial).__name__ == "BatchResponseLabelsBetweenObjectPairWithErrors"
    assert partial.num_errors == 2 and len(partial.errors) == 2
    assert {e.category for e in partial.errors} == {"OBJECT_NOT_FOUND"}
    assert partial.errors[0].context == {"toObjectId": ["987654321"]}
    assert [(r.to_object_id, r.labels) for r in partial.results] == [(str(second), ["Primary"])]
    # One primary company per contact: the second one took it over.
    found = associations_by_target("contacts", [contact], "companies")[contact]
    assert found == {first: [279], second: [1, 279]}


def test_batch_create_default_and_batch_read(hubspot):
    contacts = [make("contacts", str(i)) for i in range(3)]
    company = make("companies")
    batch = hubspot.crm.associations.v4.batch_api
    created = batch.create_default(
        "companies",
        "contacts",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[
                PublicDefaultAssociationMultiPost(_from=ids(company), to=ids(c))
                for c in contacts[:2]
            ]
        ),
    )
    assert [r.association_spec.association_type_id for r in created.results] == [280, 279] * 2
    assert created.errors is None

    read = batch.get_page(
        "companies",
        "contacts",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=str(company))]
        ),
    )
    assert type(read).__name__ == "BatchResponsePublicAssociationMultiWithLabel"
    assert read.results[0]._from.id == str(company)
    assert sorted(int(t.to_object_id) for t in read.results[0].to) == contacts[:2]
    assert types_of(read.results[0].to, contacts[0]) == {(HS, 2): "Primary", (HS, 280): None}

    # A contact without companies, and one that does not exist: 207, one error each.
    read = batch.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[
                PublicFetchAssociationsBatchRequest(id=str(c))
                for c in (contacts[0], contacts[2], 987654321)
            ]
        ),
    )
    assert type(read).__name__ == "BatchResponsePublicAssociationMultiWithLabelWithErrors"
    assert [r._from.id for r in read.results] == [str(contacts[0])]
    assert read.num_errors == 2
    assert {e.sub_category for e in read.errors} == {"crm.associations.NO_ASSOCIATIONS_FOUND"}
    assert read.errors[0].context["fromObjectId"] == [str(contacts[2])]


def test_batch_create_default_reports_missing_ids_inside_a_200(hubspot):
    contact, company = make("contacts"), make("companies")
    created = hubspot.crm.associations.v4.batch_api.create_default(
        "contacts",
        "companies",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[
                PublicDefaultAssociationMultiPost(_from=ids(contact), to=ids(company)),
                PublicDefaultAssociationMultiPost(_from=ids(contact), to=ids(987654321)),
            ]
        ),
    )
    assert created is not None and created.num_errors == 1
    assert len(created.results) == 2


def test_batch_archive_labels_then_archive(hubspot):
    contact = make("contacts")
    first, second = make("companies", "1"), make("companies", "2")
    batch = hubspot.crm.associations.v4.batch_api
    batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[multi_post(contact, first, 1), multi_post(contact, second, 279)]
        ),
    )
    assert (
        batch.archive_labels(
            "contacts",
            "companies",
            BatchInputPublicAssociationMultiPost(inputs=[multi_post(contact, first, 1)]),
        )
        is None
    )
    found = associations_by_target("contacts", [contact], "companies")[contact]
    assert found == {first: [279], second: [279]}

    assert (
        batch.archive(
            "contacts",
            "companies",
            BatchInputPublicAssociationMultiArchive(
                inputs=[
                    PublicAssociationMultiArchive(
                        _from=ids(contact), to=[ids(first), ids(987654321)]
                    )
                ]
            ),
        )
        is None
    )
    assert associations_by_target("contacts", [contact], "companies")[contact] == {second: [279]}
    # Removing the unlabeled type removes every label (HubSpot's rule).
    batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(inputs=[multi_post(contact, second, 1)]),
    )
    batch.archive_labels(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(inputs=[multi_post(contact, second, 279)]),
    )
    assert associations_by_target("contacts", [contact], "companies") == {}


def test_batch_refuses_invalid_type_ids_as_a_whole(hubspot):
    contact, company = make("contacts"), make("companies")
    with pytest.raises(ApiException) as refused:
        hubspot.crm.associations.v4.batch_api.create(
            "contacts",
            "companies",
            BatchInputPublicAssociationMultiPost(
                inputs=[multi_post(contact, company, 279), multi_post(contact, company, 3)]
            ),
        )
    assert refused.value.status == 400
    assert associations_by_target("contacts", [contact], "companies") == {}


# -- schema.definitions_api (labels) ----------------------------------------------------------


@pytest.mark.sdk_both_modes
def test_labels_create_use_update_remove(hubspot):
    definitions = hubspot.crm.associations.v4.schema.definitions_api
    listed = definitions.get_all("contacts", "companies")
    assert {(t.category, t.type_id, t.label) for t in listed.results} == {
        (HS, 279, None),
        (HS, 1, "Primary"),
    }

    created = definitions.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(
            label="Decision maker", name="decision_maker", inverse_label="Decision maker's company"
        ),
    )
    assert type(created).__name__ == "CollectionResponseAssociationSpecWithLabelNoPaging"
    forward, backward = created.results
    assert (forward.category, forward.label) == (USER, "Decision maker")
    assert (backward.category, backward.label) == (USER, "Decision maker's company")
    assert forward.type_id in {t.type_id for t in definitions.get_all("0-1", "0-2").results}
    assert backward.type_id in {
        t.type_id for t in definitions.get_all("company", "contact").results
    }

    contact, company = make("contacts"), make("companies")
    basic = hubspot.crm.associations.v4.basic_api
    pair = basic.create(
        "contacts", contact, "companies", company, [spec(forward.type_id, USER), spec(1)]
    )
    assert sorted(pair.labels) == ["Decision maker", "Primary"]
    back = basic.get_page("companies", company, "contacts").results
    assert types_of(back, contact)[(USER, backward.type_id)] == "Decision maker's company"
    v3 = hubspot.crm.associations.schema.types_api.get_all("contacts", "companies")
    assert ("decision_maker", str(forward.type_id)) in {(t.name, t.id) for t in v3.results}

    assert (
        definitions.update(
            "contacts",
            "companies",
            PublicAssociationDefinitionUpdateRequest(
                association_type_id=forward.type_id,
                label="Champion",
                inverse_label="Champion's company",
            ),
        )
        is None
    )
    labels = {t.type_id: t.label for t in definitions.get_all("contacts", "companies").results}
    assert labels[forward.type_id] == "Champion"
    back = basic.get_page("companies", company, "contacts").results
    assert types_of(back, contact)[(USER, backward.type_id)] == "Champion's company"

    assert definitions.remove("contacts", "companies", forward.type_id) is None
    assert forward.type_id not in {
        t.type_id for t in definitions.get_all("contacts", "companies").results
    }
    assert types_of(basic.get_page("contacts", contact, "companies").results, company) == {
        (HS, 1): "Primary",
        (HS, 279): None,
    }


def test_label_errors(hubspot):
    definitions = hubspot.crm.associations.v4.schema.definitions_api
    with pytest.raises(SchemaApiException) as builtin:
        definitions.remove("contacts", "companies", 279)
    assert builtin.value.status == 400
    with pytest.raises(SchemaNotFoundException):
        definitions.remove("contacts", "companies", 987654)
    with pytest.raises(SchemaNotFoundException):
        definitions.update(
            "contacts",
            "companies",
            PublicAssociationDefinitionUpdateRequest(association_type_id=987654, label="Nope"),
        )
    definitions.create(
        "contacts", "deals", PublicAssociationDefinitionCreateRequest(label="Buyer", name="buyer")
    )
    with pytest.raises(SchemaApiException) as duplicate:
        definitions.create(
            "contacts",
            "deals",
            PublicAssociationDefinitionCreateRequest(label="Buyer again", name="buyer"),
        )
    assert duplicate.value.status == 400
    with pytest.raises(SchemaApiException) as no_pair:
        definitions.create(
            "notes",
            "calls",
            PublicAssociationDefinitionCreateRequest(label="Linked", name="linked"),
        )
    assert no_pair.value.status == 400


# -- legacy v3 --------------------------------------------------------------------------------


def v3(from_id, to_id, type_name):
    return V3Association(
        _from=V3ObjectId(id=str(from_id)), to=V3ObjectId(id=str(to_id)), type=type_name
    )


@pytest.mark.sdk_both_modes
def test_v3_batch_create_read_archive(hubspot):
    contact = make("contacts")
    first, second = make("companies", "1"), make("companies", "2")
    batch = hubspot.crm.associations.batch_api
    created = batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociation(
            inputs=[
                v3(contact, first, "contact_to_company"),
                v3(contact, second, "contact_to_company_unlabeled"),
            ]
        ),
    )
    assert type(created).__name__ == "BatchResponsePublicAssociation"
    assert [(r._from.id, r.to.id, r.type) for r in created.results] == [
        (str(contact), str(first), "contact_to_company"),
        (str(contact), str(second), "contact_to_company_unlabeled"),
    ]

    partial = batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociation(
            inputs=[v3(contact, 987654321, "contact_to_company_unlabeled")]
        ),
    )
    assert type(partial).__name__ == "BatchResponsePublicAssociationWithErrors"
    assert partial.num_errors == 1 and partial.results == []

    read = batch.read(
        "contacts",
        "companies",
        BatchInputPublicObjectId(inputs=[V3ObjectId(id=str(contact)), V3ObjectId(id="987654321")]),
    )
    assert type(read).__name__ == "BatchResponsePublicAssociationMultiWithErrors"
    assert {(a.id, a.type) for a in read.results[0].to} == {
        (str(first), "contact_to_company"),
        (str(first), "contact_to_company_unlabeled"),
        (str(second), "contact_to_company_unlabeled"),
    }
    assert read.results[0].paging is None
    assert read.errors[0].context["fromObjectId"] == ["987654321"]

    from_company = batch.read(
        "companies", "contacts", BatchInputPublicObjectId(inputs=[V3ObjectId(id=str(first))])
    )
    assert type(from_company).__name__ == "BatchResponsePublicAssociationMulti"
    assert {a.type for a in from_company.results[0].to} == {
        "company_to_contact",
        "company_to_contact_unlabeled",
    }

    assert (
        batch.archive(
            "contacts",
            "companies",
            BatchInputPublicAssociation(inputs=[v3(contact, first, "contact_to_company")]),
        )
        is None
    )
    assert associations_by_target("contacts", [contact], "companies")[contact] == {
        first: [279],
        second: [279],
    }
    batch.archive(
        "contacts",
        "companies",
        BatchInputPublicAssociation(inputs=[v3(contact, first, "contact_to_company_unlabeled")]),
    )
    assert associations_by_target("contacts", [contact], "companies")[contact] == {second: [279]}


def test_v3_types_and_unknown_type_name(hubspot):
    types = hubspot.crm.associations.schema.types_api.get_all("deals", "contacts")
    assert [(t.id, t.name) for t in types.results] == [("3", "deal_to_contact")]
    types = hubspot.crm.associations.schema.types_api.get_all("0-3", "0-2")
    assert {(t.id, t.name) for t in types.results} == {
        ("341", "deal_to_company_unlabeled"),
        ("5", "deal_to_company"),
    }
    deal, contact = make("deals"), make("contacts")
    with pytest.raises(V3ApiException) as refused:
        hubspot.crm.associations.batch_api.create(
            "deals",
            "contacts",
            BatchInputPublicAssociation(inputs=[v3(deal, contact, "contact_to_deal")]),
        )
    assert refused.value.status == 400


# -- plain HTTP: what the SDK cannot send ------------------------------------------------------


def error_of(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error" and body["correlationId"] and body["message"]
    return body


def test_malformed_bodies_get_hubspot_shaped_400s(http):
    contact, company = make("contacts"), make("companies")
    put = f"/crm/v4/objects/contacts/{contact}/associations/companies/{company}"
    for payload in (
        {"associationCategory": HS, "associationTypeId": 279},
        [42],
        [{"associationCategory": HS}],
        [{"associationTypeId": "abc"}],
        [{"associationCategory": "NOPE", "associationTypeId": 279}],
    ):
        body = error_of(http("PUT", put, json=payload), 400)
        assert body["category"] == "VALIDATION_ERROR"
    error_of(http("PUT", put, data="[{", headers={"Content-Type": "application/json"}), 400)
    error_of(http("PUT", put), 400)  # no body at all
    batch = "/crm/v4/associations/contacts/companies/batch"
    error_of(http("POST", f"{batch}/create", json={"inputs": {"from": {"id": contact}}}), 400)
    error_of(http("POST", f"{batch}/create", json=[]), 400)
    error_of(
        http("POST", f"{batch}/create", json={"inputs": [{"to": {"id": company}, "types": []}]}),
        400,
    )
    error_of(
        http(
            "POST",
            f"{batch}/archive",
            json={"inputs": [{"from": {"id": contact}, "to": {"id": company}}]},
        ),
        400,
    )
    too_many = {"inputs": [{"id": str(i + 1)} for i in range(1001)]}
    error_of(http("POST", f"{batch}/read", json=too_many), 400)
    error_of(http("POST", f"{batch}/read", json={"inputs": [{"id": contact, "after": "x"}]}), 400)
    error_of(
        http("POST", "/crm/v4/associations/contacts/companies/labels", json={"name": "x"}), 400
    )
    error_of(
        http(
            "PUT",
            "/crm/v4/associations/contacts/companies/labels",
            json={"associationTypeId": "x", "label": "y"},
        ),
        400,
    )
    error_of(http("DELETE", "/crm/v4/associations/contacts/companies/labels/abc"), 400)
    error_of(
        http(
            "POST",
            "/crm/v3/associations/contacts/companies/batch/create",
            json={"inputs": [{"from": {"id": contact}, "to": {"id": company}}]},
        ),
        400,
    )
    error_of(http("GET", f"/crm/v4/objects/contacts/{contact}/associations/companies?after=x"), 400)
    error_of(http("GET", f"/crm/v4/objects/contacts/{contact}/associations/companies?limit=0"), 400)
    assert associations_by_target("contacts", [contact], "companies") == {}


def test_odd_ids_are_404s_not_500s(http):
    contact, company = make("contacts"), make("companies")
    for bad in ("99999999999999999999999", "abc", "-1", "0", "1.5"):
        body = error_of(
            http("PUT", f"/crm/v4/objects/contacts/{bad}/associations/default/companies/{company}"),
            404,
        )
        assert body["category"] == "OBJECT_NOT_FOUND"
        error_of(http("GET", f"/crm/v4/objects/contacts/{bad}/associations/companies"), 404)
    response = http(
        "POST",
        "/crm/v4/associations/contacts/companies/batch/read",
        json={"inputs": [{"id": "99999999999999999999999"}, {"id": 12}]},
    )
    assert response.status_code == 207 and response.json()["numErrors"] == 2
    response = http(
        "POST",
        "/crm/v4/associations/contacts/companies/batch/create",
        json={
            "inputs": [
                {"from": {"id": "99999999999999999999999"}, "to": {"id": company}, "types": []},
                {"from": {"id": contact}, "to": {"id": company}, "types": []},
            ]
        },
    )
    assert response.status_code == 207
    assert [r["toObjectId"] for r in response.json()["results"]] == [company]
    assert (
        http(
            "POST",
            "/crm/v4/associations/contacts/companies/batch/archive",
            json={"inputs": [{"from": {"id": "x"}, "to": [{"id": 99999999999999999999999}]}]},
        ).status_code
        == 204
    )


def test_wire_shapes(http):
    """Numbers where HubSpot sends numbers; paging only when there is more."""
    contact, company = make("contacts"), make("companies")
    response = http(
        "PUT",
        f"/crm/v4/objects/contact/{contact}/associations/company/{company}",
        json=[{"associationCategory": HS, "associationTypeId": 1}],
    )
    assert response.status_code == 201
    assert response.json() == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": contact,
        "toObjectTypeId": "0-2",
        "toObjectId": company,
        "labels": ["Primary"],
    }
    response = http("GET", f"/crm/v4/objects/contacts/{contact}/associations/companies")
    assert response.json() == {
        "results": [
            {
                "toObjectId": company,
                "associationTypes": [
                    {"category": HS, "typeId": 1, "label": "Primary"},
                    {"category": HS, "typeId": 279, "label": None},
                ],
            }
        ]
    }
    response = http(
        "PUT", f"/crm/v4/objects/contacts/{contact}/associations/companies/{company}", json=[]
    )
    assert response.status_code == 201 and response.json()["labels"] == []
    assert (
        http(
            "DELETE", f"/crm/v4/objects/contacts/{contact}/associations/companies/{company}"
        ).status_code
        == 204
    )


def test_scopes_of_both_object_types_are_required(http, api_user):
    contact, company = make("contacts"), make("companies")
    _, raw = create_token(
        api_user,
        "Contacts only",
        scopes=[
            "crm.objects.contacts.read",
            "crm.objects.contacts.write",
            "crm.objects.companies.read",
        ],
    )
    headers = {"Authorization": f"Bearer {raw}"}
    base = f"/crm/v4/objects/contacts/{contact}/associations"
    body = error_of(
        http("PUT", f"{base}/default/companies/{company}", auth=False, headers=dict(headers)), 403
    )
    assert body["category"] == "MISSING_SCOPES"
    error_of(
        http(
            "POST",
            "/crm/v4/associations/companies/contacts/batch/create",
            auth=False,
            headers=dict(headers),
            json={"inputs": []},
        ),
        403,
    )
    assert http("GET", f"{base}/companies", auth=False, headers=dict(headers)).status_code == 200
    _, raw = create_token(api_user, "Companies only", scopes=["crm.objects.companies.read"])
    response = http(
        "GET", f"{base}/companies", auth=False, headers={"Authorization": f"Bearer {raw}"}
    )
    error_of(response, 403)


def test_sdk_raises_forbidden_without_scope(sdk_for, api_user):
    _, raw = create_token(
        api_user, "Read only", scopes=["crm.objects.contacts.read", "crm.objects.companies.read"]
    )
    sdk = sdk_for(raw)
    contact, company = make("contacts"), make("companies")
    with pytest.raises(ForbiddenException):
        sdk.crm.associations.v4.basic_api.create_default("contacts", contact, "companies", company)
    with pytest.raises(ForbiddenException):
        sdk.crm.associations.v4.batch_api.archive(
            "contacts", "companies", BatchInputPublicAssociationMultiArchive(inputs=[])
        )


def test_labels_between_records_of_one_type(hubspot):
    """Contact to contact: both directions are labels of the same pair (once a 500)."""
    definitions = hubspot.crm.associations.v4.schema.definitions_api
    manager, employee = definitions.create(
        "contacts",
        "contacts",
        PublicAssociationDefinitionCreateRequest(
            label="Manager", name="manager", inverse_label="Employee"
        ),
    ).results
    colleague, colleague_back = definitions.create(
        "0-1", "0-1", PublicAssociationDefinitionCreateRequest(label="Colleague", name="colleague")
    ).results
    labels = {t.type_id: t.label for t in definitions.get_all("contacts", "contacts").results}
    assert labels[manager.type_id] == "Manager" and labels[employee.type_id] == "Employee"
    assert labels[colleague.type_id] == labels[colleague_back.type_id] == "Colleague"
    with pytest.raises(SchemaApiException) as taken:
        definitions.create(
            "contacts", "contacts", PublicAssociationDefinitionCreateRequest(label="Manager")
        )
    assert taken.value.status == 400
    boss, clerk = make("contacts", 1), make("contacts", 2)
    basic = hubspot.crm.associations.v4.basic_api
    pair = basic.create("contacts", boss, "contacts", clerk, [spec(manager.type_id, USER)])
    assert pair.labels == ["Manager"]
    back = basic.get_page("contacts", clerk, "contacts").results
    assert types_of(back, boss)[(USER, employee.type_id)] == "Employee"
