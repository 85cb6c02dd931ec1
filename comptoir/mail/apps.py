from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "comptoir.mail"
    label = "mail"

    def ready(self):
        # Imported once apps are loaded: the panel reads models.
        from comptoir.core.ui.composer import SEND_PANELS
        from comptoir.core.ui.timeline import ACTIVITY_DETAILS
        from comptoir.mail.panel import offer
        from comptoir.mail.threads import thread_details

        if offer not in SEND_PANELS:
            SEND_PANELS.append(offer)
        if thread_details not in ACTIVITY_DETAILS:
            ACTIVITY_DETAILS.append(thread_details)
