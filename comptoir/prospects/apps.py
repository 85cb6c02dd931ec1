from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "comptoir.prospects"
    label = "prospects"

    def ready(self):
        # Imported once apps are loaded: conf reads models.
        from comptoir.mail import tracking
        from comptoir.prospects.conf import website_domains

        # Tracked email links to the company's website carry the visitor hint (mail is
        # below prospects: it asks this callable which hosts those are).
        if website_domains not in tracking.HINT_HOSTS:
            tracking.HINT_HOSTS.append(website_domains)
