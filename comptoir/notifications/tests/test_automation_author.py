"""Automations are their own author (issue 14, point 13): the owner sync a manager's change
sets off shows as "Automatisation : synchro du propriétaire" in the history, the timeline
and the new owner's notice, never as the manager's doing."""

import pytest
from django.core import mail
from django.utils import translation

from comptoir.core.history.source import ChangeSource
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import make_company, make_contact, make_user
from comptoir.core.testing.html import parse, text_of
from comptoir.notifications.kinds import title
from comptoir.notifications.models import Notification
from comptoir.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

AUTHOR = "Automatisation\u00a0: synchro du propriétaire"


@pytest.fixture
def synced(client):
    boss = make_user("boss@example.com", first_name="Bernard", last_name="Boss")
    alyssa = make_user("alyssa@example.com", first_name="Alyssa", last_name="Haynes")
    User.objects.filter(pk__in=[boss.pk, alyssa.pk]).update(language="fr")
    acme = make_company(name="Acme", domain="acme.fr")
    jean = make_contact(email="jean@acme.fr", firstname="Jean")
    assert jean.hubspot_owner_id is None
    update_record(
        "companies",
        acme.pk,
        {"hubspot_owner_id": alyssa.owner.pk},
        source=ChangeSource.for_user(boss),
    )
    jean.refresh_from_db()
    assert jean.hubspot_owner_id == alyssa.owner.pk  # the owner sync did it
    client.force_login(User.objects.get(pk=boss.pk))
    return boss, alyssa, acme, jean


def test_the_history_shows_the_automation_as_author(client, synced):
    _boss, _alyssa, _acme, jean = synced
    html = parse(
        client.get(
            f"/contacts/{jean.pk}/properties/hubspot_owner_id/history/", HTTP_HX_REQUEST="true"
        ).content.decode()
    )  # the popover
    text = text_of(html)
    assert AUTHOR in text
    assert "Bernard Boss" not in text


def test_the_timeline_shows_the_automation_as_author(client, synced):
    _boss, _alyssa, acme, jean = synced
    contact_timeline = client.get(f"/contacts/{jean.pk}/timeline/").content.decode()
    assert AUTHOR in contact_timeline and "Bernard Boss" not in contact_timeline
    # The manager's own change stays theirs.
    company_timeline = client.get(f"/companies/{acme.pk}/timeline/").content.decode()
    assert "Bernard Boss" in company_timeline


def test_the_new_owner_is_told_the_automation_did_it(synced, settings):
    boss, alyssa, _acme, _jean = synced
    about_jean = Notification.objects.get(recipient=alyssa, params__record="Jean")
    assert about_jean.actor_id is None
    with translation.override("fr"):
        assert title(about_jean).startswith(AUTHOR)
    with translation.override("en"):  # read in English, the same author in English
        assert title(about_jean).startswith("Automation: owner sync"), title(about_jean)
    about_acme = Notification.objects.get(recipient=alyssa, params__record="Acme")
    assert about_acme.actor_id == boss.pk  # the manager did assign the company
    assert not [m for m in mail.outbox if "Bernard Boss" in m.subject and "Jean" in m.subject]
