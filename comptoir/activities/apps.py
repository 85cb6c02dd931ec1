from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "comptoir.activities"
    label = "activities"

    def ready(self):
        from comptoir.activities.objecttype import object_types
        from comptoir.core.objects.registry import register

        register(*object_types())
