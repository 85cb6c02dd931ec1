from django.apps import AppConfig


class SequencesConfig(AppConfig):
    name = "comptoir.sequences"
    label = "sequences"

    def ready(self):
        # Imported once apps are loaded: the hooks read models.
        from comptoir.mail.replies import BOUNCE_OBSERVERS, REPLY_OBSERVERS
        from comptoir.sequences.hooks import on_bounce, on_reply

        if on_reply not in REPLY_OBSERVERS:
            REPLY_OBSERVERS.append(on_reply)
        if on_bounce not in BOUNCE_OBSERVERS:
            BOUNCE_OBSERVERS.append(on_bounce)
