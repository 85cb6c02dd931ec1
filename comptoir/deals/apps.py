from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "comptoir.deals"
    label = "deals"
