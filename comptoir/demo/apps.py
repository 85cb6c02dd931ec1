from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the `demo` command: above the object apps and users, whose services
    it calls."""

    name = "comptoir.demo"
    label = "demo"
