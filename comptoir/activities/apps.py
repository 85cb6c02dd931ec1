from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "comptoir.activities"
    label = "activities"

    def ready(self):
        # Imported once apps are loaded: the type's facts name its models.
        from comptoir.activities.objecttype import object_types
        from comptoir.core.objects.registry import register

        register(*object_types())
