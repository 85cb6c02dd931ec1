from django.urls import path

from comptoir.core.ui.filters import filters_dialog, quick_filter
from comptoir.core.ui.search import global_search

urlpatterns = [
    path("", global_search, name="global_search"),
    path("filters/<str:object_type>/", filters_dialog, name="filters_dialog"),
    path("filters/<str:object_type>/quick/", quick_filter, name="quick_filter"),
]
