from django.apps import AppConfig


class SequencesConfig(AppConfig):
    name = "comptoir.sequences"
    label = "sequences"
