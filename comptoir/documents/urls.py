from django.urls import path

from comptoir.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("upload/", views.document_upload, name="upload"),
    path("picker/", views.picker, name="picker"),
    path("folders/new/", views.folder_create, name="folder_create"),
    path("folders/<id:folder_id>/delete/", views.folder_delete, name="folder_delete"),
    path("<id:document_id>/", views.document_detail, name="detail"),
    path("<id:document_id>/edit/", views.document_edit, name="edit"),
    path("<id:document_id>/delete/", views.document_delete, name="delete"),
    path("<id:document_id>/file/", views.document_file, name="file"),
    path("<id:document_id>/links/", views.link_create, name="link_create"),
    path("<id:document_id>/links/composer/", views.composer_link, name="composer_link"),
    path("<id:document_id>/links/<id:link_id>/delete/", views.link_delete, name="link_delete"),
]
