"""Search and property values as HubSpot treats them (issue 15, point 3), through the SDK.

* A top-level `filters` list (no `filterGroups`), as Airbyte's incremental sync sends it,
  is ANDed (HubSpot/hubspot-api-nodejs#491: the API takes it and ANDs every filter).
* A multiple-checkbox value `a;b` matches EQ/IN on any selected option (HubSpot's search
  treats its options as a set: the GraphQL `__in` on a multiple checkbox documents the
  same partial match).
* CONTAINS_TOKEN with `*` applies the wildcard per word ("eps*" finds "delta epsilon").
* A `date` property refuses a time that is not midnight UTC, with HubSpot's INVALID_DATE
  message ("... is at 20:36:01.954 UTC, not midnight!")."""

import json

import pytest
from hubspot.crm.contacts import (
    ApiException,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import PropertyCreate

pytestmark = pytest.mark.django_db


def create_contact(hubspot, **props):
    return hubspot.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties=props)
    ).id


def search(hubspot, body: dict) -> list[str]:
    """Ids found; a plain dict goes through the SDK untouched (reference §1.3)."""
    result = hubspot.crm.contacts.search_api.do_search(body)
    return sorted(r.id for r in result.results)


def rejected(hubspot, body: dict) -> dict:
    with pytest.raises(ApiException) as caught:
        hubspot.crm.contacts.search_api.do_search(body)
    assert caught.value.status == 400
    return json.loads(caught.value.body)


def eq(name, value):
    return {"propertyName": name, "operator": "EQ", "value": value}


def search_one(hubspot, name, operator, **value) -> list[str]:
    """Ids found by one filter, `value=` or `values=` as the operator takes it."""
    flt = {"propertyName": name, "operator": operator, **value}
    return search(hubspot, {"filterGroups": [{"filters": [flt]}]})


def test_top_level_filters_are_anded(hubspot):
    both = create_contact(hubspot, firstname="Ann", lastname="Martin")
    create_contact(hubspot, firstname="Ann", lastname="Durand")
    create_contact(hubspot, firstname="Bob", lastname="Martin")
    assert search(hubspot, {"filters": [eq("firstname", "ann"), eq("lastname", "martin")]}) == [
        both
    ]
    # Beside groups, the list is ANDed with their OR.
    body = {
        "filters": [eq("lastname", "martin")],
        "filterGroups": [
            {"filters": [eq("firstname", "ann")]},
            {"filters": [eq("firstname", "x")]},
        ],
    }
    assert search(hubspot, body) == [both]


def test_incremental_sync_pages_through_a_top_level_filter(hubspot):
    """Airbyte's incremental read: `filters` on hs_lastmodifieddate GTE, sorted ascending,
    pages of `limit` followed by `after`: it must see only the records modified since."""
    ids = [create_contact(hubspot, firstname=f"c{i}") for i in range(7)]
    changed = sorted(ids[4:])
    for pk in changed:
        hubspot.crm.contacts.basic_api.update(
            pk, SimplePublicObjectInput(properties={"jobtitle": "x"})
        )
    since = hubspot.crm.contacts.basic_api.get_by_id(changed[0]).updated_at
    body = {
        "filters": [
            {
                "propertyName": "lastmodifieddate",
                "operator": "GTE",
                "value": int(since.timestamp() * 1000),
            }
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["firstname"],
        "limit": 2,
    }
    seen, total = [], None
    while True:
        page = hubspot.crm.contacts.search_api.do_search(body)
        total = page.total
        seen += [r.id for r in page.results]
        if not page.paging:
            break
        body["after"] = page.paging.next.after
    assert sorted(seen) == changed and total == len(changed)


def test_top_level_filters_count_in_the_limits(hubspot):
    seven = [eq("firstname", str(i)) for i in range(7)]
    assert "Too many filters in a group" in rejected(hubspot, {"filters": seven})["message"]
    groups = [{"filters": [eq("firstname", str(i)) for i in range(6)]} for _ in range(2)]
    body = {"filterGroups": groups, "filters": seven[:6] + seven[:1]}
    assert rejected(hubspot, body)["category"] == "VALIDATION_ERROR"
    body = {"filterGroups": groups + groups[:1], "filters": [eq("firstname", "x")]}
    assert "Too many filters (19)" in rejected(hubspot, body)["message"]
    assert "filters[0]" in rejected(hubspot, {"filters": ["x"]})["message"]


@pytest.fixture
def tags_property(hubspot):
    options = [
        {"label": v.title(), "value": v, "displayOrder": i, "hidden": False}
        for i, v in enumerate(["a", "b", "c", "A"])
    ]
    hubspot.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(
            name="tags",
            label="Tags",
            type="enumeration",
            field_type="checkbox",
            group_name="contactinformation",
            options=options,
        ),
    )
    return "tags"


def test_multiple_checkbox_filters_match_any_selected_option(hubspot, tags_property):
    ab = create_contact(hubspot, tags="a;b")
    c = create_contact(hubspot, tags="c")
    upper = create_contact(hubspot, tags="A")
    none = create_contact(hubspot, firstname="none")

    def found(operator, key, value):
        return search_one(hubspot, "tags", operator, **{key: value})

    assert found("EQ", "value", "a") == [ab]  # enumerations are case-sensitive
    assert found("EQ", "value", "b") == [ab]
    assert found("IN", "values", ["c", "z"]) == [c]
    assert found("IN", "values", ["b", "c"]) == sorted([ab, c])
    assert found("NEQ", "value", "a") == sorted([c, upper, none])
    assert found("NOT_IN", "values", ["a"]) == sorted([c, upper, none])
    assert found("NOT_IN", "values", ["b", "c"]) == sorted([upper, none])
    assert found("CONTAINS_TOKEN", "value", "b") == [ab]


def test_contains_token_wildcard_applies_per_word(hubspot):
    delta = create_contact(hubspot, firstname="delta epsilon")
    create_contact(hubspot, firstname="deltaepsilon")
    eps = create_contact(hubspot, firstname="Epsilon")

    def found(value):
        return search_one(hubspot, "firstname", "CONTAINS_TOKEN", value=value)

    assert found("eps*") == sorted([delta, eps])
    assert found("*silon") != []
    assert found("delta eps*") == [delta]  # white space: over the whole value


def test_date_property_refuses_a_time_other_than_midnight_utc(hubspot):
    hubspot.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(
            name="renewal",
            label="Renewal",
            type="date",
            field_type="date",
            group_name="contactinformation",
        ),
    )
    for refused in (1606768561954, "1606768561954", "2020-11-30T20:36:01Z"):
        with pytest.raises(ApiException) as caught:
            create_contact(hubspot, renewal=refused)
        assert caught.value.status == 400
        body = json.loads(caught.value.body)
        assert body["errors"][0]["code"] == "INVALID_DATE", body
        assert "20:36:01" in body["errors"][0]["message"]
        assert "UTC, not midnight!" in body["errors"][0]["message"]
    for accepted in (1606694400000, "2020-11-30", "2020-11-30T00:00:00Z"):
        pk = create_contact(hubspot, renewal=accepted)
        stored = hubspot.crm.contacts.basic_api.get_by_id(pk, properties=["renewal"])
        assert stored.properties["renewal"] == "2020-11-30"
    # A filter value is a day whatever its time: any instant of that UTC day finds it.
    assert len(search_one(hubspot, "renewal", "EQ", value="1606768561954")) == 3
