from django.urls import path

from comptoir.emailtemplates import views

app_name = "emailtemplates"
urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_create, name="create"),
    path("picker/", views.picker, name="picker"),
    path("analytics/", views.template_analytics, name="analytics"),
    path("folders/new/", views.folder_create, name="folder_create"),
    path("folders/<id:folder_id>/delete/", views.folder_delete, name="folder_delete"),
    path("<id:template_id>/", views.template_detail, name="detail"),
    path("<id:template_id>/edit/", views.template_edit, name="edit"),
    path("<id:template_id>/contacts/", views.contact_search, name="contact_search"),
    path("<id:template_id>/render/", views.template_render, name="render"),
    path("<id:template_id>/duplicate/", views.template_duplicate, name="duplicate"),
    path("<id:template_id>/archive/", views.template_archive, name="archive"),
    path("<id:template_id>/restore/", views.template_restore, name="restore"),
]
