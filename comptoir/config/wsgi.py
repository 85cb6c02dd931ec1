import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
application = get_wsgi_application()

from comptoir.config.bodies import WholeBody  # noqa: E402  (after Django is set up)

application = WholeBody(application)
