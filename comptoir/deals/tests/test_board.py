"""Deals board (UI-5): columns per stage with counts and totals, filters shared with the
table, moves through the record service, refused moves, query budget."""

import json
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test.utils import CaptureQueriesContext

from comptoir.core.history.models import PropertyChange
from comptoir.core.records.reads import get_record
from comptoir.core.records.writes import archive_record, update_record
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import UI, make_deal, make_user
from comptoir.core.testing.html import select, text_of
from comptoir.deals import board as board_module

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def columns_of(response) -> dict:
    return {c.stage.stage_id: c for c in response.context["columns"]}


def card_ids(html: str, stage: str) -> list[int]:
    """Deal ids of the cards in one column of the rendered board."""
    return [int(card.get("data-deal")) for card in select(html, f"section#col-{stage} [data-deal]")]


@pytest.fixture
def deals(user):
    return {
        "a1": make_deal(
            dealname="Alpha",
            dealstage="appointmentscheduled",
            amount=1000,
            hubspot_owner_id=user.owner.pk,
        ),
        "a2": make_deal(dealname="Beta", dealstage="appointmentscheduled", amount=500),
        "a3": make_deal(dealname="Gamma", dealstage="appointmentscheduled"),  # no amount
        "q1": make_deal(
            dealname="Delta",
            dealstage="qualifiedtobuy",
            amount="2000.50",
            hubspot_owner_id=user.owner.pk,
        ),
        "w1": make_deal(dealname="Omega", dealstage="closedwon", amount=700),
    }


def test_columns_show_counts_totals_and_weighted_totals(client_in, deals):
    response = client_in.get("/deals/board/")
    assert response.status_code == 200
    columns = columns_of(response)
    assert list(columns) == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]
    first = columns["appointmentscheduled"]
    assert (first.count, first.total, first.weighted) == (3, Decimal(1500), Decimal(300))
    second = columns["qualifiedtobuy"]
    assert (second.count, second.total) == (1, Decimal("2000.50"))
    assert second.weighted == Decimal("800.20")
    assert columns["closedwon"].weighted == Decimal(700)
    assert columns["closedlost"].count == 0
    html = response.content.decode()
    for text in (
        "€1,500.00",
        "€300.00",
        "€2,000.50",
        "€800.20",
        "€700.00",
        "Total amount",
        "Weighted amount",
        "€4,200.50",
        "€1,800.20",
    ):
        assert text in html, text
    assert sorted(card_ids(html, "appointmentscheduled")) == sorted(
        d.pk for k, d in deals.items() if k.startswith("a")
    )
    # Owner initials on the card, switch back to the table.
    assert 'aria-label="Owner: Sam Seller"' in html and ">SS</span>" in html
    assert 'href="/deals/"' in html or 'href="/deals/?' in html


def test_amounts_follow_the_language(client_in, deals):
    client_in.cookies["django_language"] = "fr"
    html = client_in.get("/deals/board/").content.decode()
    assert "1\u202f500,00\xa0€" in html


def test_close_date_in_the_past_is_red_only_while_open(client_in):
    late = make_deal(dealname="Late", dealstage="qualifiedtobuy", closedate="2020-01-10T10:00:00Z")
    won = make_deal(
        dealname="Won long ago", dealstage="closedwon", closedate="2020-01-10T10:00:00Z"
    )
    html = client_in.get("/deals/board/").content.decode()
    late_card = re.search(rf'id="card-{late.pk}".*?</li>', html, re.S).group(0)
    won_card = re.search(rf'id="card-{won.pk}".*?</li>', html, re.S).group(0)
    assert "overdue" in late_card and "overdue" not in won_card


def test_filters_of_the_table_narrow_the_board(client_in, user, deals):
    mine = columns_of(client_in.get("/deals/board/?view=mine"))
    assert mine["appointmentscheduled"].count == 1 and mine["qualifiedtobuy"].count == 1
    assert mine["appointmentscheduled"].total == Decimal(1000)
    searched = columns_of(client_in.get("/deals/board/?q=gamma"))
    assert [c.count for c in searched.values()] == [1, 0, 0, 0, 0, 0, 0]
    filters = [{"filters": [{"propertyName": "amount", "operator": "GT", "value": "600"}]}]
    response = client_in.get("/deals/board/?" + urlencode({"filters": json.dumps(filters)}))
    filtered = columns_of(response)
    assert filtered["appointmentscheduled"].count == 1
    assert filtered["closedwon"].count == 1
    html = response.content.decode()
    # The table link and every view tab keep the filters of the board.
    assert "/deals/?filters=" in html
    assert "Clear filters" in html


def test_a_bad_filter_is_explained(client_in, deals):
    url = "/deals/board/?" + urlencode(
        {"filters": '[{"filters":[{"propertyName":"nope","operator":"EQ","value":"x"}]}]'}
    )
    response = client_in.get(url)
    assert response.status_code == 200
    assert "could not be applied" in response.content.decode()


def test_other_pipeline_is_chosen_in_the_query_string(client_in, deals):
    from comptoir.core.pipelines import services as pipelines

    pipelines.create_pipeline(
        "deals",
        {
            "label": "Renewals",
            "displayOrder": 5,
            "stages": [
                {"label": "To renew", "displayOrder": 0, "metadata": {"probability": "0.5"}},
                {
                    "label": "Renewed",
                    "displayOrder": 1,
                    "metadata": {"probability": "1.0", "isClosed": "true"},
                },
            ],
        },
    )
    board = board_module.pipelines()
    other = next(p for p in board if p.label == "Renewals")
    make_deal(dealname="Renewal", dealstage=other.stages[0].stage_id, amount=100)
    response = client_in.get(f"/deals/board/?pipeline={other.pipeline_id}")
    columns = list(columns_of(response).values())
    assert [c.stage.label for c in columns] == ["To renew", "Renewed"]
    assert columns[0].count == 1 and columns[0].weighted == Decimal(50)
    assert "Sales Pipeline" in response.content.decode()  # the selector offers both


def test_too_many_cards_link_to_the_filtered_table(client_in, deals, monkeypatch):
    monkeypatch.setattr(board_module, "CARD_LIMIT", 2)
    response = client_in.get("/deals/board/?q=a")
    column = columns_of(response)["appointmentscheduled"]
    assert column.count == 3 and len(column.cards) == 2 and column.more == 1
    assert column.more_url.startswith("/deals/?")
    link = select(response.content.decode(), "section#col-appointmentscheduled [data-load-more]")
    assert [text_of(a) for a in link] == ["Show 1 more deal"]
    # Without JavaScript the link leads to the filtered table.
    assert link[0].get("href") == column.more_url
    table = client_in.get(column.more_url)
    assert table.status_code == 200
    assert "q=a" in column.more_url and "dealstage" in column.more_url


def _next_link(html: str, stage: str):
    found = select(html, "[data-board-more] [data-load-more]")
    assert len(found) <= 1
    return found[0].get("data-load-more") if found else None


def _ids(html: str) -> list[int]:
    return [int(card.get("data-deal")) for card in select(html, "[data-deal]")]


def test_a_column_loads_its_next_cards_under_the_boards_filters(client_in, user, monkeypatch):
    """Issue 14, point 15: the cards past the first ones load as the column scrolls, with the
    board's view, search and sort, and can be dragged like the others (same markup)."""
    monkeypatch.setattr(board_module, "CARD_LIMIT", 3)
    mine = user.owner.pk
    other = make_user().owner.pk
    wanted = [
        make_deal(dealname=f"Lot {i}", dealstage="qualifiedtobuy", amount=i, hubspot_owner_id=mine)
        for i in range(7)
    ]
    make_deal(dealname="Lot of someone else", dealstage="qualifiedtobuy", hubspot_owner_id=other)
    make_deal(dealname="Another deal", dealstage="qualifiedtobuy", hubspot_owner_id=mine)
    board = client_in.get("/deals/board/?view=mine&q=lot&sort=amount").content.decode()
    shown = card_ids(board, "qualifiedtobuy")
    assert shown == [d.pk for d in wanted[:3]]
    url = _next_link(board, "qualifiedtobuy")
    assert "view=mine" in url and "q=lot" in url and "sort=amount" in url and "after=3" in url
    while url:
        page = client_in.get(url, **HTMX)
        assert page.status_code == 200
        html = page.content.decode()
        ids = _ids(html)
        assert ids and not set(ids) & set(shown)
        shown += ids
        # Each card carries its stage, as the first ones do: SortableJS drags it alike.
        assert {c.get("data-stage") for c in select(html, "[data-deal]")} == {"qualifiedtobuy"}
        url = _next_link(html, "qualifiedtobuy")
    assert shown == [d.pk for d in wanted]


def test_next_cards_show_only_what_the_user_may_see(client, user, monkeypatch):
    """The attacker: a private rep asking for the next cards of a column gets only his own,
    whatever the view he names; an unknown stage or pipeline is a 404."""
    monkeypatch.setattr(board_module, "CARD_LIMIT", 1)
    rep = make_user(role="Sales rep – private")  # noqa: RUF001 - the role's name
    own = [make_deal(dealstage="qualifiedtobuy", hubspot_owner_id=rep.owner.pk) for _ in range(3)]
    theirs = [
        make_deal(dealstage="qualifiedtobuy", hubspot_owner_id=user.owner.pk) for _ in range(3)
    ]
    client.force_login(rep)
    seen = []
    for after in range(6):
        html = client.get(f"/deals/board/cards/?stage=qualifiedtobuy&after={after}").content
        seen += _ids(html.decode())
    assert sorted(set(seen)) == sorted(d.pk for d in own)
    assert not set(seen) & {d.pk for d in theirs}
    assert client.get("/deals/board/cards/?stage=nope&after=1").status_code == 404
    assert client.get("/deals/board/cards/?after=1").status_code == 404


def test_next_cards_query_budget_does_not_grow(client_in, user, monkeypatch):
    monkeypatch.setattr(board_module, "CARD_LIMIT", 2)
    for i in range(5):
        make_deal(dealstage="qualifiedtobuy", amount=i, hubspot_owner_id=user.owner.pk)
    url = "/deals/board/cards/?stage=qualifiedtobuy&after=2"
    client_in.get(url)  # warm the caches like a running server
    few = _queries(client_in, url)
    for i in range(30):
        make_deal(dealstage="qualifiedtobuy", amount=i, hubspot_owner_id=user.owner.pk)
    client_in.get(url)
    assert _queries(client_in, url) == few
    with query_budget("ui.board_cards"):
        client_in.get(url)


def test_a_move_keeps_the_cards_a_column_has_loaded(client_in, user, monkeypatch):
    monkeypatch.setattr(board_module, "CARD_LIMIT", 2)
    deals = [
        make_deal(dealstage="qualifiedtobuy", amount=i, hubspot_owner_id=user.owner.pk)
        for i in range(6)
    ]
    response = client_in.post(
        "/deals/board/move/?sort=amount",
        {
            "deal": deals[0].pk,
            "from": "qualifiedtobuy",
            "stage": "closedwon",
            "shown_qualifiedtobuy": "4",  # the browser had loaded 5 cards, one left
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert card_ids(html, "qualifiedtobuy") == [d.pk for d in deals[1:5]]
    assert _next_link(html, "qualifiedtobuy").endswith("after=4")


def test_moving_a_deal_saves_through_the_service(client_in, user, deals):
    deal = deals["a1"]
    response = client_in.post(
        "/deals/board/move/?pipeline=default",
        {"deal": deal.pk, "from": "appointmentscheduled", "stage": "qualifiedtobuy"},
        **HTMX,
    )
    assert response.status_code == 200
    deal = get_record("deals", deal.pk)
    assert deal.dealstage == "qualifiedtobuy"
    assert deal.properties["hs_deal_stage_probability"] == 0.4  # the service derived it
    change = PropertyChange.objects.filter(object_id=deal.pk, property="dealstage").latest("id")
    assert (change.value, change.source_type, change.actor_id) == (
        "qualifiedtobuy",
        "CRM_UI",
        user.pk,
    )
    html = response.content.decode()
    assert "“Alpha” moved to Qualified To Buy." in html
    # Both columns come back re-rendered with their new figures, and only those.
    columns = columns_of(response)
    assert set(columns) == {"appointmentscheduled", "qualifiedtobuy"}
    assert (columns["appointmentscheduled"].count, columns["appointmentscheduled"].total) == (
        2,
        Decimal(500),
    )
    assert (columns["qualifiedtobuy"].count, columns["qualifiedtobuy"].total) == (
        2,
        Decimal("3000.50"),
    )
    assert 'id="col-appointmentscheduled"' in html and 'id="col-qualifiedtobuy"' in html
    assert deal.pk in card_ids(html, "qualifiedtobuy")
    assert deal.pk not in card_ids(html, "appointmentscheduled")
    assert "€3,000.50" in html and 'id="board-summary"' in html


def test_moving_to_a_won_stage_runs_the_stage_automation(client_in, deals):
    deal = deals["q1"]
    client_in.post(
        "/deals/board/move/",
        {"deal": deal.pk, "from": "qualifiedtobuy", "stage": "closedwon"},
        **HTMX,
    )
    deal = get_record("deals", deal.pk)
    assert deal.properties["hs_is_closed_won"] is True and deal.closedate is not None


def test_without_javascript_the_move_redirects_to_the_board(client_in, deals):
    deal = deals["a2"]
    response = client_in.post(
        "/deals/board/move/?q=beta",
        {"deal": deal.pk, "from": "appointmentscheduled", "stage": "contractsent"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/deals/board/?")
    assert "pipeline=default" in response["Location"] and "q=beta" in response["Location"]
    assert get_record("deals", deal.pk).dealstage == "contractsent"
    # The stage dialog behind each card's button works without JavaScript too.
    page = client_in.get(f"/deals/board/?move={deal.pk}").content.decode()
    assert '<dialog id="move-dialog" aria-labelledby="move-title" open>' in page


def _history_count(deal):
    return PropertyChange.objects.filter(object_id=deal.pk, object_type="0-3").count()


def test_a_stale_card_is_refused_and_changes_nothing(client_in, deals):
    deal = deals["a1"]
    update_record("deals", deal.pk, {"dealstage": "presentationscheduled"}, source=UI)
    before = _history_count(deal)
    response = client_in.post(
        "/deals/board/move/",
        {"deal": deal.pk, "from": "appointmentscheduled", "stage": "qualifiedtobuy"},
        **HTMX,
    )
    assert response.status_code == 409
    assert "changed meanwhile" in response.content.decode()
    assert get_record("deals", deal.pk).dealstage == "presentationscheduled"
    assert _history_count(deal) == before
    # The answer carries the columns as they are (the card goes back in place) and the one
    # where the deal is now.
    columns = columns_of(response)
    assert set(columns) == {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled"}
    assert deal.pk in card_ids(response.content.decode(), "presentationscheduled")


def test_an_unknown_stage_is_refused(client_in, deals):
    deal = deals["a1"]
    before = _history_count(deal)
    for stage in ("nope", ""):
        response = client_in.post(
            "/deals/board/move/",
            {"deal": deal.pk, "from": "appointmentscheduled", "stage": stage},
            **HTMX,
        )
        assert response.status_code == 422
        assert "not part of the pipeline" in response.content.decode()
    assert get_record("deals", deal.pk).dealstage == "appointmentscheduled"
    assert _history_count(deal) == before


def test_a_stage_of_another_pipeline_is_refused(client_in, deals):
    from comptoir.core.pipelines import services as pipelines

    pipelines.create_pipeline(
        "deals",
        {
            "label": "Other",
            "displayOrder": 3,
            "stages": [
                {"label": "Elsewhere", "displayOrder": 0, "metadata": {"probability": "0.5"}}
            ],
        },
    )
    other = next(p for p in board_module.pipelines() if p.label == "Other")
    deal = deals["a1"]
    response = client_in.post(
        "/deals/board/move/?pipeline=default",
        {"deal": deal.pk, "from": "appointmentscheduled", "stage": other.stages[0].stage_id},
        **HTMX,
    )
    assert response.status_code == 422
    assert get_record("deals", deal.pk).dealstage == "appointmentscheduled"


def test_a_deleted_deal_is_refused(client_in, deals):
    deal = deals["a2"]
    archive_record("deals", deal.pk, source=UI)
    response = client_in.post(
        "/deals/board/move/",
        {"deal": deal.pk, "from": "appointmentscheduled", "stage": "qualifiedtobuy"},
        **HTMX,
    )
    assert response.status_code == 404
    assert "no longer exists" in response.content.decode()
    response = client_in.post(
        "/deals/board/move/",
        {"deal": "abc", "from": "appointmentscheduled", "stage": "qualifiedtobuy"},
        **HTMX,
    )
    assert response.status_code == 404


def test_move_needs_post_and_a_session(client, client_in, deals):
    assert client_in.get("/deals/board/move/").status_code == 405
    client.logout()
    response = client.post("/deals/board/move/", {"deal": deals["a1"].pk})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_board_filters_dialog_returns_to_the_board(client_in, deals):
    dialog = client_in.get("/search/filters/deals/?pipeline=default&back=board")
    assert dialog.status_code == 200 and "Advanced filters" in dialog.content.decode()
    response = client_in.post(
        "/search/filters/deals/?pipeline=default&back=board",
        {"g0_p0": "amount", "g0_o0": "GT", "g0_v0": "600", "add": ""},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/deals/board/?")
    assert "pipeline=default" in response["Location"]
    columns = columns_of(client_in.get(response["Location"]))
    assert columns["appointmentscheduled"].count == 1
    bad = client_in.post(
        "/search/filters/deals/?back=board",
        {"g0_p0": "amount", "g0_o0": "GT", "g0_v0": "lots", "add": ""},
    )
    assert bad.status_code == 422


def test_the_deals_table_links_to_the_board(client_in, deals):
    html = client_in.get("/deals/?q=alpha").content.decode()
    assert 'href="/deals/board/?q=alpha"' in html


def _queries(client, url, **extra) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx)


STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]


def test_board_query_budget_does_not_grow_with_deals(client_in, user):
    """One query per stage holding cards, plus a fixed few: never one per deal."""
    for stage in STAGES:
        make_deal(dealstage=stage, amount=10, hubspot_owner_id=user.owner.pk)
    client_in.get("/deals/board/")  # warm the definition caches like a running server
    few = _queries(client_in, "/deals/board/?view=mine&q=deal")
    other = make_user()
    for i in range(60):
        make_deal(
            dealstage=STAGES[i % len(STAGES)],
            amount=i,
            hubspot_owner_id=(user if i % 2 else other).owner.pk,
        )
    client_in.get("/deals/board/")  # a new owner reloads the caches: warm them again
    many = _queries(client_in, "/deals/board/?view=mine&q=deal")
    assert few == many
    # Every one of the 7 default stages holds deals: the worst case of the default pipeline.
    with query_budget("ui.board"):
        client_in.get("/deals/board/")


def test_move_query_budget(client_in, deals):
    client_in.get("/deals/board/")
    with query_budget("ui.board_move"):
        response = client_in.post(
            "/deals/board/move/",
            {"deal": deals["a1"].pk, "from": "appointmentscheduled", "stage": "qualifiedtobuy"},
            **HTMX,
        )
    assert response.status_code == 200
