from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "comptoir.users"
    label = "users"

    def ready(self) -> None:
        # Imported once the apps are loaded: these modules use the models.
        from django.db.models.signals import post_migrate

        from comptoir.users.roles import sync_roles

        # Setup data: the built-in roles exist after every migrate and test flush.
        post_migrate.connect(sync_roles, sender=self)
