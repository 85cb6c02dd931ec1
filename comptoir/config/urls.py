from django.urls import path

from comptoir.core.views import healthz, home
from comptoir.hubspot_api.api import register

api = register()

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("", api.urls),
]

handler404 = "comptoir.core.views.not_found"
handler500 = "comptoir.core.views.server_error"
