"""Sales tools > Prospects and Settings > Prospects (TOOL-6): the visiting companies over a
period with their filters, assigning an owner (the company's through the record
services, with history), creating the company, the empty state with the snippet, the
daily digest at 8:00 in each subscriber's time zone, the settings' checks."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from comptoir.core.history.models import PropertyChange
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_user
from comptoir.prospects import digest, services
from comptoir.prospects.models import DigestSubscription, PageView, Prospect, ProspectDay
from comptoir.users.models import Owner

pytestmark = pytest.mark.django_db


def prospect(domain, *, days_ago=0, visits=2, views=5, first_days_ago=None, company=None):
    now = timezone.now()
    first = days_ago if first_days_ago is None else first_days_ago
    p = Prospect.objects.create(
        domain=domain,
        company_id=company.pk if company else None,
        first_seen_at=now - dt.timedelta(days=first),
        last_seen_at=now - dt.timedelta(days=days_ago),
        visits=visits,
        page_views=views,
    )
    ProspectDay.objects.create(
        prospect=p,
        day=services.today() - dt.timedelta(days=days_ago),
        visits=visits,
        page_views=views,
    )
    return p


@pytest.fixture
def rep(client):
    user = make_user(first_name="Camille", last_name="Martin")
    client.force_login(user)
    return user


def test_empty_state_shows_the_snippet_and_where_to_set_the_domain(client, rep):
    page = client.get("/sales-tools/prospects/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "No visits yet" in body
    assert "http://testserver/p/snippet.js" in body
    assert "comptoir(&#x27;consent&#x27;, true)" in body
    assert "Settings > Prospects" in body


def test_the_list_with_its_filters(client, rep):
    owner = Owner.objects.get(user=rep)
    durand = make_company(name="Durand SA", domain="durand.fr", hubspot_owner_id=str(owner.pk))
    prospect("durand.fr", company=durand, visits=3, views=9, first_days_ago=40)
    prospect("leroy.fr", visits=1, views=2)
    prospect("old.fr", days_ago=60)
    body = client.get("/sales-tools/prospects/").content.decode()
    assert "Durand SA" in body and "leroy.fr" in body and "old.fr" not in body
    assert body.index("Durand SA") < body.index("leroy.fr")  # most visits first
    assert "old.fr" in client.get("/sales-tools/prospects/?period=90").content.decode()
    new = client.get("/sales-tools/prospects/?kind=new").content.decode()
    assert "leroy.fr" in new and "Durand SA" not in new
    returning = client.get("/sales-tools/prospects/?kind=returning").content.decode()
    assert "Durand SA" in returning and "<strong>leroy.fr</strong>" not in returning
    mine = client.get("/sales-tools/prospects/?owner=me").content.decode()
    assert "Durand SA" in mine and "<strong>leroy.fr</strong>" not in mine
    nobody = client.get("/sales-tools/prospects/?owner=none").content.decode()
    assert "<strong>leroy.fr</strong>" in nobody and "Durand SA" not in nobody
    # Nonsense filters fall back to the defaults, never a 500.
    assert client.get("/sales-tools/prospects/?period=x&kind=y&owner=z").status_code == 200


def test_the_query_count_does_not_grow_with_the_companies(
    client, rep, django_assert_max_num_queries
):
    for n in range(3):
        prospect(f"p{n}.fr", company=make_company(name=f"P{n}", domain=f"p{n}.fr") if n else None)
    client.get("/sales-tools/prospects/")
    with django_assert_max_num_queries(20) as few:
        client.get("/sales-tools/prospects/")
    for n in range(3, 30):
        prospect(f"p{n}.fr", company=make_company(name=f"P{n}", domain=f"p{n}.fr"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/sales-tools/prospects/")


def test_assign_an_owner_to_a_company_goes_through_the_record_services(client, rep):
    other = make_user(first_name="Omar")
    owner = Owner.objects.get(user=other)
    durand = make_company(name="Durand SA", domain="durand.fr")
    p = prospect("durand.fr", company=durand)
    response = client.post(f"/sales-tools/prospects/{p.pk}/assign/", {"owner": owner.pk})
    assert response.status_code == 302
    company = base_queryset("companies").get(pk=durand.pk)
    assert company.hubspot_owner_id == owner.pk
    change = PropertyChange.objects.filter(property="hubspot_owner_id", object_id=durand.pk)
    assert change.exists()


def test_assign_an_owner_before_the_company_exists_then_create_it(client, rep):
    owner = Owner.objects.get(user=rep)
    p = prospect("leroy.fr")
    client.post(f"/sales-tools/prospects/{p.pk}/assign/", {"owner": owner.pk})
    assert Prospect.objects.get(pk=p.pk).owner_id == owner.pk
    response = client.post(f"/sales-tools/prospects/{p.pk}/company/", {"name": "Leroy"})
    company = base_queryset("companies").get(domain="leroy.fr")
    assert response["Location"] == f"/companies/{company.pk}/"
    assert company.name == "Leroy" and company.hubspot_owner_id == owner.pk
    assert Prospect.objects.get(pk=p.pk).company_id == company.pk
    assert PropertyChange.objects.filter(object_id=company.pk, property="domain").exists()
    # Twice: the same company, not a second one.
    client.post(f"/sales-tools/prospects/{p.pk}/company/", {"name": "Leroy"})
    assert base_queryset("companies").filter(domain="leroy.fr").count() == 1


def test_create_links_an_existing_company_of_that_domain(client, rep):
    durand = make_company(name="Durand SA", domain="www.durand.fr")
    p = prospect("durand.fr")
    client.post(f"/sales-tools/prospects/{p.pk}/company/", {"name": "x"})
    assert Prospect.objects.get(pk=p.pk).company_id == durand.pk
    assert base_queryset("companies").count() == 1


def test_bad_input_on_the_page(client, rep):
    p = prospect("leroy.fr")
    assert client.post("/sales-tools/prospects/999999/assign/", {"owner": ""}).status_code == 404
    assert client.post("/sales-tools/prospects/999999/company/").status_code == 404
    bad = client.post(f"/sales-tools/prospects/{p.pk}/assign/", {"owner": "abc"}, follow=True)
    assert "Owner: choose one of the list." in bad.content.decode()
    bad = client.post(f"/sales-tools/prospects/{p.pk}/assign/", {"owner": "99999"}, follow=True)
    assert "Owner: choose one of the list." in bad.content.decode()
    assert Prospect.objects.get(pk=p.pk).owner_id is None
    assert client.get(f"/sales-tools/prospects/{p.pk}/assign/").status_code == 405
    # An outside "next" is not followed.
    away = client.post(
        f"/sales-tools/prospects/{p.pk}/assign/", {"owner": "", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/sales-tools/prospects/"


def test_a_company_the_user_may_not_change_answers_404(client, db):
    boss = make_user(first_name="Boss")
    boss_owner = str(Owner.objects.get(user=boss).pk)
    durand = make_company(name="Durand SA", domain="durand.fr", hubspot_owner_id=boss_owner)
    p = prospect("durand.fr", company=durand)
    client.force_login(make_user(role="Sales rep"))  # sees every company, changes its own
    assert "Durand SA" in client.get("/sales-tools/prospects/").content.decode()
    response = client.post(f"/sales-tools/prospects/{p.pk}/assign/", {"owner": ""})
    assert response.status_code == 404
    assert base_queryset("companies").get(pk=durand.pk).hubspot_owner_id == int(boss_owner)


def test_a_company_the_user_may_not_see_is_named_by_its_domain_only(client, db):
    boss = make_user(first_name="Boss")
    boss_owner = str(Owner.objects.get(user=boss).pk)
    durand = make_company(name="Durand SA", domain="durand.fr", hubspot_owner_id=boss_owner)
    prospect("durand.fr", company=durand)
    client.force_login(make_user(role="Sales rep – private"))  # noqa: RUF001
    body = client.get("/sales-tools/prospects/").content.decode()
    assert "Durand SA" not in body and "<strong>durand.fr</strong>" in body
    assert f"/companies/{durand.pk}/" not in body


def test_subscribe_and_the_digest_at_eight_in_the_subscribers_zone(client, rep):
    rep.language = "en"
    rep.save()
    response = client.post("/sales-tools/prospects/digest/", {"time_zone": "America/Montreal"})
    assert response.status_code == 302
    sub = DigestSubscription.objects.get(user=rep)
    assert sub.time_zone == "America/Montreal"
    assert (
        client.post("/sales-tools/prospects/digest/", {"time_zone": "Mars/Base"}).status_code == 302
    )
    assert DigestSubscription.objects.get(user=rep).time_zone == "America/Montreal"
    sub.last_sent_on = None
    sub.save()
    # Yesterday's visits in the report time zone.
    p = prospect("leroy.fr", days_ago=1)
    ProspectDay.objects.filter(prospect=p).update(day=dt.date(2026, 3, 9))
    # 7:59 in Montreal (summer time from 8 March 2026, four hours behind UTC): not yet.
    assert digest.send_digests(dt.datetime(2026, 3, 10, 11, 59, tzinfo=dt.UTC)) == 0
    assert mail.outbox == []
    # 8:00 there: sent, once.
    assert digest.send_digests(dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)) == 1
    assert digest.send_digests(dt.datetime(2026, 3, 10, 12, 5, tzinfo=dt.UTC)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [rep.email]
    assert "leroy.fr" in message.body and "1 company" in message.subject
    # Nothing visited the day before: nothing sent.
    assert digest.send_digests(dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)) == 0
    assert len(mail.outbox) == 1
    client.post("/sales-tools/prospects/digest/", {"subscribe": "off"})
    assert not DigestSubscription.objects.exists()


def test_the_digest_is_in_the_subscribers_language(client, rep):
    rep.language = "fr"
    rep.save()
    DigestSubscription.objects.create(user=rep, time_zone="Europe/Paris")
    p = prospect("leroy.fr")
    ProspectDay.objects.filter(prospect=p).update(day=dt.date(2026, 3, 9))
    digest.send_digests(dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.UTC))
    assert "Prospects" in mail.outbox[0].subject and "entreprise" in mail.outbox[0].subject


# -- Settings > Prospects --------------------------------------------------------------------


@pytest.fixture
def admin(client):
    user = make_user(role="Super admin")
    client.force_login(user)
    return user


def test_settings_save_and_refuse_bad_values(client, admin):
    page = client.get("/settings/prospects/")
    assert page.status_code == 200 and "/p/snippet.js" in page.content.decode()
    ok = client.post(
        "/settings/prospects/",
        {
            "allowed_domains": "https://www.Acme-Shop.fr/\nblog.acme-shop.fr",
            "ip_ranges": "198.51.100.7/24 https://durand.fr",
            "retention_days": "30",
            "reverse_dns": "on",
        },
    )
    assert ok.status_code == 302
    from comptoir.prospects.conf import conf

    c = conf()
    assert c.domains == ("www.acme-shop.fr", "blog.acme-shop.fr")
    assert str(c.ranges[0][0]) == "198.51.100.0/24" and c.ranges[0][1] == "durand.fr"
    assert c.retention_days == 30
    bad = client.post(
        "/settings/prospects/",
        {
            "allowed_domains": "not a domain!",
            "ip_ranges": "300.1.1.1/8 x.fr\n10.0.0.0/8",
            "retention_days": "0",
        },
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "is not a domain" in text and "is not a network" in text and "from 1 to 3650" in text
    assert conf().retention_days == 30  # nothing saved


def test_settings_are_for_administrators_only(client, rep):
    assert client.get("/settings/prospects/").status_code == 404


def test_page_views_are_not_shown_to_anyone_raw(client, rep):
    PageView.objects.create(occurred_at=timezone.now(), url="https://www.acme-shop.fr/secret")
    assert "secret" not in client.get("/sales-tools/prospects/").content.decode()


def test_new_prospect_is_chosen_in_settings_notifications(client, rep):
    page = client.get("/settings/notifications/").content.decode()
    assert "New prospect" in page and 'name="new_prospect:in_app"' in page
    client.post("/settings/notifications/", {"new_prospect:email": "on"})
    from comptoir.notifications.services import preferences

    assert preferences(rep)["new_prospect"] == (False, True)
