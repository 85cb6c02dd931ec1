"""The left navigation, with the current section marked."""

from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.core.objects.registry import page_types


def nav_items(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    items = [
        ("dashboard", _("Dashboard"), reverse("dashboard:home")),
        *((ot.icon, str(ot.pages.nav_label), reverse(f"{ot.name}:list")) for ot in page_types()),
        ("tools", _("Sales tools"), reverse("salestools:index")),
        ("settings", _("Settings"), reverse("settings:home")),
    ]
    path = request.path
    return {
        "nav_items": [
            {"icon": icon, "label": label, "url": url, "active": _current(path, icon, url)}
            for icon, label, url in items
        ]
    }


def _current(path: str, key: str, url: str) -> bool:
    # The dashboard is also the home page.
    return path.startswith(url) or (key == "dashboard" and path == "/")
