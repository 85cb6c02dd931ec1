from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "comptoir.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from comptoir.core.setup import sync_defaults

        # Setup data (default properties, pipelines), not business behaviour: it must
        # be present after every migrate and after a test-case flush.
        post_migrate.connect(sync_defaults, sender=self)
