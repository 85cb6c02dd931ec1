"""The email activity feed (issue 17, point 4): a user's own opens, clicks and replies,
newest first, filtered by kind and contact, refreshed by its HTMX part; another user's
emails never show; the tally's notifications follow the SET-7 switches; meetings booked
with the user show there too (TOOL-7)."""

import datetime as dt

import pytest
from django.utils import timezone

from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.mail import events, preferences
from comptoir.mail.models import OutboundEmail
from comptoir.mail.tests.test_sending import connect
from comptoir.mail.tests.test_tracking import send
from comptoir.meetings.booking import book
from comptoir.meetings.models import Booking
from comptoir.meetings.tests.test_booking import NOW, SLOT, VISITOR, make_link
from comptoir.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(mail_settings):
    user = make_user(first_name="Rita", last_name="Moreau")
    connect(user, mail_settings)
    return user


def events_of(outbound, *kinds, automated=False):
    now = timezone.now()
    for i, kind in enumerate(kinds):
        events.record_event(
            outbound,
            kind,
            at=now - dt.timedelta(minutes=10 - i),
            url="https://www.example.org/" if kind == "click" else "",
            automated=automated,
            reason="scanner" if automated else "",
        )


def test_the_feed_lists_the_users_own_activity_newest_first(rep, mail_settings, client):
    outbound, _html = send(rep, mail_settings)
    events_of(outbound, "open", "click", "reply")
    events_of(outbound, "click", automated=True)
    client.force_login(rep)
    page = client.get("/sales-tools/activity/")
    assert page.status_code == 200
    html = page.content.decode()
    titles = [
        "Anne replied to “Votre devis”",
        "Anne clicked a link in “Votre devis”",
        "Anne opened “Votre devis”",
    ]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)
    assert html.count('class="activity-item') == 3  # the scanner's click left out
    assert 'hx-trigger="every 15s"' in html
    only_clicks = client.get("/sales-tools/activity/?kind=click&part=feed").content.decode()
    assert only_clicks.count('class="activity-item') == 1
    assert "https://www.example.org/" in only_clicks
    assert "<html" not in only_clicks  # the polled part alone


def test_filter_by_contact_and_another_users_emails_never_show(rep, mail_settings, client):
    outbound, _html = send(rep, mail_settings)
    events_of(outbound, "open")
    anne = base_queryset("contacts").get(email="anne@client.fr")
    bob = make_contact(email="bob@client.fr", firstname="Bob")
    other = make_user(first_name="Omar")
    connect(other, mail_settings)
    theirs, _html = send(other, mail_settings, body="<p>Autre message</p>")
    OutboundEmail.objects.filter(pk=theirs.pk).update(subject="Message d'Omar")
    events_of(theirs, "open", "click")
    client.force_login(rep)
    page = client.get(f"/sales-tools/activity/?contact={anne.pk}").content.decode()
    assert page.count('class="activity-item') == 1
    assert "Omar" not in page
    page = client.get(f"/sales-tools/activity/?contact={bob.pk}").content.decode()
    assert "Nothing matches these filters" in page
    for hostile in ("?contact=abc", "?contact=-1", "?kind=<script>", "?contact=99999999999999999"):
        response = client.get("/sales-tools/activity/" + hostile)
        assert response.status_code == 200
    client.force_login(other)
    page = client.get("/sales-tools/activity/").content.decode()
    assert "Votre devis" not in page and page.count('class="activity-item') == 2
    page = client.get(f"/sales-tools/activity/?contact={anne.pk}&part=feed").content.decode()
    assert "Votre devis" not in page


def test_the_feed_costs_a_constant_number_of_queries(
    rep, mail_settings, client, django_assert_max_num_queries
):
    outbound, _html = send(rep, mail_settings)
    events_of(outbound, *["open"] * 40, *["click"] * 10)
    client.force_login(rep)
    client.get("/sales-tools/activity/?part=feed")
    with django_assert_max_num_queries(8):
        response = client.get("/sales-tools/activity/?part=feed")
    assert response.content.decode().count('class="activity-item') == 50


def test_the_tally_notifies_the_sender_per_their_switches(
    rep, mail_settings, django_capture_on_commit_callbacks
):
    outbound, _html = send(rep, mail_settings)
    events_of(outbound, "open", "open", "click")
    events_of(outbound, "open", automated=True)
    with django_capture_on_commit_callbacks(execute=True):
        events.tally()
    notices = Notification.objects.filter(recipient=rep).order_by("kind")
    assert [(n.kind, n.in_app, n.by_email) for n in notices] == [
        ("email_clicked", True, False),
        ("email_opened", True, False),
    ]
    assert notices.get(kind="email_opened").title == "Anne opened “Votre devis”"
    assert notices.get(kind="email_opened").url == "/sales-tools/activity/"
    NotificationPreference.objects.update_or_create(
        user=rep, kind="email_opened", defaults={"in_app": False, "email": False}
    )
    events_of(outbound, "open")
    with django_capture_on_commit_callbacks(execute=True):
        events.tally()
    assert Notification.objects.filter(recipient=rep, kind="email_opened").count() == 1
    assert Notification.objects.filter(recipient=rep, kind="email_clicked").count() == 1


def test_the_empty_feed_says_when_tracking_is_off(client):
    user = make_user(first_name="Lea")
    client.force_login(user)
    assert "No email activity yet" in client.get("/sales-tools/activity/").content.decode()
    preferences.set_tracking(user, opens=False, clicks=False)
    page = client.get("/sales-tools/activity/?part=feed").content.decode()
    assert "Tracking is off" in page and "/settings/email/" in page


def test_meetings_booked_with_the_user_show_in_their_feed_only(rep, mail_settings, client):
    link = make_link(email="host@example.com")
    book(link, SLOT, dict(VISITOR), now=NOW)
    host = link.user
    client.force_login(host)
    page = client.get("/sales-tools/activity/?part=feed").content.decode()
    assert "Zoé Martin booked “Découverte” for" in page
    contact_id = Booking.objects.get().contact_id
    assert f"/contacts/{contact_id}/" in page
    assert (
        "Zoé Martin" in client.get("/sales-tools/activity/?kind=meeting&part=feed").content.decode()
    )
    assert "Zoé" not in client.get("/sales-tools/activity/?kind=open&part=feed").content.decode()
    # Another user, even one seeing every contact, never sees someone else's bookings.
    client.force_login(rep)
    assert "Zoé" not in client.get("/sales-tools/activity/?part=feed").content.decode()
    assert "Zoé" not in client.get("/sales-tools/activity/?kind=meeting&part=feed").content.decode()
