from django.urls import path

from comptoir.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/setup/", views.setup, name="setup"),
    path("<int:pk>/setup/property/<int:index>/", views.create_property, name="create_property"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("<int:pk>/errors.csv", views.errors_file, name="errors_file"),
    path("export/<str:object_type>/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
