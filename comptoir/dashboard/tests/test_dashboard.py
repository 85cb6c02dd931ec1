"""The dashboard's figures on a small fixed data set, at the edges of periods and weeks, in
two report time zones; every figure's link lists exactly what it counts; a private sales
rep sees only their own figures."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.portal.services import update_portal
from comptoir.core.records.writes import archive_record, create_record
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import UI, make_user
from comptoir.core.testing.html import select
from comptoir.dashboard import counts, figures
from comptoir.dashboard.filters import DashboardFilters
from comptoir.dashboard.periods import period_for
from comptoir.users.roles import SALES_REP_PRIVATE
from comptoir.users.teams_and_roles import save_team

pytestmark = pytest.mark.django_db

Q4 = {"period": "custom", "from": "2026-10-01", "to": "2026-12-31"}
CREATED = dt.datetime(2026, 10, 5, 10, tzinfo=dt.UTC)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def data(db):
    alice = make_user("alice@example.com", first_name="Alice", last_name="Martin")
    bob = make_user("bob@example.com", first_name="Bob", last_name="Durand", role=SALES_REP_PRIVATE)
    team = save_team(None, "Nord", [alice])
    a, b = str(alice.owner.pk), str(bob.owner.pk)

    def deal(name, owner, stage, amount, close, created=CREATED):
        props = {"dealname": name, "hubspot_owner_id": owner, "dealstage": stage}
        props.update({"amount": amount, "closedate": close, "pipeline": "default"})
        return create_record("deals", props, source=UI, at=created)

    deals = {
        # 23:30 on the last day of the quarter in Paris (22:30 UTC): inside Q4 in Paris.
        "d1": deal("d1", a, "appointmentscheduled", 1000, "2026-12-31T22:30:00Z"),
        # 01:30 on 1 October in Paris; 30 September in New York. Created in September.
        "d2": deal(
            "d2", b, "qualifiedtobuy", 2000, "2026-09-30T23:30:00Z", at("2026-09-20T10:00:00Z")
        ),
        "d3": deal("d3", a, "closedwon", 5000, "2026-11-15T10:00:00Z"),
        "d4": deal("d4", b, "closedlost", 700, "2026-10-10T10:00:00Z"),
        # 1 January in Paris, still 31 December in New York.
        "d5": deal("d5", a, "appointmentscheduled", 300, "2027-01-01T03:00:00Z"),
        "d6": deal("d6", a, "contractsent", 4000, "2026-12-31T23:30:00Z"),
    }
    k1 = create_record(
        "contacts", {"firstname": "Kim", "lastname": "Un", "hubspot_owner_id": a}, source=UI
    )
    k2 = create_record(
        "contacts", {"firstname": "Kai", "lastname": "Deux", "hubspot_owner_id": b}, source=UI
    )
    k3 = create_record("contacts", {"firstname": "Kev", "lastname": "Trois"}, source=UI)

    def activity(kind, owner, when, contact=None, **props):
        links = [("contacts", contact.pk, None)] if contact else []
        props.update({"hubspot_owner_id": owner})
        if when:
            props["hs_timestamp"] = when
        return create_record(kind, props, source=UI, associations=links, at=props.pop("_at", None))

    acts = {
        # 02:30 on 1 October in Paris; 30 September in New York.
        "c1": activity("calls", a, "2026-10-01T00:30:00Z", k3, hs_call_title="c1"),
        "c2": activity("calls", b, "2026-11-02T09:00:00Z", k2, hs_call_title="c2"),
        # Monday 2 November 00:30 in Paris, Sunday 1 November in New York.
        "c3": activity("calls", a, "2026-11-01T23:30:00Z", k1, hs_call_title="c3"),
        "c4": activity("calls", a, "2026-11-03T10:00:00Z", k1, hs_call_title="c4 archived"),
        "e1": activity("emails", a, "2026-10-15T10:00:00Z", k1, hs_email_direction="EMAIL"),
        "e2": activity(
            "emails", a, "2026-10-16T10:00:00Z", k1, hs_email_direction="INCOMING_EMAIL"
        ),
        "m1": activity("meetings", b, "2026-12-01T10:00:00Z", k2, hs_meeting_outcome="COMPLETED"),
        "m2": activity("meetings", a, "2026-12-02T10:00:00Z", k1, hs_meeting_outcome="CANCELED"),
        "t1": activity(
            "tasks",
            a,
            "2026-12-20T10:00:00Z",
            k1,
            hs_task_subject="t1",
            hs_task_status="COMPLETED",
            _at=at("2026-12-15T10:00:00Z"),
        ),
        "t2": activity("tasks", a, "2026-12-20T10:00:00Z", k1, hs_task_subject="t2"),
    }
    archive_record("calls", acts["c4"].pk, source=UI)
    return {
        "alice": alice,
        "bob": bob,
        "team": team,
        "a": int(a),
        "b": int(b),
        "deals": deals,
        "contacts": {"k1": k1, "k2": k2, "k3": k3},
        "acts": acts,
    }


def page(client, user, **params):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get("/dashboard/?" + urlencode(params))
    assert response.status_code == 200
    return response


def figures_for(user, tz="Europe/Paris", now=None, **params):
    from django.test import RequestFactory

    update_portal(report_time_zone=tz)
    counts.rebuild()  # the productivity figures read the day counters of that zone
    request = RequestFactory().get("/dashboard/", params)
    request.user = user
    filters = DashboardFilters.from_request(request, now=now)
    fc = figures.forecast(filters, user)
    return (
        filters,
        fc,
        figures.productivity(filters, user),
        figures.pipeline_figures(filters, user, fc),
    )


def listed(client, url) -> list[str]:
    """The names or ids a figure's link lists (deals and contacts by name, activities by id)."""
    html = client.get(url).content.decode()
    found = [a.text for a in select(html, "div.name-cell > a[href]")]
    return sorted(found + [tr.get("data-id") for tr in select(html, "tr[data-id]")])


def names(objs) -> list[str]:
    return sorted(str(o.dealname) if hasattr(o, "dealname") else str(o) for o in objs)


def ids(data, *keys) -> list[str]:
    return sorted(str(data["acts"][k].pk) for k in keys)


# -- periods ------------------------------------------------------------------------------------


def test_periods_in_the_report_time_zone_weeks_start_on_monday():
    now = at("2026-12-31T23:30:00Z")  # already 1 January 2027 in Paris, not in New York
    paris = period_for("this_quarter", "Europe/Paris", now=now)
    assert (paris.first_day, paris.last_day) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    york = period_for("this_quarter", "America/New_York", now=now)
    assert (york.first_day, york.last_day) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert york.end == at("2027-01-01T05:00:00Z")
    assert period_for("last_quarter", "Europe/Paris", now=now).first_day == dt.date(2026, 10, 1)
    assert period_for("last_month", "Europe/Paris", now=now).first_day == dt.date(2026, 12, 1)
    assert period_for("this_year", "America/New_York", now=now).first_day == dt.date(2026, 1, 1)
    week = period_for("this_week", "Europe/Paris", now=at("2026-11-29T22:59:00Z"))  # Sun 23:59
    assert (week.first_day, week.last_day) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    week = period_for("this_week", "Europe/Paris", now=at("2026-11-29T23:00:00Z"))  # Mon 00:00
    assert week.first_day == dt.date(2026, 11, 30) and week.first_day.weekday() == 0
    today = period_for("today", "Europe/Paris", now=now)
    assert today.start == at("2026-12-31T23:00:00Z") and today.end == at("2027-01-01T23:00:00Z")
    assert period_for("this_month", "Europe/Paris", now=at("2026-02-10T10:00:00Z")).last_day == (
        dt.date(2026, 2, 28)
    )


# -- every figure, two time zones ---------------------------------------------------------------


def test_forecast_in_paris(data):
    _f, fc, _p, _pl = figures_for(data["alice"], **Q4)
    by_stage = {s.stage_id: (s.count, s.amount) for s in fc.stages}
    assert by_stage["appointmentscheduled"] == (1, Decimal("1000"))  # d1 at 23:30 on 31 Dec
    assert by_stage["qualifiedtobuy"] == (1, Decimal("2000"))  # d2 at 01:30 on 1 Oct
    assert by_stage["contractsent"] == (0, Decimal(0))  # d6 is already in January
    assert (fc.open_count, fc.open_amount) == (2, Decimal("3000"))
    assert fc.weighted_amount == Decimal("1000.00")  # 1000 * 0.2 + 2000 * 0.4
    assert (fc.won_count, fc.won_amount, fc.lost_count) == (1, Decimal("5000"), 1)


def test_forecast_in_new_york(data):
    _f, fc, _p, _pl = figures_for(data["alice"], "America/New_York", **Q4)
    by_stage = {s.stage_id: (s.count, s.amount) for s in fc.stages}
    assert by_stage["appointmentscheduled"] == (2, Decimal("1300"))  # d1 and d5
    assert by_stage["qualifiedtobuy"] == (0, Decimal(0))  # d2 closed in September there
    assert by_stage["contractsent"] == (1, Decimal("4000"))
    assert (fc.open_count, fc.open_amount, fc.weighted_amount) == (
        3,
        Decimal("5300"),
        Decimal("3860.00"),
    )
    assert (fc.won_count, fc.won_amount) == (1, Decimal("5000"))


def _prod(p) -> dict:
    return {r.owner_id: {k: c for k, (c, _u) in r.counts.items()} for r in p.rows}


def test_productivity_in_both_time_zones(data):
    a, b = data["a"], data["b"]
    _f, _fc, prod, _pl = figures_for(data["alice"], **Q4)
    assert _prod(prod) == {
        a: {"calls": 2, "emails": 1, "meetings": 0, "tasks": 1},
        b: {"calls": 1, "emails": 0, "meetings": 1, "tasks": 0},
    }
    assert {k: c for k, (c, _u) in prod.totals.items()} == {
        "calls": 3,
        "emails": 1,
        "meetings": 1,
        "tasks": 1,
    }
    _f, _fc, prod, _pl = figures_for(data["alice"], "America/New_York", **Q4)
    assert _prod(prod)[a] == {"calls": 1, "emails": 1, "meetings": 0, "tasks": 1}


def test_the_total_is_the_sum_of_the_rows_with_an_unassigned_row(data, client):
    nobody = create_record(
        "calls", {"hs_timestamp": "2026-11-05T10:00:00Z", "hs_call_title": "nobody's"}, source=UI
    )
    _f, _fc, prod, _pl = figures_for(data["alice"], **Q4)
    rows = _prod(prod)
    assert rows[figures.UNASSIGNED] == {"calls": 1, "emails": 0, "meetings": 0, "tasks": 0}
    assert prod.rows[-1].owner_id == figures.UNASSIGNED  # last, whatever its figures
    for kind, (total, _url) in prod.totals.items():
        assert total == sum(row[kind] for row in rows.values()), kind
    client.force_login(data["alice"])
    assert listed(client, prod.rows[-1].counts["calls"][1]) == [str(nobody.pk)]
    heads = ".productivity-wrap tbody th[scope=row]"
    html = page(client, data["alice"], **Q4).content.decode()
    assert [th.text for th in select(html, heads)][-1] == "Unassigned"
    client.cookies["django_language"] = "fr"
    html = client.get("/dashboard/?" + urlencode(Q4)).content.decode()
    assert [th.text for th in select(html, heads)][-1] == "Non attribuées"
    # Who sees only their own activities (or picks an owner) gets no such row.
    _f, _fc, prod, _pl = figures_for(data["bob"], **Q4)
    assert figures.UNASSIGNED not in _prod(prod)
    _f, _fc, prod, _pl = figures_for(data["alice"], who=f"owner:{data['a']}", **Q4)
    assert list(_prod(prod)) == [data["a"]]


@pytest.mark.parametrize("counted", [True, False])
def test_meetings_count_once_they_happened(data, client, monkeypatch, counted):
    if not counted:
        monkeypatch.setattr(figures, "counts_ready", lambda f: False)
    now = at("2026-12-10T12:00:00Z")
    made = {}
    for when, title in [
        ("2026-12-10T11:00:00Z", "this morning"),
        ("2026-12-10T15:00:00Z", "this afternoon"),
        ("2026-12-20T10:00:00Z", "later this month"),
    ]:
        props = {
            "hs_timestamp": when,
            "hubspot_owner_id": str(data["a"]),
            "hs_meeting_title": title,
        }
        made[title] = create_record("meetings", props, source=UI)
    _f, _fc, prod, _pl = figures_for(data["alice"], now=now, period="this_month")
    assert _prod(prod)[data["a"]]["meetings"] == 1  # this morning's (m2 was canceled)
    assert _prod(prod)[data["b"]]["meetings"] == 1  # m1, on 1 December
    assert prod.totals["meetings"][0] == 2
    client.force_login(data["alice"])
    url = next(r for r in prod.rows if r.owner_id == data["a"]).counts["meetings"][1]
    assert listed(client, url) == [str(made["this morning"].pk)]
    # The same day later on: the afternoon's meeting has been held by then.
    _f, _fc, prod, _pl = figures_for(
        data["alice"], now=at("2026-12-10T16:00:00Z"), period="this_month"
    )
    assert _prod(prod)[data["a"]]["meetings"] == 2
    # A month already over counts every meeting held in it.
    _f, _fc, prod, _pl = figures_for(
        data["alice"], now=at("2027-01-05T09:00:00Z"), period="last_month"
    )
    assert _prod(prod)[data["a"]]["meetings"] == 3


def _pipeline(pl) -> dict:
    return {f.label: (f.count, f.percent) for f in pl}


def test_pipeline_figures_in_both_time_zones(data):
    _f, _fc, _p, pl = figures_for(data["alice"], **Q4)
    assert _pipeline(pl) == {
        "Contacts with an owner": (2, 66.7),
        "Contacts called": (3, 100.0),
        "Deals created": (5, None),  # d2 was created in September
        "Deals closed won": (1, 50.0),  # d3 won, d4 lost
    }
    _f, _fc, _p, pl = figures_for(data["alice"], "America/New_York", **Q4)
    assert _pipeline(pl)["Contacts called"] == (2, 66.7)  # c1 was on 30 September there


def test_owner_and_team_filters(data):
    a = data["a"]
    _f, fc, prod, pl = figures_for(data["alice"], who=f"owner:{a}", **Q4)
    assert (fc.open_count, fc.open_amount, fc.won_count) == (1, Decimal("1000"), 1)
    assert list(_prod(prod)) == [a]
    assert _pipeline(pl)["Contacts with an owner"] == (1, 33.3)
    assert _pipeline(pl)["Contacts called"] == (2, 66.7)  # k3 (c1) and k1 (c3)
    _f, fc2, prod2, _pl = figures_for(data["alice"], who=f"team:{data['team'].pk}", **Q4)
    assert (fc2.open_amount, list(_prod(prod2))) == (fc.open_amount, [a])


def test_weeks_of_the_chart_follow_the_time_zone(data):
    a = data["a"]
    update_portal(report_time_zone="Europe/Paris")
    filters, *_ = figures_for(data["alice"], **Q4)
    weeks = figures.weekly_activity(filters, data["alice"])
    assert weeks[(a, dt.date(2026, 11, 2))] == 1  # c3: Monday 00:30 in Paris
    assert weeks[(a, dt.date(2026, 9, 28))] == 1  # c1: Thursday 1 October
    filters, *_ = figures_for(data["alice"], "America/New_York", **Q4)
    weeks = figures.weekly_activity(filters, data["alice"])
    assert weeks[(a, dt.date(2026, 10, 26))] == 1  # c3: still Sunday there
    assert (a, dt.date(2026, 9, 28)) not in weeks  # c1 was in September there


# -- the links list exactly what the figures count ----------------------------------------------


def test_every_figure_lists_exactly_its_records(client, data):
    update_portal(report_time_zone="Europe/Paris")
    client.force_login(data["alice"])
    client.cookies["django_language"] = "en"
    _f, fc, prod, pl = figures_for(data["alice"], **Q4)
    stage = {s.stage_id: s for s in fc.stages}
    assert listed(client, stage["appointmentscheduled"].url) == ["d1"]
    assert listed(client, stage["qualifiedtobuy"].url) == ["d2"]
    assert listed(client, stage["contractsent"].url) == []
    assert listed(client, fc.open_url) == ["d1", "d2"]
    assert listed(client, fc.won_url) == ["d3"]
    a, b = data["a"], data["b"]
    rows = {r.owner_id: r.counts for r in prod.rows}
    assert listed(client, rows[a]["calls"][1]) == ids(data, "c1", "c3")
    assert listed(client, rows[b]["calls"][1]) == ids(data, "c2")
    assert listed(client, rows[a]["emails"][1]) == ids(data, "e1")
    assert listed(client, rows[b]["meetings"][1]) == ids(data, "m1")
    assert listed(client, rows[a]["meetings"][1]) == []
    assert listed(client, rows[a]["tasks"][1]) == ids(data, "t1")
    assert listed(client, prod.totals["calls"][1]) == ids(data, "c1", "c2", "c3")
    by_label = {f.label: f for f in pl}
    assert listed(client, by_label["Contacts with an owner"].url) == ["Kai Deux", "Kim Un"]
    assert listed(client, by_label["Contacts called"].url) == ["Kai Deux", "Kev Trois", "Kim Un"]
    assert listed(client, by_label["Deals created"].url) == ["d1", "d3", "d4", "d5", "d6"]
    assert listed(client, by_label["Deals closed won"].url) == ["d3"]


def test_the_page_shows_the_figures_and_links(client, data):
    update_portal(report_time_zone="Europe/Paris")
    html = page(client, data["alice"], **Q4).content.decode()
    assert "€3,000" in html and "€1,000" in html and "€5,000" in html
    _f, fc, _p, _pl = figures_for(data["alice"], **Q4)
    assert f'href="{fc.won_url.replace("&", "&amp;")}"'.replace('"', "&quot;") not in html
    assert 'aria-label="Closed won: €5,000, 1 deal"' in html
    assert "Alice Martin" in html and "Bob Durand" in html
    assert '<svg class="week-chart"' in html and 'role="img"' in html
    # The home page is the dashboard, first in the navigation.
    home = client.get("/").content.decode()
    assert 'aria-current="page"' in home.split("Dashboard</span>")[0].rsplit("<li>", 1)[1]


def test_a_private_rep_sees_only_their_own_figures(client, data):
    bob, b = data["bob"], data["b"]
    _f, fc, prod, pl = figures_for(bob, **Q4)
    assert (fc.open_count, fc.open_amount, fc.weighted_amount) == (
        1,
        Decimal("2000"),
        Decimal("800.00"),
    )
    assert (fc.won_count, fc.lost_count) == (0, 1)
    assert _prod(prod) == {b: {"calls": 1, "emails": 0, "meetings": 1, "tasks": 0}}
    assert {k: c for k, (c, _u) in prod.totals.items()}["calls"] == 1
    assert _pipeline(pl) == {
        "Contacts with an owner": (1, 100.0),
        "Contacts called": (1, 100.0),
        "Deals created": (1, None),  # d4 (d2 was created in September)
        "Deals closed won": (0, 0.0),
    }
    # Asking for Alice's figures shows nothing of hers.
    _f, fc, prod, pl = figures_for(bob, who=f"owner:{data['a']}", **Q4)
    assert (fc.open_count, fc.won_count, prod.rows) == (0, 0, [])
    client.force_login(bob)
    client.cookies["django_language"] = "en"
    html = page(client, bob, **Q4).content.decode()
    assert "Alice Martin</th>" not in html
    assert listed(client, "/dashboard/contacts-called/?" + urlencode(Q4)) == ["Kai Deux"]


def test_bad_filters_say_so(client, data):
    html = page(client, data["alice"], period="custom", **{"from": "2026-12-01"}).content.decode()
    assert "A custom range needs a start and an end date" in html
    html = page(client, data["alice"], who="owner:999999", pipeline="nope").content.decode()
    assert "That team member or team no longer exists" in html
    assert "That pipeline no longer exists" in html
    response = client.get('/dashboard/activities/calls/?filters=[{"nope":1}]')
    assert "The filters could not be applied" in response.content.decode()
    assert client.get("/dashboard/activities/notes/").status_code == 404


def test_query_count_of_the_dashboard_does_not_grow_with_data(client, data):
    from comptoir.dashboard.counts import rebuild

    # The counters are built, as migrations leave them; a transactional test that ran before
    # on this worker flushed their state row, and the dashboard would count live instead.
    rebuild()
    client.force_login(data["alice"])
    client.get("/dashboard/?" + urlencode(Q4))  # warm the caches
    with CaptureQueriesContext(connection) as first:
        client.get("/dashboard/?" + urlencode(Q4))
    for i in range(5):
        create_record(
            "calls",
            {"hs_timestamp": "2026-11-10T10:00:00Z", "hubspot_owner_id": str(data["b"])},
            source=UI,
        )
        make_user(f"more{i}@example.com")
    client.get("/dashboard/?" + urlencode(Q4))  # new users: the owner caches reload once
    with query_budget("ui.dashboard") as second:
        client.get("/dashboard/?" + urlencode(Q4))
    assert len(first) == len(second), [q["sql"] for q in second.captured_queries]


def test_contacts_called_stop_counting_past_the_cap(data):
    update_portal(report_time_zone="Europe/Paris")
    filters, *_ = figures_for(data["alice"], **Q4)
    assert figures.called_count(filters, data["alice"], cap=2) == (2, True)
    assert figures.called_count(filters, data["alice"], cap=3) == (3, False)


def test_counting_calls_leaves_the_callers_database_settings_as_they_were(data):
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = on")
    filters, *_ = figures_for(data["alice"], **Q4)
    figures.called_count(filters, data["alice"])
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("on",)
