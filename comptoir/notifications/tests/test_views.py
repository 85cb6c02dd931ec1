"""The bell (count and panel), /notifications/, opening one, the preferences page."""

import pytest

from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.testing.html import select
from comptoir.notifications import services
from comptoir.notifications.kinds import ASSIGNED, MENTION, TASK_DUE
from comptoir.notifications.models import Notification


@pytest.fixture
def client_bob(client, bob):
    client.force_login(bob)
    client.cookies["django_language"] = "en"
    return client


def mention(bob, alice, record_id, name="Jean Dupont", body=""):
    return services.deliver(
        [
            services.Intent(
                MENTION, "contacts", record_id, name, user_id=bob.pk, actor_id=alice.pk, body=body
            )
        ]
    )[0]


def bell_count(html: str) -> str:
    found = select(html, '#bell-count > span[aria-hidden="true"]')
    return found[0].text if found else ""


def test_bell_shows_the_unread_count_with_one_query(client_bob, alice, bob):
    contact = make_contact(email="jean@acme.fr", firstname="Jean")
    mention(bob, alice, contact.pk)
    mention(bob, alice, contact.pk, name="Autre")
    response = client_bob.get("/notifications/")
    assert bell_count(response.content.decode()) == "2"
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = bob
    with query_budget("ui.bell"):
        html = Template('{% include "notifications/_bell.html" %}').render(
            Context({"request": request, "user": bob})
        )
    assert "2 unread" in html


def test_bell_panel_lists_recent_and_opening_marks_read(client_bob, alice, bob):
    contact = make_contact(email="jean@acme.fr", firstname="Jean")
    n = mention(bob, alice, contact.pk, body="Peux-tu rappeler Jean ?")
    panel = client_bob.get("/notifications/bell/", HTTP_HX_REQUEST="true").content.decode()
    assert "Alice Arnaud mentioned you in a note on Jean Dupont" in panel
    assert "Peux-tu rappeler Jean ?" in panel
    assert f"/notifications/{n.pk}/open/" in panel
    response = client_bob.get(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"
    assert services.unread_count(bob) == 0


def test_someone_elses_notification_does_not_open(client, alice, bob):
    n = mention(bob, alice, 1)
    client.force_login(alice)
    assert client.get(f"/notifications/{n.pk}/open/").status_code == 404
    assert Notification.objects.get(pk=n.pk).unread


def test_mark_all_read_from_the_panel(client_bob, alice, bob):
    for pk in range(3):
        mention(bob, alice, pk + 1)
    response = client_bob.post("/notifications/read-all/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Mark all as read" not in html
    assert 'id="bell-count"' in html and "hidden" in html.split('id="bell-count"')[1][:40]
    assert services.unread_count(bob) == 0


def test_list_page_paginates_and_has_an_empty_state(client_bob, alice, bob):
    assert "No notifications yet" in client_bob.get("/notifications/").content.decode()
    for pk in range(30):
        mention(bob, alice, pk + 1, name=f"Contact {pk}")
    first = client_bob.get("/notifications/").content.decode()
    assert "Page 1 of 2" in first and "Contact 29" in first and "Contact 4<" not in first
    second = client_bob.get("/notifications/?page=2").content.decode()
    assert "Contact 0<" in second


def test_email_only_notifications_stay_out_of_the_bell(client_bob, alice, bob):
    services.set_preferences(bob, {MENTION: (False, True)})
    mention(bob, alice, 1)
    assert Notification.objects.get().by_email
    assert services.unread_count(bob) == 0
    assert "No notifications yet" in client_bob.get("/notifications/").content.decode()


def test_preferences_page_saves_each_kind_and_channel(client_bob, bob):
    page = client_bob.get("/settings/notifications/").content.decode()
    assert "Record assigned to me" in page and "Task due soon" in page
    assert 'aria-current="page">Notifications' in page
    response = client_bob.post(
        "/settings/notifications/",
        {f"{ASSIGNED}:in_app": "on", f"{MENTION}:email": "on", f"{TASK_DUE}:email": "on"},
        follow=True,
    )
    assert "Notification preferences saved." in response.content.decode()
    prefs = services.preferences(bob)
    assert prefs[ASSIGNED] == (True, False)
    assert prefs[MENTION] == (False, True)
    assert prefs[TASK_DUE] == (False, True)


def test_preferences_page_is_open_to_every_user(client, db):
    rep = make_user("rep@example.com", role="Sales rep")
    client.force_login(rep)
    assert client.get("/settings/notifications/").status_code == 200


def test_mention_suggestions_filter_active_teammates(client_bob, alice, bob):
    gone = make_user("alain@example.com", first_name="Alain", last_name="Zed")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    html = client_bob.get("/notifications/mentions/?q=al").content.decode()
    assert "Alice Arnaud" in html and 'role="option"' in html
    assert "Alain" not in html  # deactivated
    assert "Bob" not in client_bob.get("/notifications/mentions/?q=b").content.decode()
    assert "No teammate" in client_bob.get("/notifications/mentions/?q=zzz").content.decode()
