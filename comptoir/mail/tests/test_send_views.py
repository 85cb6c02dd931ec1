"""The composer's "Send" on a record page, the contact suggestions and the scheduled emails
list, through the pages: what a user sees and does, and what they cannot do to another's."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.mail import delivery, sending, services
from comptoir.mail.models import OutboundEmail, OutboundStatus
from comptoir.mail.sending import Draft
from comptoir.mail.tests.test_sending import connect

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
PRIVATE = "Sales rep – private"  # noqa: RUF001 - the en dash is the role's name


@pytest.fixture
def rep(mail_settings):
    user = make_user("rita@example.com", first_name="Rita", last_name="Moreau")
    connect(user, mail_settings)
    return user


def signed_in(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_contact_page_offers_send_with_the_contact_as_recipient(client, rep):
    contact = make_contact(email="anne@client.fr", firstname="Anne")
    page = signed_in(client, rep).get(f"/contacts/{contact.pk}/").content.decode()
    assert 'id="send-form"' in page and 'value="anne@client.fr"' in page
    assert "From: rep@example.com" in page
    assert "Log an email sent elsewhere" in page  # logging stays
    french = signed_in(client, rep, "fr").get(f"/contacts/{contact.pk}/").content.decode()
    assert "Envoyer plus tard" in french and "Objet" in french


def test_without_any_account_the_page_says_so_and_links_to_settings(client, settings):
    settings.MAILERS = {
        "default": {"BACKEND": "comptoir.mail.backend.PortalBackend", "OPTIONS": {}}
    }
    user = make_user()
    contact = make_contact(email="anne@client.fr")
    page = signed_in(client, user).get(f"/contacts/{contact.pk}/").content.decode()
    assert 'id="send-form"' not in page
    assert "connect your mailbox first" in page and 'href="/settings/email/"' in page


def test_send_from_the_record_page_lands_on_the_timeline(client, rep, mail_settings):
    contact = make_contact(email="anne@client.fr", firstname="Anne")
    signed_in(client, rep)
    response = client.post(
        f"/mail/send/contacts/{contact.pk}/",
        {
            "to": "Anne <anne@client.fr>",
            "cc": "",
            "bcc": "",
            "subject": "Votre devis",
            "body": "<p>Bonjour</p>",
            "from": "ceo@example.com",  # not a field: the From is the user's account
            "now": "1",
        },
        **HX,
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "timeline-changed"
    outbound = OutboundEmail.objects.get()
    assert outbound.from_address == "Rita Moreau <rep@example.com>" and outbound.user == rep
    before = len(mail_settings.inbox.messages)
    assert delivery.deliver(outbound.pk) == OutboundStatus.SENT
    assert len(mail_settings.inbox.messages) == before + 1
    assert associated_ids("emails", outbound.engagement_id, "contacts") == [contact.pk]
    timeline = client.get(f"/contacts/{contact.pk}/timeline/").content.decode()
    assert "Votre devis" in timeline and "Sent" in timeline
    assert f"?compose=email&amp;reply={outbound.engagement_id}" in timeline
    # The Reply link opens the composer answering it.
    page = client.get(
        f"/contacts/{contact.pk}/?compose=email&reply={outbound.engagement_id}"
    ).content.decode()
    assert 'value="Re: Votre devis"' in page
    assert f'name="reply_to" value="{outbound.engagement_id}"' in page


def test_send_later_in_the_writers_time_zone(client, rep):
    contact = make_contact(email="anne@client.fr")
    tomorrow = (timezone.now() + dt.timedelta(days=1)).astimezone(dt.UTC)
    local = tomorrow.strftime("%Y-%m-%dT09:30")
    response = signed_in(client, rep).post(
        f"/mail/send/contacts/{contact.pk}/",
        {
            "to": "anne@client.fr",
            "subject": "Demain",
            "body": "<p>x</p>",
            "send_at": local,
            "time_zone": "America/New_York",
            "later": "1",
        },
        **HX,
    )
    assert response.status_code == 200
    outbound = OutboundEmail.objects.get()
    assert outbound.status == OutboundStatus.SCHEDULED
    new_york = outbound.send_at.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert new_york.strftime("%H:%M") in ("09:30", "10:30")  # EST or EDT
    listing = client.get("/mail/scheduled/").content.decode()
    assert "Demain" in listing and f"/mail/scheduled/{outbound.pk}/" in listing
    # Reached from Sales tools and the account menu.
    tools = client.get("/sales-tools/").content.decode()
    assert tools.count('href="/mail/scheduled/"') == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject", "Hi\r\nBcc: victim@evil.test", "cannot contain a line break"),
        ("to", "a@b.fr\r\nBcc: victim@evil.test", "cannot contain a line break"),
        ("cc", "<script>@x", "is not a valid email address"),
        ("to", "Anne <anne@client.fr>, <script>@x", "is not a valid email address"),
        ("send_at", "tomorrow", "Enter a date and a time"),
    ],
)
def test_hostile_input_is_refused_with_the_field_named(client, rep, field, value, message):
    contact = make_contact(email="anne@client.fr")
    data = {"to": "anne@client.fr", "subject": "Hi", "body": "<p>x</p>", "now": "1"}
    data[field] = value
    if field == "send_at":
        data["later"] = "1"
    response = signed_in(client, rep).post(f"/mail/send/contacts/{contact.pk}/", data, **HX)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page and f'id="send-{"at" if field == "send_at" else field}-error"' in page
    assert not OutboundEmail.objects.exists() and not base_queryset("emails").exists()


def test_a_nul_character_is_refused_before_the_view_naming_the_field(client, rep):
    contact = make_contact(email="anne@client.fr")
    data = {"to": "anne@client.fr", "bcc": "x\x00@y.fr", "subject": "Hi", "body": "<p>x</p>"}
    response = signed_in(client, rep).post(f"/mail/send/contacts/{contact.pk}/", data, **HX)
    assert response.status_code == 400 and "bcc" in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_a_user_cannot_see_change_or_cancel_another_users_scheduled_email(client, rep):
    later = timezone.now() + dt.timedelta(hours=3)
    theirs = sending.compose(
        rep, Draft(to="a@client.fr", subject="Secret", html="<p>x</p>", send_at=later)
    )
    other = make_user("mallory@example.com")
    signed_in(client, other)
    assert "Secret" not in client.get("/mail/scheduled/").content.decode()
    assert client.get(f"/mail/scheduled/{theirs.pk}/").status_code == 404
    edit = {"to": "evil@x.fr", "subject": "Pwn", "body": "<p>y</p>", "send_at": "2099-01-01T10:00"}
    assert client.post(f"/mail/scheduled/{theirs.pk}/", edit).status_code == 404
    assert client.post(f"/mail/scheduled/{theirs.pk}/cancel/").status_code == 404
    assert client.get("/mail/scheduled/99999999/").status_code == 404  # same as missing
    theirs.refresh_from_db()
    assert (theirs.status, theirs.subject, theirs.to) == ("scheduled", "Secret", ["a@client.fr"])
    # Its author changes then cancels it.
    signed_in(client, rep)
    response = client.post(f"/mail/scheduled/{theirs.pk}/", {**edit, "to": "b@client.fr"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.subject, theirs.to) == ("Pwn", ["b@client.fr"])
    assert client.post(f"/mail/scheduled/{theirs.pk}/cancel/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == OutboundStatus.CANCELLED


def test_suggestions_and_sending_reach_only_visible_contacts(client, mail_settings):
    owner = make_user("owner@example.com")
    private = make_user("private@example.com", role=PRIVATE)
    connect(private, mail_settings)
    hidden = make_contact(
        email="hidden@client.fr", firstname="Hélène", hubspot_owner_id=str(owner.owner.pk)
    )
    mine = make_contact(
        email="helga@client.fr", firstname="Helga", hubspot_owner_id=str(private.owner.pk)
    )
    signed_in(client, private)
    options = client.get("/mail/recipients/", {"to": "x@y.fr, he"}).content.decode()
    assert 'value="x@y.fr, Helga &lt;helga@client.fr&gt;"' in options
    assert "hidden@client.fr" not in options
    options = client.get("/mail/recipients/", {"cc": "helga@cli"}).content.decode()
    assert options == '<option value="Helga &lt;helga@client.fr&gt;"></option>'
    # Sending from a record they cannot see answers as a missing record.
    assert (
        client.post(
            f"/mail/send/contacts/{hidden.pk}/", {"to": "a@b.fr", "subject": "x", "body": "y"}
        ).status_code
        == 404
    )
    # Writing to a hidden contact's address does not put the email on its timeline.
    outbound = sending.compose(
        private, Draft(to="hidden@client.fr, helga@client.fr", subject="x", html="<p>y</p>")
    )
    assert associated_ids("emails", outbound.engagement_id, "contacts") == [mine.pk]
    assert services.sender_for(private).from_address == "rep@example.com"


def test_a_reply_shows_in_its_thread_on_the_timeline(client, rep):
    contact = make_contact(email="paul@client.fr")
    first = sending.compose(
        rep, Draft(to="paul@client.fr", subject="Rendez-vous", html="<p>Mardi ?</p>")
    )
    reply = sending.compose(
        rep,
        Draft(
            to="paul@client.fr",
            subject="Re: Rendez-vous",
            html="<p>Ou mercredi ?</p>",
            reply_to=first.engagement_id,
        ),
    )
    other = sending.compose(rep, Draft(to="paul@client.fr", subject="Autre", html="<p>x</p>"))
    timeline = signed_in(client, rep).get(f"/contacts/{contact.pk}/timeline/").content.decode()
    thread = f'<a href="#activity-{first.engagement_id}">In the thread “Rendez-vous”</a>'
    assert timeline.count(thread) == 1
    item = timeline.split(f'id="activity-{reply.engagement_id}"')[1].split("</li>")[0]
    assert thread in item
    item = timeline.split(f'id="activity-{other.engagement_id}"')[1].split("</li>")[0]
    assert "In the thread" not in item


def test_the_attachment_limit_is_shown_before_upload_and_checked_by_the_server(
    client, rep, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.COMPTOIR_MAIL_ATTACHMENTS_MB = 1
    contact = make_contact(email="anne@client.fr")
    page = signed_in(client, rep).get(f"/contacts/{contact.pk}/").content.decode()
    assert "1 MB at most in all." in page and f'data-max-size="{1024 * 1024}"' in page
    big = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1))
    data = {"to": "anne@client.fr", "subject": "Gros", "body": "<p>x</p>", "attachments": [big]}
    response = client.post(f"/mail/send/contacts/{contact.pk}/", data, **HX)
    assert response.status_code == 422
    assert 'id="send-attachments-error"' in response.content.decode()
    assert not OutboundEmail.objects.exists()
