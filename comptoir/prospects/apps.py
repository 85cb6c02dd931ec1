from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "comptoir.prospects"
    label = "prospects"
