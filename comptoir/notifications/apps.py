from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "comptoir.notifications"
    label = "notifications"

    def ready(self):
        # Imported once apps are loaded: these modules use the models.
        from comptoir.core.records import observers
        from comptoir.core.ui.composer import NOTE_OBSERVERS
        from comptoir.mail.delivery import FAILURE_OBSERVERS
        from comptoir.mail.inbound import REFUSED_OBSERVERS
        from comptoir.mail.replies import BOUNCE_OBSERVERS
        from comptoir.notifications.mentions import notify_mentions
        from comptoir.notifications.services import (
            AssignmentNotices,
            email_bounced,
            email_failed,
            inbound_refused,
        )

        observers.register(AssignmentNotices())
        if notify_mentions not in NOTE_OBSERVERS:
            NOTE_OBSERVERS.append(notify_mentions)
        if email_failed not in FAILURE_OBSERVERS:
            FAILURE_OBSERVERS.append(email_failed)
        if email_bounced not in BOUNCE_OBSERVERS:
            BOUNCE_OBSERVERS.append(email_bounced)
        if inbound_refused not in REFUSED_OBSERVERS:
            REFUSED_OBSERVERS.append(inbound_refused)
