from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """A test-only object type (installed by comptoir/config/test_settings.py): proof that a
    new model-backed type needs only its own app and one line of INSTALLED_APPS."""

    name = "comptoir.core.testing.projects"
    label = "projects"

    def ready(self):
        # Imported once apps are loaded: the type's facts name its models.
        from comptoir.core.objects.registry import register
        from comptoir.core.testing.projects.objecttype import object_types

        register(*object_types())
