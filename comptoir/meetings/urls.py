from django.urls import path

from comptoir.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.link_create, name="create"),
    path("<id:link_id>/edit/", views.link_edit, name="edit"),
    path("<id:link_id>/active/", views.link_active, name="active"),
    path("<id:link_id>/profile/", views.link_profile, name="profile"),
    path("calendar/", views.calendar_connect, name="calendar"),
    path("calendar/disconnect/", views.calendar_disconnect, name="calendar_disconnect"),
]
