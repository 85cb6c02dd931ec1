"""Routes of Settings > Pipelines (SET-4)."""

from django.urls import path

from comptoir.settings_pages import pipelines as views

urlpatterns = [
    path("", views.pipelines, name="pipelines"),
    path("new/", views.pipeline_create, name="pipeline_create"),
    path("<str:pipeline_id>/rename/", views.pipeline_rename, name="pipeline_rename"),
    path("<str:pipeline_id>/delete/", views.pipeline_delete, name="pipeline_delete"),
    path("<str:pipeline_id>/stages/add/", views.stage_add, name="stage_add"),
    path("<str:pipeline_id>/stages/order/", views.stages_order, name="stages_order"),
    path("<str:pipeline_id>/stages/<str:stage_id>/", views.stage_update, name="stage_update"),
    path(
        "<str:pipeline_id>/stages/<str:stage_id>/delete/", views.stage_delete, name="stage_delete"
    ),
]
