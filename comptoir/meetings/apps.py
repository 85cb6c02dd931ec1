from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "comptoir.meetings"
    label = "meetings"
