"""Saved views of index pages (UI-1): filters, sort and columns under a name."""

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    object_type = models.CharField(max_length=32)
    name = models.CharField(max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    shared = models.BooleanField(default=False)
    filter_groups = models.JSONField(default=list, blank=True)
    query = models.CharField(max_length=200, blank=True, default="")
    sort = models.CharField(max_length=120, blank=True, default="")
    columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "owner", "name"], name="uniq_saved_view_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ViewPreference(models.Model):
    """A user's columns for a built-in view ("All", "My records"...)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="view_preferences"
    )
    object_type = models.CharField(max_length=32)
    view_key = models.CharField(max_length=32)
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "object_type", "view_key"], name="uniq_view_preference"
            )
        ]
