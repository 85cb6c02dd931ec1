"""Query budgets of the record page (issue 4, point 12): constant in the number of
activities, associations and timeline events; a regression here is felt on every visit."""

import pytest

from comptoir.core.history.source import ChangeSource
from comptoir.core.records.writes import update_record
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import make_activity, make_company, make_contact, make_deal
from comptoir.core.testing.html import select
from comptoir.core.ui.cards import LIMIT

pytestmark = pytest.mark.django_db
KINDS = ("notes", "calls", "emails", "meetings", "tasks")


def build(user, activities: int) -> dict:
    """A contact, a company and a deal whose every card overflows (more than the card's
    LIMIT records: the totals must not cost a query per card), and `activities`
    activities."""
    source = ChangeSource.for_user(user)
    many = LIMIT + 2
    acme = make_company(name="Acme", domain="acme.fr")
    companies = [acme] + [make_company(name=f"Co {i}") for i in range(many - 1)]
    contact = make_contact(
        email="ann@acme.fr",
        firstname="Ann",
        lastname="Lee",
        associations=[("companies", c.pk, None) for c in companies],
    )
    colleague = make_contact(
        email="bob@acme.fr", firstname="Bob", associations=[("companies", acme.pk, None)]
    )
    contacts = [contact, colleague]
    contacts += [
        make_contact(email=f"c{i}@acme.fr", associations=[("companies", acme.pk, None)])
        for i in range(many - 2)
    ]
    both = [("contacts", contact.pk, None), ("companies", acme.pk, None)]
    deal = make_deal(
        dealname="Big",
        associations=[("contacts", c.pk, None) for c in contacts]
        + [("companies", c.pk, None) for c in companies],
    )
    for i in range(many - 1):
        make_deal(dealname=f"Small {i}", associations=both)
    for i in range(many):
        make_activity(
            "tasks",
            hs_task_subject=f"Call back {i}",
            associations=[*both, ("deals", deal.pk, None)],
        )
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
def test_record_page_query_budget(client_in, user, page, activities):
    url = build(user, activities)[page]
    client_in.get(url)  # warm the per-process caches (definitions, stages, owners, portal)
    with query_budget(f"ui.record.{page}"):
        response = client_in.get(url, HTTP_HX_REQUEST="true" if page == "timeline" else None)
    assert response.status_code == 200
    if page != "timeline":  # every card is full and says how many records it holds
        totals = [span.text.strip("()") for span in select(response, ".count")]
        assert len(totals) == 3 and all(int(n) >= LIMIT + 2 for n in totals), totals
