"""The public URLs of the website snippet (/p/...): the script and its beacons."""

from django.urls import path

from comptoir.prospects import public_views

app_name = "prospects_public"
urlpatterns = [
    path("snippet.js", public_views.snippet, name="snippet"),
    path("collect", public_views.collect, name="collect"),
]
