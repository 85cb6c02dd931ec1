"""Comptoir installs as a progressive web app (seed: "Applications mobiles"): the web app
manifest, a service worker (at the site's root, so that it covers every page) that keeps
the app shell (styles, scripts, icons, the offline page) and shows the offline page when a
page cannot be reached, and that page itself. Pages are never served from the cache: a
CRM's data must be the live one."""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME = "#0b6e6e"
SHELL = (
    "css/app.css",
    "vendor/htmx.min.js",
    "js/app.js",
    "favicon.svg",
    "icons/icon-192.png",
)


@login_not_required
@require_GET
@cache_control(max_age=3600)
def manifest(request):
    body = {
        "name": "Comptoir",
        "short_name": "Comptoir",
        "description": _("Your team's sales CRM"),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(body, content_type="application/manifest+json")


@login_not_required
@require_GET
@cache_control(no_cache=True)  # browsers check it for a new version on each visit
def service_worker(request):
    shell = [static(path) for path in SHELL]
    offline = "/offline/"
    version = hashlib.sha256("|".join([*shell, offline]).encode()).hexdigest()[:12]
    return render(
        request,
        "pwa/sw.js",
        {"version": version, "shell": [*shell, offline], "offline": offline},
        content_type="text/javascript; charset=utf-8",
    )


def service_worker_setting(request) -> dict:
    """The pages' templates learn whether to link the manifest and register the worker
    (COMPTOIR_SERVICE_WORKER: the browser tests leave them off, as the browser's background
    fetches would race their writes)."""
    return {"service_worker": settings.COMPTOIR_SERVICE_WORKER}


@login_not_required
@require_GET
def offline(request):
    return render(request, "pwa/offline.html")
