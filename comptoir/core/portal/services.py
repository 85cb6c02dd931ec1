"""Reading and changing portal settings."""

from comptoir.core.portal.models import AUTOMATIONS, PortalSettings
from comptoir.core.properties import registry


def portal() -> PortalSettings:
    def load():
        settings, _ = PortalSettings.objects.get_or_create(pk=1)
        return settings

    return registry.cached("portal", load)


def automation_enabled(name: str) -> bool:
    if name not in AUTOMATIONS:
        raise KeyError(f"unknown automation {name!r}")
    return getattr(portal(), name)


def update_portal(**changes) -> PortalSettings:
    unknown = set(changes) - {f.name for f in PortalSettings._meta.fields if f.name != "id"}
    if unknown:
        raise ValueError(f"unknown portal setting(s): {', '.join(sorted(unknown))}")
    settings, _ = PortalSettings.objects.get_or_create(pk=1)
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(changes))
    registry.invalidate()
    return settings
