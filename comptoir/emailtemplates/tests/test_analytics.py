"""Template analytics (TOOL-3): sent, opened, clicked and replied per template and per
user over a period, a person's events only; a rep sees their own sends, an admin
everyone's; a colleague's private template is never named."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from comptoir.core.testing.factories import make_user
from comptoir.emailtemplates import analytics, services
from comptoir.mail.events import record_event
from comptoir.mail.models import OutboundEmail, OutboundStatus

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)


def sent(user, template, *, days_ago=1, status=OutboundStatus.SENT):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return OutboundEmail.objects.create(
        user=user,
        status=status,
        message_id=f"<t{next(_ids)}@comptoir.test>",
        sender_source="mailbox",
        from_address=user.email,
        to=["Zoé <zoe@example.org>"],
        subject="Offre",
        template_id=template.pk if template else None,
        send_at=at,
        sent_at=at,
    )


@pytest.fixture
def team():
    admin = make_user("admin@example.com", role="Super admin")
    rep = make_user("rep@example.com", first_name="Rémi", last_name="Petit")
    other = make_user("other@example.com")
    offer = services.create_template(rep, name="Offre", shared=True)
    follow = services.create_template(rep, name="Relance", shared=True)
    secret = services.create_template(other, name="Secret d'Olivier")
    emails = [sent(rep, offer) for _ in range(4)] + [sent(other, offer), sent(rep, follow)]
    record_event(emails[0], "open")
    record_event(emails[0], "open")  # twice: one email opened
    record_event(emails[1], "open")
    record_event(emails[1], "click")
    record_event(emails[2], "open", automated=True, reason="scanner")  # nobody's
    record_event(emails[0], "reply")
    record_event(emails[4], "open")
    sent(rep, offer, days_ago=45)  # outside 30 days
    sent(rep, None)  # no template
    sent(other, secret)
    return admin, rep, other, offer, follow, secret


def test_a_rep_sees_the_rates_of_their_own_sends(team):
    _admin, rep = team[:2]
    rows = analytics.report(rep, days=30)
    assert [(r.label, r.sent, r.opened, r.clicked, r.replied) for r in rows] == [
        ("Offre", 4, 2, 1, 1),
        ("Relance", 1, 0, 0, 0),
    ]
    assert rows[0].open_rate == 0.5 and rows[0].reply_rate == 0.25
    assert analytics.report(rep, days=90)[0].sent == 5  # the 45-day-old one too
    by_user = analytics.report(rep, days=30, group="user")
    assert [(r.label, r.sent) for r in by_user] == [("Rémi Petit", 5)]


def test_an_admin_sees_everyones_but_not_a_private_template_of_someone_else(team):
    admin, _rep, other = team[:3]
    rows = analytics.report(admin, days=30)
    assert [(r.label, r.sent, r.opened) for r in rows] == [("Offre", 5, 3), ("Relance", 1, 0)]
    own = analytics.report(other, days=30)
    assert [r.label for r in own] == ["Offre", "Secret d'Olivier"]


def test_the_rates_in_english_without_the_french_space(client, team):
    _admin, rep, *_ = team
    rep.language = "en"
    rep.save(update_fields=["language"])
    client.force_login(rep)
    html = client.get("/sales-tools/templates/analytics/").content.decode()
    assert "Template analytics" in html and ">50%<" in html and "50\u00a0%" not in html


def test_the_page_in_french_and_its_hostile_parameters(client, team):
    _admin, rep, *_ = team
    rep.language = "fr"
    rep.save(update_fields=["language"])
    client.force_login(rep)
    html = client.get("/sales-tools/templates/analytics/").content.decode()
    assert "Statistiques des modèles" in html and "50\u00a0%" in html and "Offre" in html
    for query in ("?days=-1&by=<script>", "?days=99999999999999999999&by=user", "?days=x"):
        response = client.get(f"/sales-tools/templates/analytics/{query}")
        assert response.status_code == 200 and "<script>" not in response.content.decode()
    stranger = make_user("new@example.com")
    client.force_login(stranger)
    empty = client.get("/sales-tools/templates/analytics/").content.decode()
    assert "No email sent from a template in this period" in empty
