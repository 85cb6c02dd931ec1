"""Routes of Settings > API tokens."""

from django.urls import path

from comptoir.settings_pages import tokens as views

urlpatterns = [
    path("", views.tokens, name="api_tokens"),
    path("<id:pk>/revoke/", views.revoke, name="api_token_revoke"),
]
