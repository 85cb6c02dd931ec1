from django.apps import AppConfig


class EmailTemplatesConfig(AppConfig):
    name = "comptoir.emailtemplates"
    label = "emailtemplates"
