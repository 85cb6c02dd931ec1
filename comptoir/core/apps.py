from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "comptoir.core"
    label = "core"

    def ready(self) -> None:
        # Imported once the apps are loaded: these modules use the models.
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate
        from django.tasks.signals import task_started
        from django.urls import register_converter

        from comptoir.core.inputs import IdConverter
        from comptoir.core.properties import registry
        from comptoir.core.properties.expressions import register_sqlite_functions
        from comptoir.core.records import observers
        from comptoir.core.records.live_counts import LiveCounter
        from comptoir.core.setup import sync_defaults

        connection_created.connect(register_sqlite_functions)
        # Metadata caches: each request and each task checks the version row once.
        request_started.connect(registry.begin, dispatch_uid="comptoir.registry.request")
        task_started.connect(registry.begin, dispatch_uid="comptoir.registry.task")
        register_converter(IdConverter, "id")  # <id:pk> in UI paths (comptoir/core/inputs.py)

        # Setup data (default properties, pipelines), not business behaviour: it must
        # be present after every migrate and after a test-case flush.
        post_migrate.connect(sync_defaults, sender=self)
        # The API search's totals: live records per type, kept by every write.
        observers.register(LiveCounter())
