"""The server process's queue of opens and clicks (comptoir/mail/hits.py, issue 17 point 9):
a pixel request only queues its open and answers; the process's writer thread writes the
queue in one transaction, classified as the request would have (the sender's own open is
automated), and drops the opens of emails deleted meanwhile; a full queue is written at
once; what waits is written when the process stops."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.testing.factories import make_user
from comptoir.mail import hits
from comptoir.mail.models import EmailEvent, OutboundEmail
from comptoir.mail.tests.test_sending import connect
from comptoir.mail.tests.test_tracking import BROWSER, late, path_of, send, urls
from comptoir.prospects.conf import website_domains

# The writer thread has its own connection: it sees only what was committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rep(mail_settings):
    user = make_user(first_name="Rita", last_name="Moreau")
    connect(user, mail_settings)
    return user


@pytest.fixture
def queued(settings):
    settings.COMPTOIR_TRACKING_FLUSH_MS = 50
    hits.queue.stop()
    yield hits.queue
    hits.queue.stop()  # its thread's connection closed before the test database goes


def wait_for(count: int, seconds: float = 10.0) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = EmailEvent.objects.count()
        if found >= count:
            return found
        time.sleep(0.02)
    return EmailEvent.objects.count()


def test_a_pixel_request_queues_its_open_and_the_writer_thread_writes_it(
    rep, mail_settings, client, queued
):
    outbound, html = send(rep, mail_settings)
    late(outbound)
    click_url, _second, pixel_url = urls(html)
    client.get("/healthz")
    # The website's domains (TOOL-6's visitor hint on clicks), read once in a few seconds
    # per process (comptoir/prospects/conf.py, beacon_conf): read before measuring.
    website_domains()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            path_of(pixel_url), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.4"
        )
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert queries.captured_queries == []  # the request itself touches no table
    # The redirect's token signs the link's address: it queues the click and reads nothing.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            path_of(click_url), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.4"
        )
    assert response.status_code == 302
    assert response["Location"] == "https://client.example/devis?id=1&v=2"
    assert queries.captured_queries == []

    assert wait_for(2) == 2
    events = {e.kind: e for e in EmailEvent.objects.all()}
    assert set(events) == {"open", "click"}
    assert not events["open"].automated and str(events["open"].ip) == "198.51.100.4"
    assert events["click"].url == "https://client.example/devis?id=1&v=2"


def test_the_writer_classifies_and_drops_opens_of_deleted_emails(
    rep, mail_settings, client, settings, queued
):
    kept, kept_html = send(rep, mail_settings)
    gone, gone_html = send(rep, mail_settings)
    settings.COMPTOIR_TRACKING_FLUSH_MS = 60_000  # written below, after the deletion
    queued.restart()
    OutboundEmail.objects.filter(pk=kept.pk).update(sender_ip="203.0.113.9")
    client.get(path_of(urls(kept_html)[-1]), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
    response = client.get(path_of(urls(gone_html)[-1]), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200  # queued: the writer finds the email gone
    OutboundEmail.objects.filter(pk=gone.pk).delete()
    queued.flush()
    (event,) = EmailEvent.objects.all()
    assert event.outbound_id == kept.pk
    assert event.automated and event.reason == "sender"  # the sender opening their own


def test_a_full_queue_is_written_at_once_and_a_stop_writes_what_waits(
    rep, mail_settings, client, settings, queued, monkeypatch
):
    _outbound, html = send(rep, mail_settings)
    pixel = path_of(urls(html)[-1])
    settings.COMPTOIR_TRACKING_FLUSH_MS = 60_000  # the thread wakes only when the queue is full
    monkeypatch.setattr(hits, "MAX_QUEUE", 5)
    hits.queue.restart()  # a new thread, with the long interval
    for _ in range(5):
        client.get(pixel, HTTP_USER_AGENT=BROWSER)
    assert wait_for(5) == 5
    for _ in range(3):
        client.get(pixel, HTTP_USER_AGENT=BROWSER)
    time.sleep(0.2)
    assert EmailEvent.objects.count() == 5 and len(hits.queue) == 3
    assert hits.queue.flush() == 3  # what atexit does when the process stops
    assert EmailEvent.objects.count() == 8
