from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "comptoir.mail"
    label = "mail"

    def ready(self):
        # Imported once apps are loaded: the panel reads models.
        from comptoir.core.ui.composer import SEND_PANELS
        from comptoir.mail.panel import offer

        if offer not in SEND_PANELS:
            SEND_PANELS.append(offer)
