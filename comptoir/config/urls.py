from django.urls import path

from comptoir.core.views import home

urlpatterns = [
    path("", home, name="home"),
]
