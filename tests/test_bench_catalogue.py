"""The click catalogue of bench/catalogue.py on a tiny seeded database: every list-page link
and API search it measures answers 200, applies its filters, and counts what the same
hand-written SQL counts, so that the benchmark cannot rot into measuring error pages."""

import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import catalogue


@pytest.fixture
def seeded(db):
    call_command(
        "seed_demo", contacts=200, companies=30, deals=60, activities=200, seed=42, verbosity=0
    )
    catalogue.add_custom_properties()


def fetch(client, entry, form, user, token):
    if form == "page":
        response = client.get(catalogue.page_url(entry), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, entry.name
        return catalogue.page_answer(response.content.decode())
    response = client.post(
        catalogue.api_path(entry),
        json.dumps(catalogue.api_body(entry, user)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, (entry.name, response.content[:300])
    return catalogue.api_answer(response.content)


@pytest.mark.slow  # ~160 requests: a few seconds on a quiet machine
def test_every_catalogue_request_answers_what_its_raw_sql_counts(seeded, client):
    with translation.override("en"):
        user = catalogue.bench_user()
        _, token = catalogue.sign_in(user)
        client.force_login(user)
        entries = catalogue.catalogue(catalogue.fixtures())
        names = [e.name for e in entries]
        assert len(entries) >= 30 and len(set(names)) == len(names)
        found = 0
        checked = 0
        for entry in entries:
            for form in entry.forms:
                answer = fetch(client, entry, form, user, token)
                assert not answer.get("error"), (entry.name, form)
                if answer["count"] is None:  # the tasks page counts only the first tabs
                    assert entry.page == "tasks" and entry.tab == "all", entry.name
                    answer["count"] = answer["rows"]
                page_size = catalogue.PAGE_ROWS if form == "page" else catalogue.API_LIMIT
                if entry.page == "list":
                    assert answer["rows"] == min(answer["count"], page_size), (entry.name, form)
                statements = catalogue.raw_sql(entry, user, form, connection.vendor)
                if statements:
                    raw_total = catalogue.run_raw(statements)
                    expected = catalogue.expected_count(raw_total, form)
                    assert answer["count"] == expected, (entry.name, form, answer, raw_total)
                    checked += 1
                found += answer["count"] > 0
        # The values asked for exist in the demo data (a misspelt value would measure an
        # empty answer); at 200 contacts a few rare ones find nothing.
        assert checked >= 100
        assert found >= 0.75 * sum(len(e.forms) for e in entries)


def test_the_custom_properties_get_their_on_demand_indexes_as_a_user_would(seeded):
    """Before measuring, the catalogue makes the app ask for the custom properties' indexes
    (repeated queries) and runs the worker's builds: afterwards none is left to build."""
    from comptoir.core.properties import registry

    if connection.vendor == "postgresql":  # the seed's deferred checks, before CREATE INDEX
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert catalogue.custom_unindexed() == [catalogue.CUSTOM_TEXT, catalogue.CUSTOM_NUMBER]
    built = catalogue.build_on_demand_indexes()
    assert len(built) == 3  # two B-tree indexes, one substring index
    assert catalogue.custom_unindexed() == []
    defs = registry.definitions("contacts")
    assert defs[catalogue.CUSTOM_TEXT].index_name and defs[catalogue.CUSTOM_NUMBER].index_name
    assert catalogue.build_on_demand_indexes() == [defs[catalogue.CUSTOM_TEXT].substring_index]
