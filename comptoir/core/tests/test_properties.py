"""Property registry and value coercion (OBJ-2)."""

import pytest

from comptoir.core.objects.registry import OBJECT_TYPES, UnknownObjectType, get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import DuplicateValue, ValidationFailed
from comptoir.core.records.values import api_properties
from comptoir.core.records.writes import create_record, update_record
from comptoir.core.testing.factories import UI, make_company, make_contact, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("key", "name", "type_id"),
    [
        ("contacts", "contacts", "0-1"),
        ("contact", "contacts", "0-1"),
        ("0-2", "companies", "0-2"),
        ("DEAL", "deals", "0-3"),
        ("tasks", "tasks", "0-27"),
        ("notes", "notes", "0-46"),
        ("calls", "calls", "0-48"),
        ("emails", "emails", "0-49"),
        ("meeting", "meetings", "0-47"),
    ],
)
def test_object_types_answer_to_names_singulars_and_ids(key, name, type_id):
    ot = get_object_type(key)
    assert (ot.name, ot.type_id) == (name, type_id)


def test_unknown_object_type_is_named():
    with pytest.raises(UnknownObjectType, match="tickets"):
        get_object_type("tickets")


def test_every_default_property_is_registered_with_both_labels():
    for ot in OBJECT_TYPES:
        defs = registry.definitions(ot)
        for default in ot.properties:
            defn = defs[default.name]
            assert defn.hubspot_defined and defn.label and defn.label_fr
            assert defn.group_name
        for name in ot.default_properties:
            assert name in defs, f"{ot.name}.{name}"


def test_enumeration_values_are_hubspots():
    contacts = registry.definitions("contacts")
    assert contacts["lifecyclestage"].option_values() == [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    ]
    assert "ATTEMPTED_TO_CONTACT" in contacts["hs_lead_status"].option_values()
    companies = registry.definitions("companies")
    assert "COMPUTER_SOFTWARE" in companies["industry"].option_values()
    assert companies["type"].option_values() == [
        "PROSPECT",
        "PARTNER",
        "RESELLER",
        "VENDOR",
        "OTHER",
    ]
    tasks = registry.definitions("tasks")
    assert {"NOT_STARTED", "COMPLETED"} <= set(tasks["hs_task_status"].option_values())
    calls = registry.definitions("calls")
    assert "f240bbac-87c9-4f6e-bf70-924b57d47db7" in calls["hs_call_disposition"].option_values()


def test_values_sent_by_the_sdk_come_back_as_hubspot_strings():
    company = make_company(
        name="Acme",
        numberofemployees=250,
        annualrevenue=1500000.5,
        description=None,
        domain="HTTPS://WWW.Acme.FR/contact",
    )
    props = api_properties(
        "companies", company, ["numberofemployees", "annualrevenue", "domain", "description"]
    )
    assert props == {
        "numberofemployees": "250",
        "annualrevenue": "1500000.5",
        "domain": "acme.fr",
        "description": None,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00.000Z"),
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z"),
        ("2024-05-01T12:00:00.123456", "2024-05-01T12:00:00.123Z"),
        ("2024-05-01", "2024-05-01T00:00:00.000Z"),
        (1714564800000, "2024-05-01T12:00:00.000Z"),
        ("1714564800000", "2024-05-01T12:00:00.000Z"),
    ],
)
def test_datetimes_accept_iso_and_epoch_ms(raw, expected):
    deal = create_record(
        "deals", {"dealname": "D", "dealstage": "qualifiedtobuy", "closedate": raw}, source=UI
    )
    assert api_properties("deals", deal, ["closedate"])["closedate"] == expected


def test_bools_and_numbers_are_coerced():
    definition = registry.definitions("deals")["amount"]
    assert definition.type == "number"
    deal = create_record(
        "deals", {"dealname": "D", "dealstage": "qualifiedtobuy", "amount": "12000.50"}, source=UI
    )
    assert api_properties("deals", deal, ["amount", "hs_is_closed"]) == {
        "amount": "12000.5",
        "hs_is_closed": "false",
    }


@pytest.mark.parametrize(
    ("props", "name", "code"),
    [
        ({"email": "not-an-email"}, "email", "INVALID_EMAIL"),
        ({"email": "ok@example.com", "lifecyclestage": "Lead"}, "lifecyclestage", "INVALID_OPTION"),
        ({"email": "ok@example.com", "nonexistent": "x"}, "nonexistent", "PROPERTY_DOESNT_EXIST"),
        ({"email": "ok@example.com", "jobtitle": "x" * 65537}, "jobtitle", "TOO_LONG"),
        (
            {
                "email": "ok@example.com",
                "num_associated_deals": "x",
                "hs_pinned_engagement_id": "abc",
            },
            "hs_pinned_engagement_id",
            "INVALID_NUMBER",
        ),
        (
            {"email": "ok@example.com", "hubspot_owner_id": "999999"},
            "hubspot_owner_id",
            "INVALID_OPTION",
        ),
    ],
)
def test_bad_values_are_refused_with_the_property_named(props, name, code):
    with pytest.raises(ValidationFailed) as caught:
        make_contact(**props)
    assert [(e.name, e.code) for e in caught.value.errors] == [(name, code)]
    assert name in str(caught.value)
    from comptoir.contacts.models import Contact

    assert not Contact.objects.exists()


def test_one_bad_value_saves_nothing_of_the_record():
    contact = make_contact(email="a@example.com", firstname="Ann")
    with pytest.raises(ValidationFailed):
        update_record(
            "contacts", contact.pk, {"firstname": "Anne", "lifecyclestage": "nope"}, source=UI
        )
    contact.refresh_from_db()
    assert contact.firstname == "Ann"


def test_read_only_values_are_computed_not_written():
    contact = make_contact(
        email="ro@example.com", hs_object_id="42", createdate="2001-01-01T00:00:00Z"
    )
    props = api_properties("contacts", contact, ["hs_object_id", "createdate"])
    assert props["hs_object_id"] == str(contact.pk)
    assert not props["createdate"].startswith("2001")


def test_email_is_unique_case_insensitively():
    first = make_contact(email="Jane@Example.com")
    with pytest.raises(DuplicateValue) as caught:
        make_contact(email="jane@EXAMPLE.com")
    assert caught.value.existing_id == first.pk
    assert str(caught.value) == f"Contact already exists. Existing ID: {first.pk}"


def test_company_domain_is_unique():
    first = make_company(domain="acme.fr")
    with pytest.raises(DuplicateValue) as caught:
        make_company(domain="www.ACME.fr")
    assert caught.value.existing_id == first.pk


def test_owner_is_validated_and_stored_as_owner_id():
    user = make_user()
    contact = make_contact(email="o@example.com", hubspot_owner_id=user.owner.pk)
    assert api_properties("contacts", contact, ["hubspot_owner_id"]) == {
        "hubspot_owner_id": str(user.owner.pk)
    }


def test_custom_property_created_at_run_time_is_usable():
    from comptoir.core.properties.services import create_property

    create_property(
        "contacts",
        {
            "name": "tier",
            "label": "Tier",
            "type": "enumeration",
            "fieldType": "select",
            "groupName": "contactinformation",
            "options": [{"label": "Gold", "value": "gold"}, {"label": "Silver", "value": "silver"}],
        },
        source=UI,
    )
    contact = make_contact(email="t@example.com", tier="gold")
    assert contact.properties["tier"] == "gold"
    with pytest.raises(ValidationFailed, match="tier"):
        make_contact(email="t2@example.com", tier="bronze")


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (
            {"name": "Bad Name", "label": "X", "type": "string", "fieldType": "text"},
            "name",
            "INVALID_PROPERTY_NAME",
        ),
        (
            {"name": "9lives", "label": "X", "type": "string", "fieldType": "text"},
            "name",
            "INVALID_PROPERTY_NAME",
        ),
        (
            {"name": "email", "label": "X", "type": "string", "fieldType": "text"},
            "name",
            "PROPERTY_EXISTS",
        ),
        ({"name": "x", "label": "", "type": "string", "fieldType": "text"}, "label", "REQUIRED"),
        ({"name": "x", "label": "X", "type": "money", "fieldType": "text"}, "type", "INVALID_TYPE"),
        (
            {"name": "x", "label": "X", "type": "number", "fieldType": "select"},
            "fieldType",
            "INVALID_FIELD_TYPE",
        ),
        (
            {
                "name": "x",
                "label": "X",
                "type": "enumeration",
                "fieldType": "select",
                "options": [],
            },
            "options",
            "REQUIRED",
        ),
        (
            {"name": "x", "label": "X", "type": "string", "fieldType": "text", "groupName": "nope"},
            "groupName",
            "INVALID_GROUP",
        ),
    ],
)
def test_bad_property_definitions_are_refused(data, field, code):
    from comptoir.core.properties.models import PropertyDefinition
    from comptoir.core.properties.services import create_property

    before = PropertyDefinition.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        create_property("contacts", data)
    assert [(e.name, e.code) for e in caught.value.errors] == [(field, code)]
    assert PropertyDefinition.objects.count() == before


def test_removing_an_option_in_use_is_refused_with_the_count():
    from comptoir.core.properties.services import create_property, update_property

    create_property(
        "contacts",
        {
            "name": "tier",
            "label": "Tier",
            "type": "enumeration",
            "fieldType": "select",
            "options": [{"label": "Gold", "value": "gold"}, {"label": "Silver", "value": "silver"}],
        },
    )
    make_contact(email="a@example.com", tier="gold")
    make_contact(email="b@example.com", tier="gold")
    with pytest.raises(ValidationFailed, match="2 record"):
        update_property("contacts", "tier", {"options": [{"label": "Silver", "value": "silver"}]})
    renamed = update_property(
        "contacts",
        "tier",
        {"options": [{"label": "Or", "value": "gold"}, {"label": "Silver", "value": "silver"}]},
    )
    assert renamed.options[0]["label"] == "Or"
    from comptoir.contacts.models import Contact

    assert [c.properties["tier"] for c in Contact.objects.all()] == ["gold", "gold"]


def test_custom_unique_property_refuses_duplicates():
    from comptoir.core.properties.services import create_property

    create_property(
        "companies",
        {
            "name": "siren",
            "label": "SIREN",
            "type": "string",
            "fieldType": "text",
            "hasUniqueValue": True,
        },
    )
    first = make_company(name="A", siren="123456789")
    with pytest.raises(DuplicateValue) as caught:
        make_company(name="B", siren="123456789")
    assert caught.value.existing_id == first.pk


def test_a_duplicate_that_slips_past_the_check_is_still_reported(monkeypatch):
    """Two requests racing: the unique index catches the second; it still reads as a 409."""
    from django.db import transaction

    from comptoir.core.records import writes

    first = make_contact(email="race@example.com")
    second = make_contact(email="other@example.com")
    monkeypatch.setattr(writes, "check_unique", lambda *args, **kwargs: None)
    with transaction.atomic():  # as inside a batch: the failed write must not poison it
        with pytest.raises(DuplicateValue) as caught:
            make_contact(email="race@example.com")
        assert caught.value.existing_id == first.pk
        with pytest.raises(DuplicateValue) as caught:
            update_record("contacts", second.pk, {"email": "race@example.com"}, source=UI)
        assert caught.value.existing_id == first.pk
        second.refresh_from_db()
        assert second.email == "other@example.com"


def test_a_cleared_registry_checks_the_version_on_its_next_read(django_assert_num_queries):
    """The first read after clear_local() reads the schema version, then the definitions;
    the next read costs nothing (query budgets count on both)."""
    registry.definitions("contacts")
    registry.clear_local()
    with django_assert_num_queries(2):  # the version, then the definitions
        registry.definitions("contacts")
    with django_assert_num_queries(0):
        registry.definitions("contacts")
