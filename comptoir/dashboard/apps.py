from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "comptoir.dashboard"
    label = "dashboard"
