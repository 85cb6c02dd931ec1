"""The side menu of /settings/ (the seed article's "Paramètres").

Each settings page adds its Section to SECTIONS (in the seed article's order: properties,
pipelines, automation, team, import & export, configuration, notifications, API tokens,
profile); a section shows only to users holding its right."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    url_name: str
    right: str | None = None  # a role right needed (comptoir.users.permissions.RIGHTS)


# Pages not built yet are simply absent.
SECTIONS: list[Section] = []


def visible_sections(user) -> list[dict]:
    from comptoir.users.permissions import has_right

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
