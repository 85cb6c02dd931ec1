from django.urls import path

from comptoir.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/setup/", views.setup, name="setup"),
    path("<id:pk>/setup/property/<id:index>/", views.create_property, name="create_property"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
    path("<id:pk>/resume/", views.resume, name="resume"),
    path("<id:pk>/undo/", views.undo, name="undo"),
    path("<id:pk>/errors.csv", views.errors_file, name="errors_file"),
    path("export/<str:object_type>/", views.export_start, name="export_start"),
    path("exports/<id:pk>/", views.export_detail, name="export"),
    path("exports/<id:pk>/download/", views.export_download, name="export_download"),
]
