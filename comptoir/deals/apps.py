from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "comptoir.deals"
    label = "deals"

    def ready(self):
        from comptoir.core.objects.registry import register
        from comptoir.deals.objecttype import object_types

        register(*object_types())
