from django.apps import AppConfig


class SettingsPagesConfig(AppConfig):
    name = "comptoir.settings_pages"
    label = "settings_pages"
