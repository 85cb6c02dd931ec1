"""`comptoir seed_demo`: counts, consistency of what a user sees, determinism, bad options."""

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.activities.models import Activity
from comptoir.companies.models import Company
from comptoir.contacts.freemail import is_freemail
from comptoir.contacts.models import Contact
from comptoir.core.associations.models import Association
from comptoir.core.history.models import PropertyChange
from comptoir.core.setup import DEFAULT_DEAL_STAGES, DEFAULT_TASK_PIPELINE_ID, TASK_STAGE_BY_STATUS
from comptoir.deals.models import Deal
from comptoir.demo.engagements import DemoActivities
from comptoir.demo.plan import Counts, Stages, make_plan
from comptoir.demo.pools import build_pools
from comptoir.demo.records import DemoRecords
from comptoir.users.models import Owner, User

SMALL = {"contacts": 200, "companies": 30, "deals": 50, "activities": 300}
NOW = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", **{**SMALL, "seed": 1, **options}, stdout=out)
    return out.getvalue()


def links(from_type, to_type, type_id) -> dict[int, set[int]]:
    found = defaultdict(set)
    rows = Association.objects.filter(from_type=from_type, to_type=to_type, type_id=type_id)
    for from_id, to_id in rows.values_list("from_id", "to_id"):
        found[from_id].add(to_id)
    return found


@pytest.mark.django_db
def test_counts_owners_and_summary():
    output = seed()
    assert Company.objects.count() == 30
    assert Contact.objects.count() == 200
    assert Deal.objects.count() == 50
    assert Activity.objects.count() == 300
    kinds = set(Activity.objects.values_list("object_type_name", flat=True))
    assert kinds == {"notes", "tasks", "calls", "meetings", "emails"}
    assert User.objects.count() == 8
    owners = set(Owner.objects.values_list("pk", flat=True))
    owned = Contact.objects.filter(hubspot_owner_id__in=owners).count()
    assert owned > 0.6 * 200
    assert "rows/s" in output
    assert "Created 30 companies, 200 contacts, 50 deals and 300 activities" in output


@pytest.mark.django_db
def test_contacts_on_company_domains_have_that_company_as_primary():
    seed()
    by_domain = dict(Company.objects.values_list("domain", "pk"))
    assert len(by_domain) == 30 and all(by_domain)
    primary = links("contacts", "companies", 1)
    inverse = links("companies", "contacts", 2)
    on_company = free = 0
    for contact in Contact.objects.all():
        company_id = by_domain.get(contact.hs_email_domain)
        if company_id is None:
            assert is_freemail(contact.hs_email_domain)
            assert contact.pk not in primary
            assert "associatedcompanyid" not in contact.properties
            free += 1
            continue
        on_company += 1
        assert primary[contact.pk] == {company_id}
        assert contact.pk in inverse[company_id]
        assert contact.properties["associatedcompanyid"] == company_id
        assert contact.properties["company"] == Company.objects.get(pk=company_id).name
    assert on_company > 100 and free > 10
    emails = list(Contact.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)


@pytest.mark.django_db
def test_deals_sit_in_pipeline_stages_with_amounts_and_consistent_lifecycles():
    seed()
    stage_ids = {stage_id for stage_id, *_ in DEFAULT_DEAL_STAGES}
    deal_contacts = links("deals", "contacts", 3)
    deal_companies = links("deals", "companies", 5)
    contact_company = {c: next(iter(ids)) for c, ids in links("contacts", "companies", 1).items()}
    best = {}
    for deal in Deal.objects.all():
        assert deal.pipeline == "default" and deal.dealstage in stage_ids
        assert deal.amount > 0 and deal.closedate is not None
        assert deal.dealname
        (contact_id,) = deal_contacts[deal.pk]
        if contact_id in contact_company:
            assert deal_companies[deal.pk] == {contact_company[contact_id]}
        rank = {"closedwon": 2, "closedlost": 0}.get(deal.dealstage, 1)
        best[contact_id] = max(best.get(contact_id, 0), rank)
        if deal.dealstage == "closedwon":
            assert deal.properties["hs_is_closed_won"] is True
    assert {r for r in best.values()} >= {1, 2}
    stages = dict(Contact.objects.values_list("pk", "lifecyclestage"))
    for contact_id, rank in best.items():
        assert stages[contact_id] == {2: "customer", 1: "opportunity"}.get(rank, stages[contact_id])
    without_deals = {pk: s for pk, s in stages.items() if best.get(pk, 0) == 0}
    assert not {"customer", "opportunity"} & set(without_deals.values())


@pytest.mark.django_db
def test_history_rows_record_created_values():
    seed()
    contact = Contact.objects.order_by("pk").first()
    history = dict(
        PropertyChange.objects.filter(object_type="0-1", object_id=contact.pk).values_list(
            "property", "value"
        )
    )
    assert history["email"] == contact.email
    assert history["firstname"] == contact.firstname
    assert history["lifecyclestage"] == contact.lifecyclestage
    changed = PropertyChange.objects.filter(object_type="0-1", object_id=contact.pk).first()
    assert changed.changed_at == contact.created_at
    assert changed.source_type == "IMPORT" and changed.source_id == "seed_demo"
    for type_id in ("0-2", "0-3", "0-27", "0-46", "0-48", "0-47"):
        assert PropertyChange.objects.filter(object_type=type_id).exists()


@pytest.mark.django_db
def test_activities_look_real():
    seed()
    now = dt.datetime.now(dt.UTC)
    tasks = Activity.objects.filter(object_type_name="tasks")
    overdue = upcoming = 0
    for task in tasks:
        p = task.properties
        assert p["hs_task_subject"] and p["hs_task_type"] and p["hs_task_priority"]
        assert p["hs_pipeline"] == DEFAULT_TASK_PIPELINE_ID
        assert p["hs_pipeline_stage"] == TASK_STAGE_BY_STATUS[p["hs_task_status"]]
        if p["hs_task_status"] != "COMPLETED":
            overdue += task.hs_timestamp < now
            upcoming += task.hs_timestamp > now
    assert overdue and upcoming
    for note in Activity.objects.filter(object_type_name="notes"):
        assert note.properties["hs_note_body"].startswith("<p>")
    for meeting in Activity.objects.filter(object_type_name="meetings"):
        p = meeting.properties
        assert p["hs_meeting_end_time"] > p["hs_meeting_start_time"]
    year_ago = now - dt.timedelta(days=366)
    assert all(year_ago < a.created_at <= now for a in Activity.objects.all())
    with_contact = {a for a, _ in Association.objects.filter(
        from_type__in=["notes", "tasks", "calls", "meetings", "emails"], to_type="contacts"
    ).values_list("from_id", "to_type")}  # fmt: skip
    assert with_contact == set(Activity.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_existing_users_are_reused_topped_up_with_teammates_and_a_second_run_adds_more():
    from comptoir.core.testing.factories import make_user
    from comptoir.demo.seeder import DEMO_USERS

    user = make_user("boss@example.com")
    seed()
    seed(contacts=20, companies=5, deals=3, activities=10)
    assert User.objects.count() == DEMO_USERS  # the boss plus teammates, not twice
    owners = set(Contact.objects.values_list("hubspot_owner_id", flat=True)) - {None}
    assert user.owner.pk in owners and len(owners) > 1
    assert Contact.objects.count() == 220 and Company.objects.count() == 35
    emails = list(Contact.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)


def _sample(seed_value: int) -> list:
    counts = Counts(companies=30, contacts=200, deals=50, activities=300)
    stages = Stages("default", ("appointmentscheduled", "qualifiedtobuy"), ("closedwon",), ())
    plan = make_plan(counts, seed=seed_value, now=NOW, owners=["1", "2", "3"], stages=stages)
    records = DemoRecords(plan, build_pools(seed_value, size=200))
    sample = []
    for j in range(counts.companies):
        sample.append(records.company_row(j))
        records.company_id[j] = j + 1
    for i in range(counts.contacts):
        sample.append(records.contact_row(i))
        records.contact_id[i] = i + 1
    for k in range(counts.deals):
        sample.append(records.deal_row(k))
        records.deal_id[k] = k + 1
    activities = DemoActivities(records)
    sample += [activities.row(a) for a in range(counts.activities)]
    return sample


def test_same_seed_same_data():
    first, again, other = _sample(5), _sample(5), _sample(6)
    assert first == again
    assert first != other
    (company, created, _), (contact, _, contact_links) = first[0], first[30]
    assert company["domain"] in company["website"] and created <= NOW
    assert contact["email"].count("@") == 1 and contact["lifecyclestage"]
    assert all(to == "companies" and types == [1] for to, _, types in contact_links)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"contacts": -1}, "--contacts"),
        ({"contacts": "many"}, "--contacts"),
        ({"deals": 1.5}, "--deals"),
        ({"companies": True}, "--companies"),
        ({"activities": "-3"}, "--activities"),
        ({"seed": "abc"}, "--seed"),
        ({"batch_size": 0}, "--batch-size"),
        ({"contacts": 0, "deals": 5}, "--contacts"),
    ],
)
def test_bad_options_are_refused(options, named):
    with pytest.raises(CommandError, match=named):
        seed(**options)
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_bad_option_from_the_command_line_names_it():
    with pytest.raises(CommandError, match="--contacts"):
        call_command("seed_demo", "--contacts", "ten", stdout=io.StringIO())


DUMP = {
    "contacts_contact": "id, email, firstname, lastname, lifecyclestage, hubspot_owner_id",
    "companies_company": "id, name, domain, hubspot_owner_id, search_text",
    "deals_deal": "id, dealname, amount, dealstage, hubspot_owner_id",
    "activities_activity": "id, object_type_name, hubspot_owner_id, search_text",
    "core_association": "from_type, from_id, to_type, to_id, type_id",
    "core_propertychange": "object_type, object_id, property",
}


def _seed_into(directory, jobs: int) -> dict:
    import os
    import sqlite3
    import subprocess
    import sys

    env = {**os.environ, "COMPTOIR_DATA_DIR": str(directory)}
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, "-m", "comptoir.manage"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    options = "--seed 4 --contacts 3000 --companies 300 --deals 600 --activities 3000"
    subprocess.run(
        [*manage, "seed_demo", *options.split(), "--batch-size", "400", "--jobs", str(jobs)],
        env=env,
        check=True,
        capture_output=True,
    )
    db = sqlite3.connect(directory / "comptoir.sqlite3")
    dump = {t: db.execute(f"SELECT {c} FROM {t} ORDER BY {c}").fetchall() for t, c in DUMP.items()}
    db.close()
    return dump


@pytest.mark.slow
def test_two_writer_processes_write_exactly_what_one_writes(tmp_path):
    one, two = _seed_into(tmp_path / "one", 1), _seed_into(tmp_path / "two", 2)
    assert len(one["contacts_contact"]) == 3000
    for table in DUMP:
        assert one[table] == two[table], table


def _index_definitions() -> set:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')")
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_rollups_written_once_with_their_history_and_nothing_left_to_recompute():
    """Each contact, company and deal holds the rollups its activities and associations
    give, each non-empty one with one history row from the rollups automation (what one
    `update_record` per record writes); `recompute_rollups` finds nothing to change, and
    the indexes the seed rebuilds after its rollups (PostgreSQL) are all back."""
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.objects.registry import get_object_type
    from comptoir.core.properties import registry
    from comptoir.core.properties.coercion import to_api_string
    from comptoir.core.records import rollups
    from comptoir.core.records.values import read_value

    indexes = _index_definitions()
    seed(contacts=300, companies=40, deals=60, activities=600)
    assert _index_definitions() == indexes
    seen = defaultdict(int)
    for name in rollups.rolled_up():
        ot = get_object_type(name)
        defs = registry.definitions(name)
        records = {r.pk: r for r in ot.model.objects.all()}
        expected = rollups.activity_rollups(name, records)
        for pk, counts in rollups.association_counts(name, records).items():
            expected[pk].update(counts)
        history = defaultdict(list)
        rows = PropertyChange.objects.filter(object_type=ot.type_id, source_type="AUTOMATION")
        for row in rows.values_list("object_id", "property", "value", "source_id"):
            history[row[0]].append(row[1:])
        assert set(history) <= set(records)
        for pk, record in records.items():
            values = expected[pk]
            assert {n: read_value(record, defs[n]) for n in values} == values
            assert sorted(history[pk]) == sorted(
                (n, to_api_string(defs[n], v), "rollups")
                for n, v in values.items()
                if v is not None
            )
            seen[name] += values["num_notes"] > 0
    assert all(seen[name] > 0 for name in rollups.rolled_up()), seen
    source = ChangeSource(type="IMPORT", id="seed_demo")
    assert rollups.recompute_all(source) == dict.fromkeys(rollups.rolled_up(), 0)
