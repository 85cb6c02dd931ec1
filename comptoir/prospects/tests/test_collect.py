"""The website snippet and its beacon endpoint (TOOL-6): the script, page views written in
one INSERT, and every hostile or broken beacon answered by a 4xx naming what is wrong,
with nothing written and never a 500: another website, no origin, huge or malformed
bodies, too many page views, long URLs, forged visitor ids and forged email hints."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.mail import tracking
from comptoir.prospects.models import PageView

pytestmark = pytest.mark.django_db

SITE = "https://www.acme-shop.fr"
VISITOR = "AbCdEfGhIjKlMnOpQrStUv"


def beacon(client, payload, origin=SITE, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    headers.setdefault("HTTP_USER_AGENT", "Mozilla/5.0 Chrome/131.0")
    headers.update(extra)
    return client.post("/p/collect", body, content_type="text/plain;charset=UTF-8", **headers)


def page(url=SITE + "/tarifs", **more):
    return {"u": url, "r": "https://www.google.fr/", "t": "Tarifs", **more}


def test_the_snippet_is_served_with_its_endpoint(client, website):
    response = client.get("/p/snippet.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "http://testserver/p/collect" in body
    assert "sendBeacon" in body and "globalPrivacyControl" in body and "doNotTrack" in body
    assert "__ENDPOINT__" not in body


def test_page_views_are_written_in_one_insert(client, website):
    payload = {"v": VISITOR, "e": [page(), page(SITE + "/contact", t="Contact")]}
    with CaptureQueriesContext(connection) as queries:
        response = beacon(client, payload)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SITE
    inserts = [q for q in queries.captured_queries if q["sql"].upper().startswith("INSERT")]
    assert len(inserts) == 1
    rows = list(PageView.objects.order_by("pk"))
    assert [r.url for r in rows] == [SITE + "/tarifs", SITE + "/contact"]
    assert rows[0].visitor == VISITOR and rows[0].title == "Tarifs"
    assert rows[0].ip == "127.0.0.1" and not rows[0].processed


def test_a_subdomain_and_the_referer_are_accepted(client, website):
    response = beacon(
        client,
        {"e": [page("https://blog.acme-shop.fr/article")]},
        origin="",
        HTTP_REFERER="https://blog.acme-shop.fr/article",
    )
    assert response.status_code == 204
    assert PageView.objects.get().visitor == ""  # no consent: no id


def test_the_preflight_answers_cors_to_the_website_only(client, website):
    ok = client.options("/p/collect", HTTP_ORIGIN=SITE)
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SITE
    other = client.options("/p/collect", HTTP_ORIGIN="https://evil.example")
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other


@pytest.mark.parametrize(
    ("origin", "extra"),
    [
        ("https://evil.example", {}),
        ("https://acme-shop.fr.evil.example", {}),
        ("https://notacme-shop.fr", {}),
        ("null", {}),
        ("", {}),
        ("", {"HTTP_REFERER": "https://evil.example/page"}),
        ("javascript://acme-shop.fr", {}),
    ],
)
def test_another_website_is_refused(client, website, origin, extra):
    response = beacon(client, {"e": [page()]}, origin=origin, **extra)
    assert response.status_code == 403
    assert response.json()["field"] == "origin"
    assert "Access-Control-Allow-Origin" not in response
    assert not PageView.objects.exists()


def test_nothing_is_accepted_before_the_domains_are_set(client, db):
    assert beacon(client, {"e": [page()]}).status_code == 403
    assert not PageView.objects.exists()


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ("not json", 400, ""),
        ("[1, 2]", 400, ""),
        (b"\xff\xfe\x00", 400, ""),
        ({"e": "x"}, 400, "e"),
        ({"e": []}, 400, "e"),
        ({"e": [1]}, 400, "e.0"),
        ({"e": [page() for _ in range(21)]}, 413, "e"),
        ({"e": [page(SITE + "/" + "x" * 2100)]}, 413, "e.0.u"),
        ({"e": [page(t="x" * 301)]}, 413, "e.0.t"),
        ({"e": [page(r="https://x.fr/" + "y" * 2100)]}, 413, "e.0.r"),
        ({"e": [page("https://evil.example/")]}, 403, "e.0.u"),
        ({"e": [page("ftp://www.acme-shop.fr/")]}, 400, "e.0.u"),
        ({"e": [page("https://www.acme-shop.fr/\r\nSet-Cookie: x")]}, 400, "e.0.u"),
        ({"e": [page(u=123)]}, 400, "e.0.u"),
        ({"v": "short", "e": [page()]}, 400, "v"),
        ({"v": "A" * 21 + "!", "e": [page()]}, 400, "v"),
        ({"v": ["x"], "e": [page()]}, 400, "v"),
        ({"v": "A" * 100, "e": [page()]}, 413, "v"),
        ({"h": "abc.forged", "e": [page()]}, 400, "h"),
        ({"h": "1." + "A" * 22, "e": [page()]}, 400, "h"),
        ({"h": "c.1." + "A" * 22, "e": [page()]}, 400, "h"),
        ({"h": "c.1", "e": [page()]}, 400, "h"),
        ({"h": "x.1." + tracking.contact_hint(1).split(".")[2], "e": [page()]}, 400, "h"),
        ({"h": "c." + "1" * 14 + "." + "A" * 22, "e": [page()]}, 400, "h"),
        ({"h": tracking.contact_hint(1) + "x" * 20, "e": [page()]}, 413, "h"),
        ({"h": tracking.contact_hint(1)[:-1], "e": [page()]}, 400, "h"),  # truncated
        ({"h": tracking.contact_hint(1).replace("c.1.", "c.2."), "e": [page()]}, 400, "h"),
        ({"h": tracking.contact_hint(1)[2:], "e": [page()]}, 400, "h"),  # not an email's
        ({"h": "c." + tracking.visitor_hint(1), "e": [page()]}, 400, "h"),  # nor the reverse
        ({"h": ["c.1"], "e": [page()]}, 400, "h"),
        ({"i": "not an email", "e": [page()]}, 400, "i"),
        ({"i": "a@b.fr\nBcc: x@y.fr"}, 400, "i"),
    ],
)
def test_bad_beacons_get_a_clear_4xx_and_write_nothing(client, website, payload, status, field):
    response = beacon(client, payload)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert not PageView.objects.exists()


def test_a_huge_body_is_refused_unread(client, website):
    response = beacon(client, json.dumps({"e": [page()], "pad": "x" * 20_000}))
    assert response.status_code == 413
    assert not PageView.objects.exists()


def test_a_hint_from_another_portal_is_refused(client, website, settings):
    hint = tracking.visitor_hint(42)
    settings.SECRET_KEY = "another portal's key, long enough to be a key of its own"
    assert beacon(client, {"h": hint, "e": [page()]}).status_code == 400
    assert not PageView.objects.exists()


def test_a_signed_hint_and_an_identify_are_kept(client, website):
    hint = tracking.visitor_hint(42)
    assert beacon(client, {"h": hint, "e": [page()]}).status_code == 204
    assert PageView.objects.get().email_id == 42
    assert beacon(client, {"v": VISITOR, "i": "Anne@Client.fr"}).status_code == 204
    alone = PageView.objects.get(url="")
    assert alone.email == "anne@client.fr" and alone.visitor == VISITOR


def test_a_document_links_contact_hint_is_kept(client, website):
    hint = tracking.contact_hint(4242)
    assert tracking.read_hint(hint) == (tracking.CONTACT_HINT, 4242)
    assert tracking.read_visitor_hint(hint) is None  # never read as an email's
    assert beacon(client, {"v": VISITOR, "h": hint, "e": [page()]}).status_code == 204
    row = PageView.objects.get()
    assert (row.contact_id, row.email_id, row.visitor) == (4242, None, VISITOR)


def test_a_contact_hint_from_another_portal_is_refused(client, website, settings):
    hint = tracking.contact_hint(42)
    settings.SECRET_KEY = "another portal's key, long enough to be a key of its own"
    response = beacon(client, {"h": hint, "e": [page()]})
    assert response.status_code == 400 and response.json()["field"] == "h"
    assert not PageView.objects.exists()


def test_other_methods(client, website):
    assert client.get("/p/collect", HTTP_ORIGIN=SITE).status_code == 405


def test_the_click_redirect_carries_the_hint_to_the_website_only(client, website, sent_email):
    email = sent_email(links=["https://www.acme-shop.fr/offre?x=1", "https://other.example/"])
    to_site = client.get(f"/t/c/{tracking.make_token(email.pk, 0)}/")
    assert to_site.status_code == 302
    location = to_site["Location"]
    assert location.startswith("https://www.acme-shop.fr/offre?x=1&_cmp=")
    assert tracking.read_visitor_hint(location.split("_cmp=")[1]) == email.pk
    elsewhere = client.get(f"/t/c/{tracking.make_token(email.pk, 1)}/")
    assert elsewhere["Location"] == "https://other.example/"


def test_a_warm_beacon_reads_nothing(client, website):
    payload = {"v": VISITOR, "e": [page()]}
    assert beacon(client, payload).status_code == 204  # the process's settings read once
    with CaptureQueriesContext(connection) as queries:
        assert beacon(client, payload).status_code == 204
    sql = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # SET: PostgreSQL's asynchronous commit for this transaction.
    assert [s for s in sql if s not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "SET")] == [
        "INSERT"
    ]


def test_a_settings_change_is_seen_at_once_in_this_process(client, website):
    from comptoir.prospects import conf

    assert beacon(client, {"e": [page()]}).status_code == 204
    conf.save("other-shop.fr", "", 90, True)
    assert beacon(client, {"e": [page()]}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_queued_beacons_are_written_together_by_the_process_thread(client, website, settings):
    from comptoir.prospects import public_views

    settings.COMPTOIR_TRACKING_FLUSH_MS = 50
    try:
        for n in range(3):
            assert beacon(client, {"e": [page(SITE + f"/p{n}")]}).status_code == 204
        assert beacon(client, {"e": [page("https://evil.example/")]}).status_code == 403
        public_views.queue.flush()
    finally:
        public_views.queue.stop()
    assert sorted(PageView.objects.values_list("url", flat=True)) == [
        SITE + "/p0",
        SITE + "/p1",
        SITE + "/p2",
    ]


def test_too_many_beacons_from_one_address_answer_429_and_write_nothing(client, website, settings):
    from django.core.cache import cache

    cache.clear()
    settings.COMPTOIR_PROSPECTS_RATE_LIMIT = 3
    for _ in range(3):
        assert (
            beacon(client, {"v": VISITOR, "e": [page()]}, REMOTE_ADDR="203.0.113.7").status_code
            == 204
        )
    written = PageView.objects.count()
    refused = beacon(client, {"v": VISITOR, "e": [page()]}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused["Access-Control-Allow-Origin"] == SITE  # the site's script can read why
    assert PageView.objects.count() == written
    # Another address is not held back by this one.
    assert (
        beacon(client, {"v": VISITOR, "e": [page()]}, REMOTE_ADDR="203.0.113.8").status_code == 204
    )
    cache.clear()
