from django.urls import path

from comptoir.prospects import views

app_name = "prospects"
urlpatterns = [
    path("", views.index, name="index"),
    path("<id:prospect_id>/", views.detail, name="detail"),
    path("<id:prospect_id>/assign/", views.assign, name="assign"),
    path("<id:prospect_id>/company/", views.create_company, name="create_company"),
    path("digest/", views.subscribe, name="subscribe"),
]
