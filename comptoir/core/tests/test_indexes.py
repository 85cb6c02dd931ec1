"""On-demand expression indexes are the ones the search compiler's SQL can use."""

import pytest
from django.db import connection

from comptoir.core.properties.indexes import drop_property_index, ensure_property_index
from comptoir.core.properties.services import create_property
from comptoir.core.search.compiler import filtered_queryset, order_by

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_stale_statistics")]


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (
            {
                "type": "enumeration",
                "fieldType": "select",
                "options": [{"label": "Gold", "value": "gold"}],
            },
            "gold",
        ),
        ({"type": "string", "fieldType": "text"}, "Paris"),
        ({"type": "number", "fieldType": "number"}, "12"),
    ],
)
def test_filter_and_sort_on_an_indexed_custom_property_use_the_index(data, value):
    create_property("contacts", {"name": "prop_x", "label": "X", **data})
    name = ensure_property_index("contacts", "prop_x")
    flt = [{"filters": [{"propertyName": "prop_x", "operator": "EQ", "value": value}]}]
    assert name in _plan(filtered_queryset("contacts", filter_groups=flt)[:100])
    assert name in _plan(
        filtered_queryset("contacts").order_by(*order_by("contacts", ["prop_x"]))[:100]
    )
    # Descending, empty values last too (issue 14, point 4), still walking an index.
    plan = _plan(filtered_queryset("contacts").order_by(*order_by("contacts", ["-prop_x"]))[:100])
    assert name in plan and "TEMP B-TREE" not in plan and "Sort " not in plan
    drop_property_index("contacts", "prop_x")
    assert name not in _plan(filtered_queryset("contacts", filter_groups=flt)[:100])


@pytest.mark.parametrize(
    "sort", ["lastname", "-lastname", "email", "createdate", "-amount", "-closedate", "-dealname"]
)
def test_sorts_on_hot_columns_walk_an_index(sort):
    ot = "deals" if sort.strip("-") in ("amount", "closedate", "dealname") else "contacts"
    plan = _plan(filtered_queryset(ot).order_by(*order_by(ot, [sort]))[:100])
    assert ot[:-1] in plan.lower() and ("INDEX" in plan.upper()), plan
    assert "TEMP B-TREE" not in plan, plan
    if sort.startswith("-"):  # descending, empty values last (issue 14, point 4): no sort
        assert "Sort " not in plan


def test_index_cap_per_object_type(settings):
    from comptoir.core.properties.errors import ValidationFailed

    settings.COMPTOIR_MAX_PROPERTY_INDEXES = 1
    for name in ("a_one", "a_two"):
        create_property(
            "contacts", {"name": name, "label": name, "type": "string", "fieldType": "text"}
        )
    ensure_property_index("contacts", "a_one")
    with pytest.raises(ValidationFailed, match="already have 1 indexed"):
        ensure_property_index("contacts", "a_two")
