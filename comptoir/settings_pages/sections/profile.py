"""Routes of Settings > Profile."""

from django.urls import path

from comptoir.settings_pages import profile as views
from comptoir.settings_pages import two_factor

urlpatterns = [
    path("", views.profile, name="profile"),
    path("photo/", views.photo, name="profile_photo_upload"),
    path("photo/remove/", views.remove_photo, name="profile_photo_remove"),
    path("photo/<id:pk>/", views.photo_file, name="profile_photo"),
    path("password/", views.password, name="profile_password"),
    path("two-factor/", two_factor.two_factor_page, name="two_factor"),
    path("two-factor/off/", two_factor.turn_off, name="two_factor_off"),
]
