from django.urls import path

from comptoir.salestools import views

app_name = "salestools"
urlpatterns = [
    path("", views.index, name="index"),
    path("calls/new/", views.queue_create, name="call_queue_create"),
    path("calls/<int:queue_id>/", views.queue_page, name="call_queue"),
    path("calls/<int:queue_id>/log/", views.log_call, name="call_queue_log"),
    path("calls/<int:queue_id>/skip/", views.skip, name="call_queue_skip"),
    path("calls/<int:queue_id>/settings/", views.change_settings, name="call_queue_settings"),
    path("calls/<int:queue_id>/delete/", views.delete, name="call_queue_delete"),
]
