from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DashboardConfig(AppConfig):
    name = "comptoir.dashboard"
    label = "dashboard"

    def ready(self):
        # Imported once apps are loaded: these modules use the models.
        from comptoir.core.portal.services import ZONE_OBSERVERS
        from comptoir.core.records import observers
        from comptoir.dashboard.counts import DayCounters, counters_in_place
        from comptoir.dashboard.tasks import recount_in_new_zone

        observers.register(DayCounters())
        post_migrate.connect(counters_in_place, sender=self)
        if recount_in_new_zone not in ZONE_OBSERVERS:
            ZONE_OBSERVERS.append(recount_in_new_zone)
