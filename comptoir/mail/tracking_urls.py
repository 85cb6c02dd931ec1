"""The public tracking URLs (/t/...), put in the emails sent from the CRM."""

from django.urls import path

from comptoir.mail import tracking_views

app_name = "tracking"
urlpatterns = [
    path("o/<str:token>/", tracking_views.open_pixel, name="open"),
    path("c/<str:token>/", tracking_views.click, name="click"),
]
