from django.urls import path

from comptoir.documents import public_views

app_name = "documents_public"
urlpatterns = [
    path("<str:token>/", public_views.viewer, name="view"),
    path("<str:token>/file/", public_views.pdf_file, name="file"),
    path("<str:token>/download/", public_views.download, name="download"),
    path("<str:token>/beacon/", public_views.beacon, name="beacon"),
]
