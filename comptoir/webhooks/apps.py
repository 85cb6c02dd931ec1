from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "comptoir.webhooks"
    label = "webhooks"

    def ready(self):
        # Imported once apps are loaded: the outbox uses the models.
        from comptoir.core.records import observers
        from comptoir.webhooks.outbox import Outbox

        observers.register(Outbox())
