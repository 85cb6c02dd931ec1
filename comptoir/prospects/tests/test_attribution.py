"""The worker's side of prospects (TOOL-6): page views to visitors, contacts and companies
(configured networks, reverse DNS through a real DNS server on loopback, with its cache
and timeouts; a tracked email's recipient; identify()), visits and days counted once,
"new prospect" notifications, the purge after the retention period, the periodic jobs."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.mail import tracking
from comptoir.notifications.kinds import NEW_PROSPECT
from comptoir.notifications.models import Notification
from comptoir.prospects import attribution, services
from comptoir.prospects.models import (
    DigestSubscription,
    PageView,
    Prospect,
    ProspectDay,
    ReverseDns,
    Visitor,
)

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://www.acme-shop.fr"


def view(ip="198.51.100.7", visitor="", at=None, url=SITE + "/", **more):
    return PageView.objects.create(
        occurred_at=at or timezone.now(),
        visitor=visitor,
        url=url,
        ip=ip,
        user_agent="Mozilla/5.0",
        **more,
    )


def test_a_configured_network_names_the_company(website, dns):
    durand = make_company(name="Durand SA", domain="durand.fr")
    for _ in range(3):
        view()
    assert attribution.attribute_all() == 3
    prospect = Prospect.objects.get()
    assert (prospect.domain, prospect.company_id) == ("durand.fr", durand.pk)
    assert (prospect.visits, prospect.page_views) == (1, 3)  # one visit of three pages
    day = ProspectDay.objects.get()
    assert (day.visits, day.page_views) == (1, 3)
    assert not PageView.objects.filter(processed=False).exists()
    assert attribution.attribute_all() == 0  # counted once
    assert dns.asked == []  # a configured network needs no DNS
    assert set(PageView.objects.values_list("domain", flat=True)) == {"durand.fr"}
    assert services.visiting(make_user())[0].pages == [("/", 3)]


def test_a_new_visit_after_thirty_minutes(website, dns):
    now = timezone.now()
    view(at=now - dt.timedelta(hours=2))
    view(at=now - dt.timedelta(hours=2) + dt.timedelta(minutes=10))
    attribution.attribute_all()
    view(at=now)
    attribution.attribute_all()
    prospect = Prospect.objects.get()
    assert (prospect.visits, prospect.page_views) == (2, 3)


def test_reverse_dns_is_asked_by_the_worker_and_cached(website, dns):
    dns.names["81.250.113.9"] = "proxy-3.paris.martin-industries.fr"
    dns.names["81.250.113.10"] = "lns-1.abo.wanadoo.fr"  # an access provider: nobody's
    view(ip="81.250.113.9")
    view(ip="81.250.113.10")
    view(ip="10.1.2.3")  # private: never asked
    attribution.attribute_all()
    assert sorted(dns.asked) == ["81.250.113.10", "81.250.113.9"]
    assert list(Prospect.objects.values_list("domain", flat=True)) == ["martin-industries.fr"]
    cached = ReverseDns.objects.get(ip="81.250.113.9")
    assert cached.host == "proxy-3.paris.martin-industries.fr" and cached.error == ""
    dns.asked.clear()
    view(ip="81.250.113.9")
    attribution.attribute_all()
    assert dns.asked == []  # from the cache
    assert Prospect.objects.get().page_views == 2


def test_a_dns_timeout_is_kept_as_such_and_the_worker_goes_on(website, dns, monkeypatch):
    monkeypatch.setattr(attribution, "DNS_TIMEOUT", 0.3)
    dns.slow.add("81.250.113.50")
    dns.names["81.250.113.51"] = "gw.leroy.fr"
    view(ip="81.250.113.50")
    view(ip="81.250.113.51")
    assert attribution.attribute_all() == 2
    assert ReverseDns.objects.get(ip="81.250.113.50").error == "timeout"
    assert Prospect.objects.get().domain == "leroy.fr"


def test_reverse_dns_off(website, dns):
    from comptoir.prospects import conf

    conf.save("acme-shop.fr", "", 90, False)
    dns.names["81.250.113.9"] = "gw.leroy.fr"
    view(ip="81.250.113.9")
    attribution.attribute_all()
    assert dns.asked == [] and not Prospect.objects.exists()


def test_a_tracked_email_click_makes_the_visitor_its_recipient(client, website, dns, sent_email):
    company = make_company(name="Client SA", domain="client.fr")
    contact = make_contact(
        email="anne@client.fr", firstname="Anne", associations=[("companies", company.pk, None)]
    )
    email = sent_email()
    hint = tracking.visitor_hint(email.pk)
    response = client.post(
        "/p/collect",
        json.dumps({"v": "AbCdEfGhIjKlMnOpQrStUv", "h": hint, "e": [{"u": f"{SITE}/offre"}]}),
        content_type="text/plain",
        HTTP_ORIGIN=SITE,
        REMOTE_ADDR="81.250.113.77",
    )
    assert response.status_code == 204
    attribution.attribute_all()
    visitor = Visitor.objects.get(key="v:AbCdEfGhIjKlMnOpQrStUv")
    assert visitor.contact_id == contact.pk and visitor.domain == "client.fr"
    prospect = Prospect.objects.get()
    assert (prospect.domain, prospect.company_id) == ("client.fr", company.pk)
    # Later page views of that browser, from anywhere, are still hers.
    view(ip="81.250.113.78", visitor="AbCdEfGhIjKlMnOpQrStUv")
    attribution.attribute_all()
    assert Prospect.objects.get().page_views == 2
    rows = services.visiting(make_user())
    assert [c.pk for c in rows[0].contacts] == [contact.pk]


def test_a_document_links_hint_makes_the_visitor_its_contact(client, website, dns):
    """TOOL-4's share link for a contact: a link of the PDF to the website carries the
    contact's hint; the visitor is that contact, and their browser stays theirs."""
    from comptoir.core.records.writes import archive_record
    from comptoir.core.testing.factories import UI
    from comptoir.core.timeline.models import EventType, TimelineEvent

    company = make_company(name="Client SA", domain="client.fr")
    contact = make_contact(
        email="anne@client.fr", firstname="Anne", associations=[("companies", company.pk, None)]
    )
    vid = "AbCdEfGhIjKlMnOpQrStUv"
    response = client.post(
        "/p/collect",
        json.dumps({"v": vid, "h": tracking.contact_hint(contact.pk), "e": [{"u": f"{SITE}/a"}]}),
        content_type="text/plain",
        HTTP_ORIGIN=SITE,
        REMOTE_ADDR="81.250.113.77",
    )
    assert response.status_code == 204
    attribution.attribute_all()
    visitor = Visitor.objects.get(key=f"v:{vid}")
    assert visitor.contact_id == contact.pk and visitor.domain == "client.fr"
    assert Prospect.objects.get().company_id == company.pk
    assert TimelineEvent.objects.filter(
        object_id=contact.pk, event_type=EventType.WEBSITE_VISIT
    ).exists()
    view(ip="81.250.113.78", visitor=vid, url=SITE + "/b")  # later, no hint: still hers
    attribution.attribute_all()
    assert Prospect.objects.get().page_views == 2
    assert Visitor.objects.get(key=f"v:{vid}").contact_id == contact.pk
    # A hint for a contact deleted since (or never: the id is signed, not checked in the
    # request) identifies nobody.
    archive_record("contacts", contact.pk, source=UI)
    other = "ZyXwVuTsRqPoNmLkJiHgFe"
    view(ip="81.250.113.79", visitor=other, contact_id=contact.pk)
    view(ip="81.250.113.79", visitor="YyXwVuTsRqPoNmLkJiHgFe", contact_id=contact.pk + 999)
    attribution.attribute_all()
    assert not Visitor.objects.filter(contact_id__isnull=False).exclude(key=f"v:{vid}").exists()


def test_identify_names_the_contact(website, dns):
    company = make_company(name="Leroy", domain="leroy.fr")
    contact = make_contact(email="paul@leroy.fr", associations=[("companies", company.pk, None)])
    view(ip="81.250.113.20", visitor="ZZZZZZZZZZZZZZZZZZZZZZ", email="paul@leroy.fr", url="")
    view(ip="81.250.113.20", visitor="ZZZZZZZZZZZZZZZZZZZZZZ")
    attribution.attribute_all()
    assert Visitor.objects.get().contact_id == contact.pk
    prospect = Prospect.objects.get()
    assert prospect.company_id == company.pk and prospect.page_views == 1


def test_an_unknown_address_identifies_nobody(website, dns):
    view(ip="81.250.113.20", visitor="ZZZZZZZZZZZZZZZZZZZZZZ", email="nobody@nowhere.fr")
    attribution.attribute_all()
    assert Visitor.objects.get().contact_id is None


def test_a_new_prospect_notifies_subscribers_and_the_owner(website, dns):
    follower = make_user(first_name="Fanny")
    owner_user = make_user(first_name="Omar")
    DigestSubscription.objects.create(user=follower, time_zone="Europe/Paris")
    from comptoir.users.models import Owner

    owner = Owner.objects.get(user=owner_user)
    make_company(name="Durand SA", domain="durand.fr", hubspot_owner_id=str(owner.pk))
    view()
    attribution.attribute_all()
    told = Notification.objects.filter(kind=NEW_PROSPECT)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [follower.pk, owner_user.pk]
    )
    assert "durand.fr" in told.first().title
    view()
    attribution.attribute_all()
    assert told.count() == 2  # a returning one is not new


def test_purge_after_the_retention_period(website, dns):
    from comptoir.prospects import conf

    conf.save("acme-shop.fr", "198.51.100.0/24 durand.fr", 7, True)
    old = view(at=timezone.now() - dt.timedelta(days=8))
    recent = view(at=timezone.now() - dt.timedelta(days=6))
    pending_old = view(at=timezone.now() - dt.timedelta(days=9))
    PageView.objects.filter(pk__in=[old.pk, recent.pk]).update(processed=True)
    assert attribution.purge() == 1
    assert set(PageView.objects.values_list("pk", flat=True)) == {recent.pk, pending_old.pk}


def test_the_periodic_jobs_are_declared():
    from comptoir.core.scheduling.scheduler import PERIODIC_JOBS

    assert PERIODIC_JOBS["attribute_page_views"][1] == (
        "comptoir.prospects.tasks.attribute_page_views"
    )
    assert PERIODIC_JOBS["purge_page_views"][1] == "comptoir.prospects.tasks.purge_page_views"
    assert PERIODIC_JOBS["send_prospect_digests"][1] == (
        "comptoir.prospects.tasks.send_prospect_digests"
    )


def test_an_identified_visitors_visits_are_on_the_contacts_timeline(website, dns, client):
    from comptoir.core.timeline.models import EventType, TimelineEvent

    company = make_company(name="Leroy", domain="leroy.fr")
    contact = make_contact(email="paul@leroy.fr", associations=[("companies", company.pk, None)])
    vid = "ZZZZZZZZZZZZZZZZZZZZZZ"
    start = timezone.now() - dt.timedelta(hours=3)
    view(ip="81.250.113.20", visitor=vid, email="paul@leroy.fr", url="", at=start)
    view(ip="81.250.113.20", visitor=vid, url=SITE + "/tarifs", title="Tarifs", at=start)
    view(ip="81.250.113.20", visitor=vid, url=SITE + "/contact", at=start + dt.timedelta(minutes=5))
    attribution.attribute_all()
    view(ip="81.250.113.20", visitor=vid, url=SITE + "/blog/crm", at=timezone.now())  # a new visit
    view(ip="198.51.100.7", visitor="", url=SITE + "/")  # someone else: nobody's timeline
    attribution.attribute_all()
    events = list(
        TimelineEvent.objects.filter(event_type=EventType.WEBSITE_VISIT).order_by("occurred_at")
    )
    assert [(e.object_id, e.data["pages"], e.data["first_page"]) for e in events] == [
        (contact.pk, 2, "Tarifs"),
        (contact.pk, 1, "/blog/crm"),
    ]
    client.force_login(make_user(role="Super admin"))
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Visited your website: 2 pages, from “Tarifs”" in page
