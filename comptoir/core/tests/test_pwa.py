"""The web app manifest, the service worker and the offline page (comptoir/core/pwa.py):
open to everyone (the browser fetches them before any sign-in), and the shell the worker
keeps is the files the pages load."""

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_manifest_describes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert body["display"] == "standalone" and body["start_url"] == "/"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:  # the files exist where the static URL points
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL).lstrip("/"))


def test_the_service_worker_keeps_the_shell_and_the_offline_page(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert '"/offline/"' in script and "/static/css/app.css" in script
    assert client.get("/offline/").status_code == 200


def test_every_page_links_the_manifest_and_the_worker_when_on(client, settings):
    from comptoir.core.testing.factories import make_user

    client.force_login(make_user())
    html = client.get("/contacts/").content.decode()
    assert "manifest.webmanifest" not in html  # the test settings switch the app off
    assert "comptoir-service-worker" not in html
    settings.COMPTOIR_SERVICE_WORKER = True
    html = client.get("/contacts/").content.decode()
    assert '<meta name="comptoir-service-worker" content="/sw.js">' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
