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


# -- a prospect's page views ---------------------------------------------------------------------

SITE = "https://www.acme-shop.fr"


def seen(p, minutes_ago, *, visitor="", path="/", title="", ip="198.51.100.7"):
    return PageView.objects.create(
        occurred_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        visitor=visitor,
        url=SITE + path,
        title=title,
        ip=ip,
        user_agent="Mozilla/5.0",
        processed=True,
        domain=p.domain,
    )


def test_a_prospects_page_views_newest_first_in_visits(client, rep):
    from comptoir.core.testing.factories import make_contact
    from comptoir.prospects.models import Visitor

    durand = make_company(name="Durand SA", domain="durand.fr")
    p = prospect("durand.fr", company=durand, visits=3, views=5)
    anne = make_contact(email="anne@durand.fr", firstname="Anne", lastname="Roux")
    vid = "AbCdEfGhIjKlMnOpQrStUv"
    Visitor.objects.create(key=f"v:{vid}", contact_id=anne.pk, last_seen_at=timezone.now())
    seen(p, 200, visitor=vid, path="/tarifs", title="Tarifs")  # Anne's first visit
    seen(p, 190, visitor=vid, path="/contact", title="Contact")
    seen(p, 100, path="/blog")  # someone from Durand, unknown
    seen(p, 10, visitor=vid, path="/offre?ref=1", title="Offre")  # Anne again: a new visit
    seen(p, 5, path="/blog/crm", title="")
    PageView.objects.create(  # another company's: not here
        occurred_at=timezone.now(), url=SITE + "/other", domain="leroy.fr", processed=True
    )
    DigestSubscription.objects.create(user=rep, time_zone="America/Montreal")
    page = client.get(f"/sales-tools/prospects/{p.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Durand SA" in body and f"/companies/{durand.pk}/" in body
    assert "/other" not in body
    urls = [SITE + u for u in ("/blog/crm", "/offre?ref=1", "/blog", "/contact", "/tarifs")]
    positions = [body.index(u + "<") for u in urls]
    assert positions == sorted(positions)  # newest first
    assert body.count('class="prospect-visit"') == 4  # two of Anne's visits, two unknown
    assert body.count(f'href="/contacts/{anne.pk}/"') == 2 and "Anne Roux" in body
    assert "2 pages" in body and "(no title)" in body
    assert "Times in America/Montreal" in body
    moment = timezone.now() - dt.timedelta(minutes=10)
    local = moment.astimezone(__import__("zoneinfo").ZoneInfo("America/Montreal"))
    assert local.strftime("%-I:%M") in body  # the subscriber's time zone
    # From the list, each company leads there; the "new prospect" notice too.
    listing = client.get("/sales-tools/prospects/").content.decode()
    assert f'href="/sales-tools/prospects/{p.pk}/"' in listing


def test_a_contact_the_user_may_not_see_is_not_named(client, db):
    from comptoir.core.testing.factories import make_contact
    from comptoir.prospects.models import Visitor

    boss = make_user(first_name="Boss")
    boss_owner = str(Owner.objects.get(user=boss).pk)
    hidden = make_contact(email="secret@durand.fr", firstname="Secret", hubspot_owner_id=boss_owner)
    durand = make_company(name="Durand SA", domain="durand.fr", hubspot_owner_id=boss_owner)
    p = prospect("durand.fr", company=durand)
    vid = "AbCdEfGhIjKlMnOpQrStUv"
    Visitor.objects.create(key=f"v:{vid}", contact_id=hidden.pk, last_seen_at=timezone.now())
    seen(p, 3, visitor=vid, path="/tarifs", title="Tarifs")
    client.force_login(make_user(role="Sales rep – private"))  # noqa: RUF001
    body = client.get(f"/sales-tools/prospects/{p.pk}/").content.decode()
    assert "Tarifs" in body and "Unknown visitor" in body
    assert "Secret" not in body and f"/contacts/{hidden.pk}/" not in body
    # The company too: named by its domain only, as on the list, without a link.
    assert "Durand SA" not in body and f"/companies/{durand.pk}/" not in body
    assert "<h1>durand.fr</h1>" in body


def test_page_views_are_paged_by_fifty(client, rep):
    p = prospect("durand.fr", views=60)
    PageView.objects.bulk_create(
        [
            PageView(
                occurred_at=timezone.now() - dt.timedelta(minutes=n),
                url=f"{SITE}/p{n}",
                domain=p.domain,
                processed=True,
            )
            for n in range(60)
        ]
    )
    url = f"/sales-tools/prospects/{p.pk}/"
    first = client.get(url).content.decode()
    assert f"{SITE}/p0<" in first and f"{SITE}/p49<" in first and f"{SITE}/p50<" not in first
    assert "Page 1 of 2" in first and "?page=2" in first
    second = client.get(url + "?page=2").content.decode()
    assert f"{SITE}/p50<" in second and f"{SITE}/p59<" in second and f"{SITE}/p0<" not in second
    # Nonsense pages: the first or the last, never a 500.
    for bad in ("abc", "-1", "²", "1e9", "99999999999999999999999999"):
        response = client.get(url, {"page": bad})
        assert response.status_code == 200, bad


def test_a_prospects_page_reads_in_a_constant_number_of_queries(
    client, rep, django_assert_max_num_queries
):
    from comptoir.core.testing.factories import make_contact
    from comptoir.prospects.models import Visitor

    durand = make_company(name="Durand SA", domain="durand.fr")
    p = prospect("durand.fr", company=durand)

    def add(n, start):
        for k in range(start, start + n):
            vid = f"{k:022d}"
            contact = make_contact(email=f"c{k}@durand.fr", firstname=f"C{k}")
            Visitor.objects.create(
                key=f"v:{vid}", contact_id=contact.pk, last_seen_at=p.last_seen_at
            )
            for m in range(3):
                seen(p, k * 60 + m, visitor=vid, path=f"/{k}/{m}", title=f"Page {k}.{m}")

    add(1, 0)
    url = f"/sales-tools/prospects/{p.pk}/"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    add(20, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('class="prospect-visit"') == 17  # 50 page views: 16 visits and a part


def test_purged_page_views_leave_a_clear_empty_state(client, rep):
    p = prospect("durand.fr", visits=4, views=12)
    body = client.get(f"/sales-tools/prospects/{p.pk}/").content.decode()
    assert "No page view kept" in body and "kept 90 days" in body
    assert 'data-figure="page-views">12<' in body  # the totals remain


def test_hostile_prospect_ids_answer_404_like_a_missing_one(client, rep):
    import re

    def without_token(response):  # each answer has its own CSRF token
        return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())

    p = prospect("durand.fr")
    missing = client.get(f"/sales-tools/prospects/{p.pk + 1000}/")
    assert missing.status_code == 404
    for bad in ("abc", "-1", "1.0", "0x10", "99999999999999999999999", "%C2%B2", "1%20"):
        response = client.get(f"/sales-tools/prospects/{bad}/")
        assert response.status_code == 404, bad
        assert without_token(response) == without_token(missing), bad


def test_the_new_prospect_notice_opens_its_page(db, django_capture_on_commit_callbacks):
    from comptoir.notifications.kinds import record_url
    from comptoir.notifications.models import Notification
    from comptoir.notifications.services import new_prospect

    user = make_user()
    p = prospect("durand.fr")
    with django_capture_on_commit_callbacks(execute=True):
        new_prospect(p.pk, p.domain, user_ids=[user.pk], owner_id=None)
    notice = Notification.objects.get(recipient=user)
    assert record_url(notice) == f"/sales-tools/prospects/{p.pk}/"
