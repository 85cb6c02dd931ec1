"""Reading and changing portal settings."""

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.portal.models import AUTOMATIONS, PortalSettings
from comptoir.core.properties import registry

# Called, in order, when the report time zone changed (inside the change's transaction):
# the dashboard's day counters, cut in the old zone, are recounted. Apps add theirs in
# AppConfig.ready().
ZONE_OBSERVERS: list = []


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
    zone_before = settings.report_time_zone
    changed = {
        name: [getattr(settings, name), value]
        for name, value in changes.items()
        if getattr(settings, name) != value
    }
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(changes))
    if changed:
        audit.record(AuditAction.SETTINGS_CHANGED, "portal", **_loggable(changed))
    registry.invalidate()
    if settings.report_time_zone != zone_before:
        for observer in ZONE_OBSERVERS:
            observer()
    return settings


def _loggable(changed: dict) -> dict:
    """{setting: [before, after]} for the audit log; long values (the About card's
    choices) are named, not copied."""
    return {
        name: values if all(isinstance(v, str | int | bool) for v in values) else "…"
        for name, values in changed.items()
    }
