"""The settings lists cost the same number of queries however many stages, pipelines or
properties there are."""

import pytest

from comptoir.core.pipelines import services as pipes
from comptoir.core.properties import registry
from comptoir.core.properties import services as props
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import make_deal

pytestmark = pytest.mark.django_db


def queries(client, url, budget) -> int:
    registry.clear_local()
    with query_budget(budget) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pipelines_page_does_not_grow_with_stages_pipelines_or_deals(admin_client):
    url = "/settings/pipelines/default/stages/qualifiedtobuy/delete/"
    before = pipelines_and_stage_delete(admin_client, url)
    for n in range(4):
        pipes.add_stage(
            "deals", "default", {"label": f"Extra {n}", "metadata": {"probability": "0.5"}}
        )
        pipes.create_pipeline(
            "deals",
            {"label": f"P{n}", "stages": [{"label": "S", "metadata": {"probability": "0.1"}}]},
        )
        make_deal(dealstage="qualifiedtobuy")
    after = pipelines_and_stage_delete(admin_client, url)
    # Budgets: session, user, role, portal, pipelines + stages, stage usage, messages, bell...
    assert after == before


def pipelines_and_stage_delete(client, url):
    return (
        queries(client, "/settings/pipelines/", "ui.settings.pipelines"),
        queries(client, url, "ui.settings.stage_delete"),
    )


def test_the_properties_list_does_not_grow_with_properties(admin_client):
    url = "/settings/properties/?object=deals"
    before = queries(admin_client, url, "ui.settings.properties")
    for n in range(5):
        props.create_property(
            "deals",
            {"name": f"extra_{n}", "label": f"Extra {n}", "type": "string", "fieldType": "text"},
        )
    # Budget: session, user, schema version, role, groups, properties, bell.
    assert queries(admin_client, url, "ui.settings.properties") == before
