from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "comptoir.notifications"
    label = "notifications"

    def ready(self):
        # Imported once apps are loaded: these modules use the models.
        from comptoir.core.records import observers
        from comptoir.core.ui.composer import NOTE_OBSERVERS
        from comptoir.notifications.mentions import notify_mentions
        from comptoir.notifications.services import AssignmentNotices

        observers.register(AssignmentNotices())
        if notify_mentions not in NOTE_OBSERVERS:
            NOTE_OBSERVERS.append(notify_mentions)
