from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "comptoir.users"
    label = "users"
