from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "comptoir.activities"
    label = "activities"
