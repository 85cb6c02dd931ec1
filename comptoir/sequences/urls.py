from django.urls import path

from comptoir.sequences import views

app_name = "sequences"
urlpatterns = [
    path("", views.sequence_list, name="list"),
    path("new/", views.sequence_create, name="create"),
    path("enroll/", views.enroll, name="enroll"),
    path("settings/", views.sequence_settings, name="settings"),
    path("enrollments/<id:enrollment_id>/", views.enrollment_action, name="enrollment"),
    path("<id:sequence_id>/", views.sequence_detail, name="detail"),
    path("<id:sequence_id>/delete/", views.sequence_delete, name="delete"),
    path("<id:sequence_id>/steps/", views.step_add, name="step_add"),
    path("<id:sequence_id>/steps/<id:step_id>/", views.step_change, name="step_change"),
    path("<id:sequence_id>/steps/<id:step_id>/edit/", views.step_edit, name="step_edit"),
]
