"""Settings > API tokens (SET-8) and Profile (SET-11) through their pages."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.core.testing.factories import make_user
from comptoir.core.testing.html import select_one
from comptoir.settings_pages.tests.test_team_pages import client_for, field_error, text
from comptoir.users.models import ApiToken, Owner, User
from comptoir.users.roles import SALES_REP
from comptoir.users.services import authenticate_token, create_token, create_user
from comptoir.users.tests.test_team import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return create_user("boss@example.com", "Str0ng-pass-1", first_name="Bea", is_admin=True)


@pytest.fixture
def rep():
    return make_user("rep@example.com", first_name="Rita", role=SALES_REP)


# -- API tokens -------------------------------------------------------------------------------


def test_a_token_is_created_with_scopes_and_shown_once(rep):
    client = client_for(rep)
    page = client.get("/settings/api-tokens/")
    assert "You have no token yet" in text(page)
    # Scopes grouped by object.
    assert "Contacts and activities" in text(page) and "crm.objects.deals.write" in text(page)
    response = client.post(
        "/settings/api-tokens/",
        {"name": "Sync", "scopes": ["crm.objects.contacts.read", "crm.objects.deals.read"]},
    )
    assert response.status_code == 200
    raw = select_one(text(response), "#new-token").get("value")
    assert raw.startswith("pat-")
    token = authenticate_token(raw)
    assert token.user == rep and token.name == "Sync"
    assert token.scopes == ["crm.objects.contacts.read", "crm.objects.deals.read"]
    # Listed with its scopes and dates; the raw token is never shown again.
    listing = text(client.get("/settings/api-tokens/"))
    assert "Sync" in listing and "crm.objects.deals.read" in listing and "Never" in listing
    assert raw not in listing and token.prefix in listing


def test_an_api_call_shows_as_the_tokens_last_use(rep):
    from comptoir.core.portal.services import portal
    from comptoir.core.properties.formatting import format_datetime_short

    token, raw = create_token(rep, "Sync", ["crm.objects.contacts.read"])
    client = client_for(rep)
    assert "Never" in text(client.get("/settings/api-tokens/"))
    response = Client().get("/crm/v3/objects/contacts", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    listing = text(client.get("/settings/api-tokens/"))
    shown = format_datetime_short(token.last_used_at, portal().report_time_zone)
    assert "Never" not in listing
    assert re.search(r"Last used[^<]*\">" + re.escape(shown) + "</td>", listing), shown


def test_token_form_refusals(rep):
    client = client_for(rep)
    response = client.post("/settings/api-tokens/", {"name": "Nothing"})
    assert response.status_code == 422
    assert "Choose at least one scope" in text(response)
    response = client.post(
        "/settings/api-tokens/", {"name": "", "scopes": ["crm.objects.contacts.read"]}
    )
    assert response.status_code == 422 and field_error(response, "name")
    response = client.post(
        "/settings/api-tokens/", {"name": "Bad", "scopes": ["crm.objects.unicorns.read"]}
    )
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_revoke_with_confirmation_own_tokens_and_admins_everyones(admin, rep):
    mine, raw_mine = create_token(rep, "Mine", ["crm.objects.contacts.read"])
    theirs, raw_theirs = create_token(admin, "Boss", ["crm.objects.contacts.read"])
    client = client_for(rep)
    assert "Boss" not in text(client.get("/settings/api-tokens/"))
    assert client.get(f"/settings/api-tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/settings/api-tokens/{theirs.pk}/revoke/").status_code == 404
    confirm = client.get(f"/settings/api-tokens/{mine.pk}/revoke/")
    assert "Revoke the token “Mine”?" in text(confirm)
    assert authenticate_token(raw_mine) is not None  # asking is not revoking
    done = client.post(f"/settings/api-tokens/{mine.pk}/revoke/", follow=True)
    assert "Token “Mine” revoked" in text(done) and authenticate_token(raw_mine) is None
    # The admin sees everyone's tokens and may revoke them.
    again, raw_again = create_token(rep, "Second", ["crm.objects.contacts.read"])
    listing = text(client_for(admin).get("/settings/api-tokens/"))
    assert "Everyone else" in listing and "Second" in listing
    client_for(admin).post(f"/settings/api-tokens/{again.pk}/revoke/")
    assert authenticate_token(raw_again) is None and authenticate_token(raw_theirs)


# -- profile ----------------------------------------------------------------------------------


def test_profile_saves_and_switches_the_language(rep):
    client = client_for(rep)
    page = client.get("/settings/profile/")
    assert 'value="Rita"' in text(page)
    response = client.post(
        "/settings/profile/",
        {
            "first_name": "Rita",
            "last_name": "Moreau",
            "job_title": "Account executive",
            "phone": "+33 6 12 34 56 78",
            "language": "fr",
            "email_signature": "Rita Moreau\nComptoir",
        },
        follow=True,
    )
    assert "Votre profil a été enregistré" in text(response)
    assert '<html lang="fr">' in text(response)
    user = User.objects.get(pk=rep.pk)
    assert (user.last_name, user.job_title, user.language) == ("Moreau", "Account executive", "fr")
    assert Owner.objects.get(user=rep).last_name == "Moreau"
    refused = client.post("/settings/profile/", {"first_name": "X", "language": "de"})
    assert refused.status_code == 422 and field_error(refused, "language")
    assert User.objects.get(pk=rep.pk).first_name == "Rita"


def test_profile_time_zone_and_meeting_link(rep):
    client = client_for(rep)
    page = text(client.get("/settings/profile/"))
    assert "The account&#x27;s (Europe/Paris)" in page and "America/New York" in page
    base = {"first_name": "Rita", "language": "en"}
    for zone, link, field in (
        ("Mars/Olympus", "", "time_zone"),
        ("", "javascript:alert(1)", "meeting_link"),
        ("", "ftp://files.example.com/", "meeting_link"),
        ("", "https://", "meeting_link"),
        ("", "https://cal.example.com/a b", "meeting_link"),
    ):
        refused = client.post(
            "/settings/profile/", {**base, "time_zone": zone, "meeting_link": link}
        )
        assert refused.status_code == 422 and field_error(refused, field), (zone, link)
        user = User.objects.get(pk=rep.pk)
        assert (user.time_zone, user.meeting_link) == ("", "")  # nothing half-saved
    done = client.post(
        "/settings/profile/",
        {
            **base,
            "time_zone": "America/New_York",
            "meeting_link": " https://comptoir.example.com/meet/rita/ ",
        },
    )
    assert done.status_code == 302
    user = User.objects.get(pk=rep.pk)
    assert (user.time_zone, user.meeting_link) == (
        "America/New_York",
        "https://comptoir.example.com/meet/rita/",
    )
    page = text(client.get("/settings/profile/"))
    assert '<option value="America/New_York" selected>' in page
    # Back to the account's.
    client.post("/settings/profile/", {**base, "time_zone": "", "meeting_link": ""})
    assert User.objects.get(pk=rep.pk).time_zone == ""


def test_photo_upload_is_served_to_signed_in_users_only(rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(rep)
    bad = client.post(
        "/settings/profile/photo/",
        {"photo": SimpleUploadedFile("me.png", b"MZ\x90\x00 not an image")},
    )
    assert bad.status_code == 422
    assert "Upload a PNG, JPEG, GIF or WebP image" in field_error(bad, "photo")
    assert not User.objects.get(pk=rep.pk).photo

    done = client.post(
        "/settings/profile/photo/", {"photo": SimpleUploadedFile("me.png", PNG)}, follow=True
    )
    assert "Your photo was saved" in text(done)
    url = f"/settings/profile/photo/{rep.pk}/"
    assert url in text(done)  # the header avatar and the profile show it
    served = client.get(url)
    assert served["Content-Type"] == "image/png" and b"".join(served.streaming_content) == PNG
    teammate = client_for(make_user("mate@example.com"))
    assert teammate.get(url).status_code == 200
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.post("/settings/profile/photo/remove/")
    assert client.get(url).status_code == 404


def test_password_change_keeps_the_session(rep):
    client = Client()
    assert client.login(email="rep@example.com", password="Pass-word-123")
    client.cookies["django_language"] = "en"
    wrong = client.post(
        "/settings/profile/password/",
        {
            "old_password": "nope",
            "new_password1": "Brand-new-pass-42",
            "new_password2": "Brand-new-pass-42",
        },
    )
    assert wrong.status_code == 422 and field_error(wrong, "old_password")
    response = client.post(
        "/settings/profile/password/",
        {
            "old_password": "Pass-word-123",
            "new_password1": "Brand-new-pass-42",
            "new_password2": "Brand-new-pass-42",
        },
        follow=True,
    )
    assert "Your password was changed" in text(response)
    assert client.get("/settings/profile/").status_code == 200  # still signed in
    assert User.objects.get(pk=rep.pk).check_password("Brand-new-pass-42")


def test_the_tokens_list_costs_the_same_queries_for_1_or_8_tokens(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        client = client_for(admin)
        client.get("/settings/api-tokens/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/settings/api-tokens/").status_code == 200
        return len(ctx.captured_queries)

    create_token(make_user("one@example.com"), "One", ["crm.objects.contacts.read"])
    few = count()
    for n in range(7):
        create_token(make_user(f"u{n}@example.com"), f"T{n}", ["crm.objects.deals.read"])
    assert count() == few
