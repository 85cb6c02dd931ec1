from django.urls import path

from comptoir.activities import views
from comptoir.core.ui.urls import object_urls

# The tasks page replaces the generic index; the other generic routes stay.
urlpatterns = [
    path("", views.tasks_page, name="list"),
    path("add/", views.task_add, name="add"),
    path("<id:pk>/edit/", views.task_edit, name="edit"),
    path("<id:pk>/complete/", views.task_complete, name="complete"),
    path("associations/search/", views.association_search, name="association_search"),
    *[p for p in object_urls("tasks") if p.name != "list"],
]
