"""Documents (TOOL-4): a library of uploaded files in folders, private to their owner or
shared with the team; share links per document and recipient; the views those links got,
with the time spent on each page."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from comptoir.core.folders import LibraryFolder


class DocumentFolder(LibraryFolder):
    """A folder of the portal's document library (everyone sees the same folders; what is
    in them depends on who looks: private documents stay their owner's)."""


class Document(models.Model):
    name = models.CharField(max_length=200)  # the title shown (the file's name by default)
    file_name = models.CharField(max_length=200)  # the uploaded file's name, cleaned
    stored_name = models.CharField(max_length=500)  # its name in the storage (core/files)
    content_type = models.CharField(max_length=100)  # found from the content, not the name
    size = models.BigIntegerField(default=0)
    is_pdf = models.BooleanField(default=False)
    page_count = models.IntegerField(default=0)  # a PDF's pages; 0 for other files
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    folder = models.ForeignKey(
        DocumentFolder, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["owner", "name"], name="document_owner_idx"),
            models.Index(fields=["shared", "name"], name="document_shared_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ShareLink(models.Model):
    """One document's link for one recipient (a contact, or an email address)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=64, unique=True)  # secrets.token_urlsafe
    contact_id = models.BigIntegerField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True, default="")
    ask_email = models.BooleanField(default=False)
    allow_download = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # the end of the chosen day
    # When its first counted view was confirmed: set once, by a conditional UPDATE, which
    # claims the owner's "first view" notification.
    viewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def open_until(self):
        """The last moment it opens (None: always), shown as its day, the one chosen:
        `expires_at` is the next day's midnight, which would read as the day after."""
        if self.expires_at is None:
            return None
        return self.expires_at - dt.timedelta(microseconds=1)


class ViewSession(models.Model):
    """One opening of a share link; the viewer's beacons add to its time and pages.

    The GET of the link makes the row; it is a person's view, and counts (figures, the
    contact's timeline, the activity feed, the notification), only once `confirmed_at` is
    set: by the first reading beacon of the viewer's pdf.js page, or the download of a file
    that is not a PDF. A mail scanner or a link preview fetching the link runs no script:
    its session stays unconfirmed, kept but counted nowhere."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="views")
    key = models.CharField(max_length=64, unique=True)  # the beacons' secret
    viewer_email = models.CharField(max_length=254, blank=True, default="")
    contact_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    seconds = models.IntegerField(default=0)
    downloaded = models.BooleanField(default=False)
    # Opened by a signed-in Comptoir user (the sender checking their link): kept for the
    # beacons, left out of the figures, the timeline, the feed and the notifications.
    internal = models.BooleanField(default=False)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["document", "started_at"], name="docview_doc_idx")]


def counted(prefix: str = "") -> models.Q:
    """The views that count: a person's (not the sender's), confirmed as read. `prefix`
    reaches them through a relation ("views__", "session__")."""
    return models.Q(**{f"{prefix}internal": False, f"{prefix}confirmed_at__isnull": False})


class PageTime(models.Model):
    session = models.ForeignKey(ViewSession, on_delete=models.CASCADE, related_name="pages")
    page = models.IntegerField()
    seconds = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "page"], name="docpage_unique")]
