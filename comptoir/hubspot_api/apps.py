from django.apps import AppConfig


class HubspotApiConfig(AppConfig):
    name = "comptoir.hubspot_api"
    label = "hubspot_api"
