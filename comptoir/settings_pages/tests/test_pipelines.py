"""Settings > Pipelines (SET-4): pipelines and stages through the pages; deals are never
left behind."""

from decimal import Decimal

import pytest

from comptoir.core.history.models import PropertyChange
from comptoir.core.pipelines.models import Pipeline, PipelineStage
from comptoir.core.testing.factories import make_deal

pytestmark = pytest.mark.django_db

URL = "/settings/pipelines/"


def stage_ids(pipeline_id="default"):
    return list(
        PipelineStage.objects.filter(pipeline__pipeline_id=pipeline_id, archived=False)
        .order_by("display_order", "id")
        .values_list("stage_id", flat=True)
    )


def test_the_page_lists_stages_with_probability_type_and_deal_count(admin_client):
    make_deal(dealstage="qualifiedtobuy")
    make_deal(dealstage="qualifiedtobuy")
    html = admin_client.get(URL).content.decode()
    assert 'value="Sales Pipeline"' in html
    assert 'value="Qualified To Buy"' in html
    assert 'id="stage-qualifiedtobuy-probability" name="probability" type="number"' in html
    assert 'value="40"' in html
    assert "2 deals" in html
    assert '<option value="won" selected>Closed won</option>' in html


def test_create_and_rename_a_pipeline(admin_client):
    response = admin_client.post(URL + "new/", {"label": "Partenariats"})
    assert response.status_code == 302
    pipeline = Pipeline.objects.get(label="Partenariats")
    assert len(stage_ids(pipeline.pipeline_id)) == 4
    response = admin_client.post(URL + "new/", {"label": "Partenariats"})
    assert response.status_code == 422
    assert "A pipeline with this name already exists." in response.content.decode()
    assert Pipeline.objects.filter(label="Partenariats").count() == 1

    admin_client.post(f"{URL}{pipeline.pipeline_id}/rename/", {"label": "Partners"})
    pipeline.refresh_from_db()
    assert pipeline.label == "Partners"
    response = admin_client.post(f"{URL}{pipeline.pipeline_id}/rename/", {"label": " "})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_add_rename_and_weigh_stages(admin_client):
    response = admin_client.post(
        URL + "default/stages/add/", {"label": "Négociation", "probability": "85", "state": "open"}
    )
    assert response.status_code == 302
    stage = PipelineStage.objects.get(label="Négociation")
    assert stage.probability == Decimal("0.85") and not stage.is_closed
    assert stage_ids()[-1] == stage.stage_id

    deal = make_deal(dealstage=stage.stage_id, amount="1000")
    admin_client.post(
        f"{URL}default/stages/{stage.stage_id}/",
        {"label": "Négociation finale", "probability": "90", "state": "open"},
    )
    stage.refresh_from_db()
    assert (stage.label, stage.probability) == ("Négociation finale", Decimal("0.90"))
    deal.refresh_from_db()
    assert Decimal(str(deal.properties["hs_deal_stage_probability"])) == Decimal("0.9")

    # Closed won weighs 100 % whatever was typed; closed lost 0 %.
    admin_client.post(
        f"{URL}default/stages/{stage.stage_id}/",
        {"label": "Signée", "probability": "12", "state": "won"},
    )
    stage.refresh_from_db()
    assert stage.is_closed and stage.is_won and stage.probability == Decimal("1")
    deal.refresh_from_db()
    assert Decimal(str(deal.properties["hs_deal_stage_probability"])) == Decimal("1")
    admin_client.post(
        f"{URL}default/stages/{stage.stage_id}/",
        {"label": "Perdue", "probability": "55", "state": "lost"},
    )
    stage.refresh_from_db()
    assert stage.is_closed and not stage.is_won and stage.probability == Decimal("0")
    deal.refresh_from_db()
    assert Decimal(str(deal.properties["hs_deal_stage_probability"])) == Decimal("0")
    html = admin_client.get(URL).content.decode()
    assert '<option value="lost" selected>Closed lost</option>' in html


@pytest.mark.parametrize("value", ["150", "abc", ""])
def test_a_bad_probability_is_refused_on_its_row(admin_client, value):
    response = admin_client.post(
        f"{URL}default/stages/qualifiedtobuy/",
        {"label": "Renamed", "probability": value, "state": "open"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a probability between 0 and 100." in html
    assert 'value="Renamed"' in html  # what was typed stays
    stage = PipelineStage.objects.get(stage_id="qualifiedtobuy")
    assert (stage.label, stage.probability) == ("Qualified To Buy", Decimal("0.40"))


def test_reorder_stages_by_arrows_and_by_the_dragged_order(admin_client):
    order = stage_ids()
    response = admin_client.post(
        URL + "default/stages/order/", {"stage": order, "action": f"down:{order[0]}"}
    )
    assert response.status_code == 302
    assert f"moved=down:{order[0]}" in response["Location"]
    assert stage_ids()[:2] == [order[1], order[0]]
    dragged = [order[-1], *order[:-1]]
    admin_client.post(URL + "default/stages/order/", {"stage": dragged, "action": "order"})
    assert stage_ids() == dragged
    html = admin_client.get("/deals/board/").content.decode()
    assert html.index("Closed Lost") < html.index("Appointment Scheduled")


def test_deleting_a_stage_with_deals_asks_where_they_go_and_moves_them(admin_client):
    deals = [make_deal(dealstage="qualifiedtobuy") for _ in range(2)]
    url = f"{URL}default/stages/qualifiedtobuy/delete/"
    html = admin_client.get(url).content.decode()
    assert "2 deals are in this stage" in html
    assert '<option value="qualifiedtobuy"' not in html

    response = admin_client.post(url, {"move_to": ""})
    assert response.status_code == 422
    assert "Deals are still in this stage: choose the stage they move to." in (
        response.content.decode()
    )
    assert "qualifiedtobuy" in stage_ids()
    for deal in deals:
        deal.refresh_from_db()
        assert deal.dealstage == "qualifiedtobuy"

    response = admin_client.post(url, {"move_to": "contractsent"})
    assert response.status_code == 302
    assert "qualifiedtobuy" not in stage_ids()
    for deal in deals:
        deal.refresh_from_db()
        assert deal.dealstage == "contractsent"
    assert PropertyChange.objects.filter(property="dealstage", value="contractsent").count() == 2
    html = admin_client.get(response["Location"]).content.decode()
    assert "Stage “Qualified To Buy” deleted. 2 deals moved." in html


def test_deleting_an_empty_stage_needs_no_destination(admin_client):
    response = admin_client.post(f"{URL}default/stages/contractsent/delete/", {})
    assert response.status_code == 302
    assert "contractsent" not in stage_ids()


def test_deleting_a_pipeline_moves_its_deals_to_another_pipeline(admin_client):
    admin_client.post(URL + "new/", {"label": "Partners"})
    partners = Pipeline.objects.get(label="Partners")
    first = stage_ids(partners.pipeline_id)[0]
    deal = make_deal(pipeline=partners.pipeline_id, dealstage=first)
    url = f"{URL}{partners.pipeline_id}/delete/"
    response = admin_client.post(url, {})
    assert response.status_code == 422
    assert "Deals are still in this pipeline" in response.content.decode()
    response = admin_client.post(url, {"move_to": "appointmentscheduled"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.pipeline, deal.dealstage) == ("default", "appointmentscheduled")
    partners.refresh_from_db()
    assert partners.archived
    # The last pipeline stays.
    response = admin_client.post(f"{URL}default/delete/", {})
    assert response.status_code == 422
    assert "Deals keep at least one pipeline." in response.content.decode()


def test_french_admins_rename_the_french_label(admin_client, admin):
    from comptoir.users.models import User

    User.objects.filter(pk=admin.pk).update(language="fr")
    admin_client.post(
        f"{URL}default/stages/qualifiedtobuy/",
        {"label": "Qualifié", "probability": "40", "state": "open"},
    )
    stage = PipelineStage.objects.get(stage_id="qualifiedtobuy")
    assert (stage.label, stage.label_fr) == ("Qualified To Buy", "Qualifié")


def test_the_settings_pages_speak_french(admin_client, admin):
    from comptoir.users.models import User

    User.objects.filter(pk=admin.pk).update(language="fr")
    html = admin_client.get(URL).content.decode()
    assert "Rendez-vous programmé" in html
    assert "Conclue gagnée" in html and "Type de phase" in html
    assert "compte pour 100 %, une phase conclue perdue pour 0 %." in html
    html = admin_client.get("/settings/properties/new/").content.decode()
    assert "Créer une propriété : Contacts" in html and "Liste déroulante" in html
    html = admin_client.get("/settings/configuration/").content.decode()
    assert "Fuseau horaire du rapport" in html and "EUR – euro" in html  # noqa: RUF001
    html = admin_client.get("/settings/automation/").content.decode()
    assert "Associer les contacts aux entreprises" in html
