"""Query budgets of the record page (issue 4, point 12): constant in the number of
activities, associations and timeline events; a regression here is felt on every visit."""

import json
from pathlib import Path

import pytest

from comptoir.core.history.source import ChangeSource
from comptoir.core.records.services import update_record
from comptoir.core.testing.factories import make_activity, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parent / "record_query_budgets.json").read_text())
KINDS = ("notes", "calls", "emails", "meetings", "tasks")


def build(user, activities: int) -> dict:
    """A contact with two companies, two deals, some tasks and `activities` activities."""
    source = ChangeSource.for_user(user)
    acme = make_company(name="Acme", domain="acme.fr")
    beta = make_company(name="Beta", domain="beta.fr")
    contact = make_contact(
        email="ann@acme.fr",
        firstname="Ann",
        lastname="Lee",
        associations=[("companies", beta.pk, None)],
    )
    colleague = make_contact(email="bob@acme.fr", firstname="Bob")
    deal = make_deal(
        dealname="Big", associations=[("contacts", contact.pk, None), ("companies", acme.pk, None)]
    )
    make_deal(dealname="Small", associations=[("contacts", contact.pk, None)])
    update_record("deals", deal.pk, {"dealstage": "qualifiedtobuy"}, source=source)
    update_record("contacts", contact.pk, {"lifecyclestage": "customer"}, source=source)
    for i in range(activities):
        who = contact if i % 3 else colleague
        kind = KINDS[i % len(KINDS)]
        body = {"notes": {"hs_note_body": "<p>n</p>"}, "tasks": {"hs_task_subject": "t"}}
        make_activity(
            kind,
            **body.get(kind, {}),
            hs_timestamp=f"2026-0{1 + i % 9}-1{i % 10}T10:00:00Z",
            associations=[("contacts", who.pk, None), ("companies", acme.pk, None)],
        )
    return {
        "contact": f"/contacts/{contact.pk}/",
        "company": f"/companies/{acme.pk}/",
        "deal": f"/deals/{deal.pk}/",
        "timeline": f"/companies/{acme.pk}/timeline/",
    }


@pytest.mark.parametrize("activities", [30, 5])
@pytest.mark.parametrize("page", ["contact", "company", "deal", "timeline"])
def test_record_page_query_budget(client_in, user, django_assert_max_num_queries, page, activities):
    url = build(user, activities)[page]
    client_in.get(url)  # warm the per-process caches (definitions, stages, owners, portal)
    with django_assert_max_num_queries(BUDGETS[f"record_page_{page}"]):
        response = client_in.get(url, HTTP_HX_REQUEST="true" if page == "timeline" else None)
    assert response.status_code == 200
