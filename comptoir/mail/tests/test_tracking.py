"""Open and click tracking (issue 17, point 3): the email as received through the real SMTP
server carries the pixel and redirected links; the pixel and the redirect record events,
answer cheaply (query counts) and never redirect anywhere the email did not link to; the
automated opens and clicks are kept but not counted; the worker's tally writes the counts
on the engagement and its history; another user's token, a tampered token, a deleted
email and hostile headers answer a neutral 404, never a 500."""

import base64
import datetime as dt
import email
import email.policy
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.core.history.models import PropertyChange
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.mail import delivery, events, preferences, sending, tracking
from comptoir.mail.models import EmailEvent, EventKind, OutboundEmail
from comptoir.mail.sending import Draft
from comptoir.mail.tests.test_sending import connect

pytestmark = pytest.mark.django_db

BODY = (
    '<p>Bonjour, voici <a href="https://client.example/devis?id=1&amp;v=2">le devis</a> '
    'et <a href="https://www.example.org/">notre site</a>, '
    '<a href="mailto:rita@example.com">écrivez-moi</a>.</p>'
)
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture
def rep(mail_settings):
    user = make_user(first_name="Rita", last_name="Moreau")
    connect(user, mail_settings)
    return user


def send(user, servers, body=BODY, **draft):
    if not base_queryset("contacts").exists():
        make_contact(email="anne@client.fr", firstname="Anne")
    before = len(servers.inbox.messages)
    outbound = sending.compose(
        user,
        Draft(to="Anne <anne@client.fr>", subject="Votre devis", html=body, **draft),
    )
    assert delivery.deliver(outbound.pk) == "sent"
    assert len(servers.inbox.messages) == before + 1
    message = email.message_from_bytes(servers.inbox.messages[-1], policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    outbound.refresh_from_db()
    return outbound, html


def urls(html):
    return re.findall(r'(?:href|src)="(http://[^"]+/t/[oc]/[^"]+)"', html)


def path_of(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def late(outbound):
    """The email as if sent a minute ago (a click right after the sending is a scanner's)."""
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        accepted_at=timezone.now() - dt.timedelta(minutes=1),
        sent_at=timezone.now() - dt.timedelta(minutes=1),
    )


def test_the_received_email_has_the_pixel_and_redirected_links_and_the_timeline_not(
    rep, mail_settings, client
):
    outbound, html = send(rep, mail_settings)
    assert outbound.track_opens and outbound.track_clicks
    assert outbound.tracked_links == [
        "https://client.example/devis?id=1&v=2",
        "https://www.example.org/",
    ]
    found = urls(html)
    assert len(found) == 3  # two links, one pixel
    assert "client.example" not in html and "www.example.org" not in html
    assert 'href="mailto:rita@example.com"' in html  # not http(s): left alone
    # The token names no address, subject or person; the link's address is not in clear.
    for url in found:
        assert "anne" not in url and "devis" not in url.lower()
        assert url.count("http") == 1
    # The engagement (the timeline) shows the email as written.
    props = base_queryset("emails").get(pk=outbound.engagement_id).properties
    assert "/t/" not in props["hs_email_html"]
    assert "client.example/devis" in props["hs_email_html"]

    late(outbound)
    click = client.get(path_of(found[0]), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    assert click.status_code == 302
    assert click["Location"] == "https://client.example/devis?id=1&v=2"
    assert "no-store" in click["Cache-Control"]
    assert click["Referrer-Policy"] == "no-referrer"
    pixel = client.get(path_of(found[2]), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    assert pixel.status_code == 200
    assert pixel["Content-Type"] == "image/gif"
    assert pixel.content == tracking.PIXEL
    assert "no-store" in pixel["Cache-Control"]
    assert "Set-Cookie" not in pixel.headers
    kinds = list(EmailEvent.objects.order_by("pk").values_list("kind", "automated", "url", "ip"))
    assert kinds == [
        ("click", False, "https://client.example/devis?id=1&v=2", "203.0.113.7"),
        ("open", False, "", "203.0.113.7"),
    ]


def test_tracking_off_sends_the_email_as_written(rep, mail_settings):
    preferences.set_tracking(rep, opens=False, clicks=False)
    outbound, html = send(rep, mail_settings)
    assert not outbound.track_opens and not outbound.track_clicks
    assert urls(html) == []
    assert 'href="https://www.example.org/"' in html
    preferences.set_tracking(rep, opens=True, clicks=False)
    outbound, html = send(rep, mail_settings)
    assert len(urls(html)) == 1 and "/t/o/" in urls(html)[0]
    assert 'href="https://www.example.org/"' in html


def test_the_pixel_and_the_click_cost_one_select_and_one_insert(rep, mail_settings, client):
    outbound, html = send(rep, mail_settings)
    late(outbound)
    click_url, _second, pixel_url = urls(html)
    client.get("/healthz")  # the first request's one-off work done
    # ... and the click's: the website's domains (TOOL-6's visitor hint), read once in a
    # few seconds per process (comptoir/prospects/conf.py, beacon_conf).
    client.get(path_of(click_url), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.4")
    for url in (pixel_url, click_url):
        with CaptureQueriesContext(connection) as queries:
            client.get(path_of(url), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.4")
        sql = [q["sql"].split()[0].upper() for q in queries.captured_queries]
        # Written at once in the tests (COMPTOIR_TRACKING_FLUSH_MS=0): the email's columns
        # read once (hits.emails), the event inserted. SET: PostgreSQL's asynchronous commit
        # for this transaction (hits.write).
        writes = [s for s in sql if s not in ("SELECT", "SAVEPOINT", "RELEASE", "SET")]
        assert sql.count("SELECT") == 1, queries.captured_queries
        assert writes == ["INSERT"], queries.captured_queries


def test_tampered_foreign_and_made_up_tokens_answer_a_neutral_404(rep, mail_settings, client):
    outbound, html = send(rep, mail_settings)
    click_url, _second, pixel_url = urls(html)
    token = path_of(click_url).split("/")[3]
    pk, index, mac = token.split(".")
    other = tracking.make_token(outbound.pk + 1, 0)  # a real token, for no email
    bad = [
        f"{pk}.5.{mac}",  # another index, same mac
        f"{pk}.1.{mac}",
        f"{tracking._b36(outbound.pk + 1)}.{index}.{mac}",  # another email
        f"{pk}.{index}.{mac[:-1]}{'B' if mac[-1] == 'A' else 'A'}",
        f"{pk}.{index}",
        "x" * 79,
        "..",
        f"{pk}.o.{mac}",  # the pixel's index on the click URL
        other,
        tracking.make_token(outbound.pk, 7),  # signed, but the email has 2 links
    ]
    for candidate in bad:
        response = client.get(f"/t/c/{candidate}/", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 404, candidate
        assert "Location" not in response.headers
        assert response.content == b"Not found\n"
    # An email sent before addresses were signed: its unsigned links lead to the stored URL.
    late(outbound)
    response = client.get(f"/t/c/{tracking.make_token(outbound.pk, 1)}/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302 and response["Location"] == "https://www.example.org/"
    EmailEvent.objects.all().delete()
    # A signed address: only the one the token signs, never another.
    address = path_of(click_url).split("?u=")[1]
    evil = base64.urlsafe_b64encode(b"https://evil.example/").decode().rstrip("=")
    second = base64.urlsafe_b64encode(b"https://www.example.org/").decode().rstrip("=")
    for query in (
        f"{token}/?u={evil}",  # the token of the first link, another address
        f"{token}/?u={second}",  # the email's other link, with the first one's token
        f"{pk}.1.{mac}/?u={second}",  # the other index, the first token's mac
        f"{tracking.make_token(outbound.pk, 0)}/?u={address}",  # unsigned token, an address
        f"{token}/?u=",
        f"{token}/?u={address[:-2]}",
        f"{token}/?u={address}%C3%A9",
        f"{token}/?u=!!{address}",
        f"{token}/?u=" + base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        f"{token}/?u=" + "A" * 9000,
        f"{pk}.o.{mac}/?u={address}",
    ):
        response = client.get(f"/t/c/{query}", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 404, query
        assert "Location" not in response.headers
    # A NUL in the path is refused before any view (UnstorableInputMiddleware).
    response = client.get("/t/c/%00%0d%0aSet-Cookie:x=1/")
    assert response.status_code == 400 and "Location" not in response.headers
    # An arbitrary URL never gets through: there is no URL in the path to give.
    for path in (
        "/t/c/https://evil.example/",
        f"/t/c/{token}/?url=https://evil.example/",
        f"/t/c/{token}/https://evil.example/",
    ):
        response = client.get(path)
        assert "evil" not in response.get("Location", "")
    for candidate in (f"{pk}.0.{mac}", other, f"{pk}.o.{mac[:-1]}{'B' if mac[-1] == 'A' else 'A'}"):
        response = client.get(f"/t/o/{candidate}/")
        assert response.status_code == 404
        assert response.content == tracking.PIXEL
    assert EmailEvent.objects.count() == 0
    # The email deleted: the pixel answers the same 404; the link in the recipient's mailbox
    # still leads to its page (its address is signed), and nothing is counted.
    OutboundEmail.objects.filter(pk=outbound.pk).delete()
    response = client.get(path_of(click_url))
    assert response.status_code == 302
    assert response["Location"] == "https://client.example/devis?id=1&v=2"
    assert client.get(path_of(pixel_url)).status_code == 404
    assert EmailEvent.objects.count() == 0


def test_a_stored_link_that_is_not_http_is_never_redirected_to(rep, mail_settings, client):
    outbound, _html = send(rep, mail_settings)
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        tracked_links=["javascript:alert(1)", "https://a.example/\r\nSet-Cookie: x=1", 3]
    )
    for index in range(3):
        token = tracking.make_token(outbound.pk, index)
        assert client.get(f"/t/c/{token}/").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "not an address"},
        {"REMOTE_ADDR": ""},
        {"HTTP_X_FORWARDED_FOR": "'; drop table x; --, ::::, 999.1.1.1"},
        {"HTTP_USER_AGENT": "\x00\x01" + "é" * 2000},
        {"HTTP_USER_AGENT": "\udcff\ud800 bad surrogates"},
        {"HTTP_COOKIE": "sessionid=" + "\x7f" * 100},
    ],
)
def test_hostile_headers_never_crash(rep, mail_settings, client, headers, settings):
    settings.COMPTOIR_TRUSTED_PROXIES = ["127.0.0.1"]
    outbound, html = send(rep, mail_settings)
    late(outbound)
    click_url, _second, pixel_url = urls(html)
    assert client.get(path_of(pixel_url), **headers).status_code == 200
    assert client.get(path_of(click_url), **headers).status_code == 302
    for event in EmailEvent.objects.all():
        assert "\x00" not in event.user_agent and len(event.user_agent) <= 512


def test_automated_opens_and_clicks_are_kept_but_not_counted(rep, mail_settings, client):
    preferences.set_excluded_networks(preferences.clean_networks("10.0.0.0/8\n2001:db8::/32"))
    outbound, html = send(rep, mail_settings, sender_ip="192.0.2.50", session_key="abc123session")
    click_url, _second, pixel_url = urls(html)
    click, pixel = path_of(click_url), path_of(pixel_url)
    # A click right after the sending: a link scanner.
    client.get(click, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
    late(outbound)
    client.get(pixel, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.1.2.3")  # excluded network
    client.get(pixel, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="2001:db8::1")
    client.get(pixel, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.50")  # the sender's address
    client.cookies["sessionid"] = "abc123session"  # the sender's own session
    client.get(click, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.10")
    del client.cookies["sessionid"]
    for agent in (
        "Mozilla/5.0 (compatible; Barracuda Sentinel)",
        "Proofpoint URL Defense",
        "Mimecast-Url-Protect/1.0",
        "python-requests/2.32",
    ):
        client.get(click, HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.11")
    client.get(click, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="40.94.12.1")  # Microsoft Safe Links
    client.get(click, REMOTE_ADDR="203.0.113.12")  # no user agent
    # People: a browser, and Gmail's image proxy fetching the pixel for a reader.
    client.get(pixel, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.20")
    client.get(
        pixel,
        HTTP_USER_AGENT=(
            "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0"
            " (via ggpht.com GoogleImageProxy)"
        ),
        REMOTE_ADDR="66.249.84.1",
    )
    client.get(click, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.20")
    reasons = list(EmailEvent.objects.order_by("pk").values_list("kind", "reason"))
    assert reasons == [
        ("click", "too_soon"),
        ("open", "excluded_network"),
        ("open", "excluded_network"),
        ("open", "sender"),
        ("click", "sender"),
        *[("click", "scanner")] * 6,
        ("open", ""),
        ("open", ""),
        ("click", ""),
    ]
    assert EmailEvent.objects.filter(automated=True).count() == 11

    assert events.tally() == 14
    props = base_queryset("emails").get(pk=outbound.engagement_id).properties
    assert props["hs_email_open_count"] in (2, "2")
    assert props["hs_email_click_count"] in (1, "1")
    assert props["hs_email_reply_count"] in (0, "0")
    assert props["hs_email_last_open_date"]
    changes = PropertyChange.objects.filter(
        object_id=outbound.engagement_id, property="hs_email_open_count"
    )
    assert changes.count() == 1
    assert changes.get().value == "2" and changes.get().source_type == "SALES"
    assert events.tally() == 0  # nothing left


def test_record_event_for_replies_and_bounces(rep, mail_settings):
    outbound, _html = send(rep, mail_settings)
    at = timezone.now() - dt.timedelta(hours=1)
    events.record_event(outbound, EventKind.REPLY, at=at)
    events.record_event(outbound.pk, EventKind.BOUNCE, ip="garbage")
    with pytest.raises(ValueError):
        events.record_event(outbound, "forwarded")
    events.tally()
    props = base_queryset("emails").get(pk=outbound.engagement_id).properties
    assert props["hs_email_reply_count"] in (1, "1")
    assert props["hs_email_last_reply_date"].startswith(at.strftime("%Y-%m-%dT%H:%M"))


def test_the_networks_setting_names_the_bad_lines():
    assert preferences.clean_networks(" 10.0.0.0/8 \r\n\r\n192.0.2.1\n") == "10.0.0.0/8\n192.0.2.1"
    with pytest.raises(Exception) as error:
        preferences.clean_networks("10.0.0.0/8\nbureau\n300.1.1.1/8")
    assert "bureau" in str(error.value) and "300.1.1.1/8" in str(error.value)


def test_tokens_survive_a_key_rotation(settings):
    token = tracking.make_token(42, 1)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert tracking.read_token(token) == (42, "1")
    settings.SECRET_KEY_FALLBACKS = []
    assert tracking.read_token(token) is None


def test_settings_page_switches_and_excluded_networks(client, mail_settings):
    admin = make_user(first_name="Ada", role="Super admin")
    rep = make_user(first_name="Rita", role="Sales rep")
    client.force_login(rep)
    page = client.get("/settings/email/").content.decode()
    assert 'name="track_opens"' in page and 'name="excluded_networks"' not in page
    response = client.post("/settings/email/tracking/", {"track_clicks": "on"})
    assert response.status_code == 302
    assert preferences.tracks(rep) == (False, True)
    assert preferences.tracks(admin) == (True, True)  # no row: both on
    # Not an admin: the portal's list is out of reach.
    response = client.post("/settings/email/tracking/networks/", {"excluded_networks": "0.0.0.0/0"})
    assert response.status_code in (403, 404)
    assert preferences.excluded_networks() == ""
    client.force_login(admin)
    response = client.post(
        "/settings/email/tracking/networks/", {"excluded_networks": "10.0.0.0/8\n<script>x"}
    )
    assert response.status_code == 422
    assert "Not an IP address or network" in response.content.decode()
    assert "&lt;script&gt;x" in response.content.decode()
    assert preferences.excluded_networks() == ""
    response = client.post(
        "/settings/email/tracking/networks/", {"excluded_networks": "10.0.0.0/8\r\n192.0.2.7"}
    )
    assert response.status_code == 302
    assert preferences.excluded_networks() == "10.0.0.0/8\n192.0.2.7"
    assert 'name="excluded_networks"' in client.get("/settings/email/").content.decode()
