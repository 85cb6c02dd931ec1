"""403, 404 and 500 pages (issue 14, point 12): in the app's frame and the user's language
for the browser, one plain sentence for htmx, HubSpot's JSON for the API."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from comptoir.config import errors
from comptoir.core.testing.html import select, text_of

pytestmark = pytest.mark.django_db


def _request(user, path="/contacts/", **headers):
    request = RequestFactory().get(path, headers=headers)
    request.user = user
    request.htmx = bool(headers.get("HX-Request"))
    return request


@pytest.mark.parametrize(
    "handler, status, title",
    [
        (errors.permission_denied, 403, "Accès refusé"),
        (errors.server_error, 500, "Une erreur s'est produite"),
    ],
)
def test_403_and_500_pages_are_in_the_apps_frame_in_french(user, handler, status, title):
    with translation.override("fr"):
        response = handler(_request(user))
    assert response.status_code == status
    html = response.content.decode()
    assert text_of(select(html, "title")[0]) == f"{title} · Comptoir"
    assert text_of(select(html, "h1")[0]) == title
    assert select(html, "nav#sidenav a")  # the navigation is there


def test_htmx_gets_one_sentence_and_the_api_json(user):
    with translation.override("fr"):
        response = errors.permission_denied(_request(user, **{"HX-Request": "true"}))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == (
        "Votre rôle ne vous permet pas de voir cette page ni de faire cela."
    )
    response = errors.permission_denied(_request(user, "/crm/v3/objects/contacts"))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")


def test_someone_signed_out_gets_the_sign_in_frame(client):
    response = client.get("/nope/", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    html = response.content.decode()
    assert text_of(select(html, "h1")[0]) == "Page introuvable"
    assert select(html, "a[href='/login/']")


@pytest.mark.parametrize(
    "language, title, sentence",
    [
        ("fr", "Accès refusé", "Cette page a expiré. Rechargez-la et réessayez."),
        ("en", "Access denied", "This page has expired. Reload it and try again."),
    ],
)
def test_a_form_refused_by_the_csrf_check_gets_the_apps_403_page(user, language, title, sentence):
    from django.test import Client

    user.language = language
    user.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/settings/profile/", {"first_name": "X"})
    assert response.status_code == 403
    html = response.content.decode()
    assert text_of(select(html, "title")[0]) == f"{title} · Comptoir"
    assert sentence in text_of(select(html, "main")[0])
    assert select(html, "nav#sidenav a")
    # From htmx, the one sentence the page's banner shows.
    response = client.post(
        "/settings/profile/", {"first_name": "X"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == sentence
