from django.urls import path

from comptoir.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("activities/<str:kind>/", views.activity_list, name="activities"),
    path("contacts-called/", views.contacts_called, name="contacts_called"),
]
