"""Email templates (TOOL-3): a library of reusable emails with personalization tokens,
in folders, private to their owner or shared with everyone."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from comptoir.core.folders import LibraryFolder


class TemplateFolder(LibraryFolder):
    """A folder of the portal's template library (everyone sees the same folders; what is in
    them depends on who looks: private templates stay their owner's)."""


class EmailTemplate(models.Model):
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=500, blank=True, default="")
    # HTML cleaned by nh3 (core/ui/richtext.py) when saved, tokens written as typed.
    body = models.TextField(blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_templates"
    )
    folder = models.ForeignKey(
        TemplateFolder, null=True, blank=True, on_delete=models.SET_NULL, related_name="templates"
    )
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by_id = models.BigIntegerField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["owner", "archived"], name="emailtpl_owner_idx"),
            models.Index(fields=["shared", "archived"], name="emailtpl_shared_idx"),
        ]

    def __str__(self) -> str:
        return self.name
