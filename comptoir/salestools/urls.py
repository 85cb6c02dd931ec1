from django.urls import path

from comptoir.salestools import views

app_name = "salestools"
urlpatterns = [
    path("", views.index, name="index"),
    path("calls/new/", views.queue_create, name="call_queue_create"),
    path("calls/<id:queue_id>/", views.queue_page, name="call_queue"),
    path("calls/<id:queue_id>/log/", views.log_call, name="call_queue_log"),
    path("calls/<id:queue_id>/skip/", views.skip, name="call_queue_skip"),
    path("calls/<id:queue_id>/move/", views.move, name="call_queue_move"),
    path("calls/<id:queue_id>/settings/", views.change_settings, name="call_queue_settings"),
    path("calls/<id:queue_id>/delete/", views.delete, name="call_queue_delete"),
]
