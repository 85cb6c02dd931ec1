from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "comptoir.users"
    label = "users"

    def ready(self) -> None:
        # Imported once the apps are loaded: these modules use the models.
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_migrate

        from comptoir.users import audit_signins
        from comptoir.users.roles import sync_roles

        # Setup data: the built-in roles exist after every migrate and test flush.
        post_migrate.connect(sync_roles, sender=self)
        # Django tells of sign-ins through these signals only: the audit log listens.
        user_logged_in.connect(audit_signins.signed_in)
        user_login_failed.connect(audit_signins.sign_in_failed)
        user_logged_out.connect(audit_signins.signed_out)
