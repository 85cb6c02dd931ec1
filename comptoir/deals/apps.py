from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "comptoir.deals"
    label = "deals"

    def ready(self):
        # Imported once apps are loaded: the type's facts name its models.
        from comptoir.core.objects.registry import register
        from comptoir.deals.objecttype import object_types

        register(*object_types())
