from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "comptoir.contacts"
    label = "contacts"

    def ready(self):
        # Imported once apps are loaded: the type's facts name its models.
        from comptoir.contacts.objecttype import object_types
        from comptoir.core.objects.registry import register

        register(*object_types())
