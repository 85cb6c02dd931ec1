"""Reading and changing portal settings."""

from django.db import transaction

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
    zone_before = settings.report_time_zone
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(changes))
    registry.invalidate()
    if settings.report_time_zone != zone_before:
        # The dashboard's day counters are cut in the old zone: its figures are read live
        # until the worker has recounted them in the new one.
        from comptoir.dashboard.tasks import rebuild_dashboard_counts

        transaction.on_commit(rebuild_dashboard_counts.enqueue)
    return settings
