"""Routes of Settings > Profile."""

from django.urls import path

from comptoir.settings_pages import profile as views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("photo/", views.photo, name="profile_photo_upload"),
    path("photo/remove/", views.remove_photo, name="profile_photo_remove"),
    path("photo/<id:pk>/", views.photo_file, name="profile_photo"),
    path("password/", views.password, name="profile_password"),
]
