from django.apps import AppConfig


class SalestoolsConfig(AppConfig):
    name = "comptoir.salestools"
    label = "salestools"
