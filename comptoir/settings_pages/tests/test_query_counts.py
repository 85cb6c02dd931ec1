"""The settings lists cost the same number of queries however many stages, pipelines or
properties there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.pipelines import services as pipes
from comptoir.core.properties import registry
from comptoir.core.properties import services as props
from comptoir.core.testing.factories import make_deal

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    registry.clear_local()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pipelines_page_does_not_grow_with_stages_pipelines_or_deals(admin_client):
    url = "/settings/pipelines/default/stages/qualifiedtobuy/delete/"
    before = (queries(admin_client, "/settings/pipelines/"), queries(admin_client, url))
    for n in range(4):
        pipes.add_stage(
            "deals", "default", {"label": f"Extra {n}", "metadata": {"probability": "0.5"}}
        )
        pipes.create_pipeline(
            "deals",
            {"label": f"P{n}", "stages": [{"label": "S", "metadata": {"probability": "0.1"}}]},
        )
        make_deal(dealstage="qualifiedtobuy")
    after = (queries(admin_client, "/settings/pipelines/"), queries(admin_client, url))
    assert after == before
    # session, user, role, portal, pipelines + stages, stage usage, messages, the bell...
    assert after[0] <= 11 and after[1] <= 10, after


def test_the_properties_list_does_not_grow_with_properties(admin_client):
    url = "/settings/properties/?object=deals"
    before = queries(admin_client, url)
    for n in range(5):
        props.create_property(
            "deals",
            {"name": f"extra_{n}", "label": f"Extra {n}", "type": "string", "fieldType": "text"},
        )
    assert queries(admin_client, url) == before
    assert before <= 7, before  # session, user, schema version, role, groups, properties, bell
