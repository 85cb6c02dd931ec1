from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "comptoir.dashboard"
    label = "dashboard"

    def ready(self):
        # Imported once apps are loaded: these modules use the models.
        from comptoir.core.portal.services import ZONE_OBSERVERS
        from comptoir.core.records import observers
        from comptoir.dashboard.counts import DayCounters
        from comptoir.dashboard.tasks import recount_in_new_zone

        observers.register(DayCounters())
        if recount_in_new_zone not in ZONE_OBSERVERS:
            ZONE_OBSERVERS.append(recount_in_new_zone)
