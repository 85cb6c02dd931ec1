"""The side menu of /settings/ (the seed article's "Paramètres").

Each settings page adds its Section to SECTIONS (in the seed article's order: properties,
pipelines, automation, team, import & export, configuration, then indexes (issue 16),
background jobs, audit log, notifications, email, API tokens, webhooks, prospects,
profile); a section shows only to users holding its right."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from comptoir.core.permissions import has_right


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    url_name: str
    right: str | None = None  # a role right needed (comptoir.core.permissions.RIGHTS)


# A section whose page is not built yet (its url_name does not resolve) is simply absent.
SECTIONS: list[Section] = [
    Section("properties", _("Properties"), "settings:properties", "can_manage_settings"),
    Section("pipelines", _("Pipelines"), "settings:pipelines", "can_manage_settings"),
    Section("automation", _("Automation"), "settings:automation", "can_manage_settings"),
    Section("team", _("Users & teams"), "settings:team", "can_manage_settings"),
    Section("import-export", _("Import & export"), "settings:import_export"),
    Section("configuration", _("Configuration"), "settings:configuration", "can_manage_settings"),
    Section("indexes", _("Indexes"), "settings:indexes", "can_manage_settings"),
    Section("jobs", _("Background jobs"), "settings:jobs", "can_manage_settings"),
    Section("audit", _("Audit log"), "settings:audit", "can_manage_settings"),
    Section("notifications", _("Notifications"), "settings:notifications"),
    Section("email", _("Email"), "settings:email"),
    Section("api-tokens", _("API tokens"), "settings:api_tokens", "can_use_api"),
    Section("webhooks", _("Webhooks"), "settings:webhooks", "can_manage_settings"),
    Section("prospects", _("Prospects"), "settings:prospects", "can_manage_settings"),
    Section("profile", _("Profile"), "settings:profile"),
]


def visible_sections(user) -> list[dict]:
    items = []
    for section in SECTIONS:
        if section.right and not has_right(user, section.right):
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": section.key, "label": section.label, "url": url})
    return items
