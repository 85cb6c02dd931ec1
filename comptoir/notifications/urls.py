from django.urls import path

from comptoir.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<id:pk>/open/", views.open_notification, name="open"),
    path("mentions/", views.mention_suggestions, name="mentions"),
]
