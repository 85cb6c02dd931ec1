"""The public booking pages (/meet/...): no sign-in (login_not_required on each view)."""

from django.urls import path

from comptoir.meetings import public_views

app_name = "meet"
urlpatterns = [
    path("booking/<str:token>/", public_views.manage, name="manage"),
    path("booking/<str:token>/cancel/", public_views.cancel_page, name="cancel"),
    path("booking/<str:token>/reschedule/", public_views.reschedule_page, name="reschedule"),
    path("<slug:slug>/", public_views.booking_page, name="page"),
    path("<slug:slug>/embed.js", public_views.embed_script, name="embed"),
]
