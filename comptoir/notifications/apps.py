from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "comptoir.notifications"
    label = "notifications"
