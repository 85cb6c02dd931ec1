"""Deals, pipelines and stages (point 9) and the deal automations (SET-3)."""

import pytest

from comptoir.core.history.models import PropertyChange
from comptoir.core.pipelines import services as pipelines
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.records.values import api_properties
from comptoir.core.records.writes import create_record, update_record
from comptoir.core.testing.factories import UI, make_company, make_contact, make_deal
from comptoir.core.timeline.models import TimelineEvent

pytestmark = pytest.mark.django_db

DERIVED = [
    "pipeline",
    "hs_deal_stage_probability",
    "hs_is_closed",
    "hs_is_closed_won",
    "hs_projected_amount",
]


def test_default_pipeline_has_hubspots_stages_and_probabilities():
    from comptoir.core.pipelines.models import Pipeline

    pipeline = Pipeline.objects.get(object_type="deals", pipeline_id="default")
    assert pipeline.label == "Sales Pipeline"
    stages = [(s.stage_id, str(s.probability), s.is_closed) for s in pipeline.stages.all()]
    assert stages == [
        ("appointmentscheduled", "0.20", False),
        ("qualifiedtobuy", "0.40", False),
        ("presentationscheduled", "0.60", False),
        ("decisionmakerboughtin", "0.80", False),
        ("contractsent", "0.90", False),
        ("closedwon", "1.00", True),
        ("closedlost", "0.00", True),
    ]


def test_values_derived_from_the_stage():
    deal = make_deal(dealstage="presentationscheduled", amount=1000)
    assert api_properties("deals", deal, DERIVED) == {
        "pipeline": "default",
        "hs_deal_stage_probability": "0.6",
        "hs_is_closed": "false",
        "hs_is_closed_won": "false",
        "hs_projected_amount": "600",
    }
    deal = update_record("deals", deal.pk, {"dealstage": "closedwon"}, source=UI)
    assert api_properties("deals", deal, [*DERIVED, "closedate"])["hs_is_closed_won"] == "true"
    assert api_properties("deals", deal, ["closedate"])["closedate"] is not None
    deal = update_record("deals", deal.pk, {"amount": 2000}, source=UI)
    assert api_properties("deals", deal, ["hs_projected_amount"]) == {"hs_projected_amount": "2000"}


def test_stage_change_has_history_and_a_timeline_event():
    deal = make_deal(dealstage="appointmentscheduled")
    update_record("deals", deal.pk, {"dealstage": "contractsent"}, source=UI)
    values = list(
        PropertyChange.objects.filter(object_type="0-3", object_id=deal.pk, property="dealstage")
        .order_by("-changed_at", "-id")
        .values_list("value", flat=True)
    )
    assert values == ["contractsent", "appointmentscheduled"]
    event = TimelineEvent.objects.get(object_type="0-3", object_id=deal.pk)
    assert event.data == {
        "old": "appointmentscheduled",
        "new": "contractsent",
        "pipeline": "default",
    }


@pytest.mark.parametrize(
    ("props", "name", "code"),
    [
        ({"dealname": "X", "dealstage": "nope"}, "dealstage", "INVALID_OPTION"),
        ({"dealname": "X"}, "dealstage", "REQUIRED"),
        ({"dealstage": "qualifiedtobuy"}, "dealname", "REQUIRED"),
        (
            {"dealname": "X", "dealstage": "qualifiedtobuy", "pipeline": "nope"},
            "pipeline",
            "INVALID_OPTION",
        ),
    ],
)
def test_bad_deals_are_refused(props, name, code):
    from comptoir.deals.models import Deal

    with pytest.raises(ValidationFailed) as caught:
        create_record("deals", props, source=UI)
    assert (caught.value.errors[0].name, caught.value.errors[0].code) == (name, code)
    assert not Deal.objects.exists()


def test_stage_must_belong_to_the_pipeline():
    other = pipelines.create_pipeline(
        "deals",
        {
            "label": "Partners",
            "stages": [
                {"label": "New", "metadata": {"probability": "0.1"}},
                {"label": "Won", "metadata": {"probability": "1.0", "isClosed": "true"}},
            ],
        },
    )
    new_stage = other.stages.get(label="New").stage_id
    with pytest.raises(ValidationFailed, match="does not belong to pipeline"):
        make_deal(dealstage="qualifiedtobuy", pipeline=other.pipeline_id)
    deal = make_deal(dealstage=new_stage)
    assert deal.pipeline == other.pipeline_id
    with pytest.raises(ValidationFailed, match="does not belong"):
        update_record("deals", deal.pk, {"pipeline": "default"}, source=UI)


def test_deleting_a_stage_with_deals_needs_a_destination():
    deal = make_deal(dealstage="contractsent")
    with pytest.raises(ValidationFailed, match="choose the stage"):
        pipelines.delete_stage("deals", "default", "contractsent", source=UI)
    deal.refresh_from_db()
    assert deal.dealstage == "contractsent"
    moved = pipelines.delete_stage(
        "deals", "default", "contractsent", move_to="decisionmakerboughtin", source=UI
    )
    deal.refresh_from_db()
    assert (moved, deal.dealstage) == (1, "decisionmakerboughtin")
    assert deal.properties["hs_deal_stage_probability"] == 0.8


def test_reweighting_a_stage_updates_its_deals():
    deal = make_deal(dealstage="qualifiedtobuy", amount=100)
    pipelines.update_stage(
        "deals", "default", "qualifiedtobuy", {"metadata": {"probability": "0.5"}}, source=UI
    )
    deal.refresh_from_db()
    assert (
        deal.properties["hs_deal_stage_probability"],
        deal.properties["hs_projected_amount"],
    ) == (0.5, 50)


def test_deal_creation_and_win_move_lifecycle_stages_forward_only():
    company = make_company(name="Acme", lifecyclestage="lead")
    contact = make_contact(email="buyer@gmail.com", lifecyclestage="evangelist")
    other = make_contact(email="other@gmail.com", lifecyclestage="lead")
    deal = make_deal(
        dealstage="qualifiedtobuy",
        associations=[
            ("companies", company.pk, None),
            ("contacts", contact.pk, None),
            ("contacts", other.pk, None),
        ],
    )
    company.refresh_from_db(), contact.refresh_from_db(), other.refresh_from_db()
    assert company.properties["lifecyclestage"] == "opportunity"
    assert contact.lifecyclestage == "evangelist"  # never backwards
    assert other.lifecyclestage == "opportunity"
    update_record("deals", deal.pk, {"dealstage": "closedwon"}, source=UI)
    company.refresh_from_db(), other.refresh_from_db()
    assert (company.properties["lifecyclestage"], other.lifecyclestage) == ("customer", "customer")
    change = PropertyChange.objects.filter(
        object_type="0-1", object_id=other.pk, property="lifecyclestage"
    ).latest("id")
    assert (change.source_type, change.source_id) == ("AUTOMATION", "deal_lifecycle")


def test_deal_lifecycle_automations_can_be_switched_off():
    from comptoir.core.portal.services import update_portal

    update_portal(lifecycle_on_deal_created=False)
    contact = make_contact(email="off@gmail.com")
    make_deal(associations=[("contacts", contact.pk, None)])
    contact.refresh_from_db()
    assert contact.lifecyclestage is None
