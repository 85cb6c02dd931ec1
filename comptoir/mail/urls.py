from django.urls import path

from comptoir.mail import views

app_name = "mail"
urlpatterns = [
    path("send/<str:object_type>/<id:pk>/", views.send, name="send"),
    path("recipients/", views.recipients, name="recipients"),
    path("scheduled/", views.scheduled, name="scheduled"),
    path("scheduled/<id:pk>/", views.edit, name="edit"),
    path("scheduled/<id:pk>/cancel/", views.cancel, name="cancel"),
]
