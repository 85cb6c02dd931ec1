"""The query-budget helper (core/testing/budgets.py): fails listing the queries, records
with UPDATE_QUERY_BUDGETS=1, one number per vendor only where the counts differ."""

import json

import pytest
from django.db import connection

from comptoir.core.testing import budgets
from comptoir.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget_file(tmp_path, monkeypatch):
    path = tmp_path / "query_budgets.json"
    monkeypatch.setattr(budgets, "BUDGETS_FILE", path)
    monkeypatch.setattr(budgets, "_measured", {})
    monkeypatch.delenv(budgets.UPDATE_SWITCH, raising=False)
    return path


def two_queries():
    list(User.objects.all())
    User.objects.filter(email="x@example.com").exists()


def test_a_block_within_its_budget_passes_and_one_query_more_fails(budget_file):
    budget_file.write_text(json.dumps({"two": 2}))
    with budgets.query_budget("two") as captured:
        two_queries()
    assert len(captured) == 2
    with pytest.raises(AssertionError) as failed, budgets.query_budget("two"):
        two_queries()
        User.objects.count()  # the query added
    message = str(failed.value)
    assert "two: 3 queries" in message and "over its budget of 2" in message
    assert "3. SELECT COUNT(*)" in message


def test_a_missing_budget_fails_naming_the_switch(budget_file):
    with pytest.raises(AssertionError, match="UPDATE_QUERY_BUDGETS=1"), budgets.query_budget("new"):
        two_queries()


def test_update_records_counts_per_vendor_only_where_they_differ(budget_file, monkeypatch):
    monkeypatch.setenv(budgets.UPDATE_SWITCH, "1")
    budget_file.write_text(json.dumps({"two": 9, "zero": 0}))
    with budgets.query_budget("two"):
        two_queries()
    with budgets.query_budget("added"):
        two_queries()
    recorded = json.loads(budget_file.read_text())
    other = next(v for v in budgets.VENDORS if v != connection.vendor)
    assert recorded["two"] == {connection.vendor: 2, other: 9}
    assert recorded["added"] == 2 and recorded["zero"] == 0
    budgets.record("two", other, 2)
    assert json.loads(budget_file.read_text())["two"] == 2  # the same everywhere again
    assert budgets.budget_for("two", connection.vendor) == 2
