from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "comptoir.companies"
    label = "companies"

    def ready(self):
        # Imported once apps are loaded: the type's facts name its models.
        from comptoir.companies.objecttype import object_types
        from comptoir.core.objects.registry import register

        register(*object_types())
