"""The user's own profile (SET-11): names, job title, phone, language, time zone, meeting
link, email signature and photo.

Every refusal is a UserError naming the form field it belongs to, worded for the user;
nothing is changed when one is raised."""

import functools
import secrets
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.i18n import LANGUAGES
from comptoir.core.properties import registry
from comptoir.users.models import Owner, User
from comptoir.users.services import UserError

PHOTO_MAX_BYTES = 2 * 1024 * 1024


# The first bytes of the image formats a browser shows; anything else is refused.
PHOTO_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


PHOTO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def update_profile(user: User, **fields) -> User:
    allowed = {
        "first_name",
        "last_name",
        "job_title",
        "phone",
        "language",
        "email_signature",
        "bio",
        "company",
        "education",
        "twitter_username",
        "time_zone",
        "meeting_link",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown profile field(s): {', '.join(sorted(unknown))}")
    if fields.get("language") not in (None, "", *LANGUAGES):
        raise UserError(_("Choose English or French."), "language")
    if fields.get("time_zone") and fields["time_zone"] not in time_zones():
        raise UserError(_("Choose a time zone from the list."), "time_zone")
    if fields.get("meeting_link"):
        fields["meeting_link"] = clean_meeting_link(fields["meeting_link"])
    # A signature and a bio keep their line breaks and indentation; the other fields are
    # trimmed; a Twitter username is kept without its "@".
    values = {
        k: (v or "") if k in ("email_signature", "bio") else (v or "").strip()
        for k, v in fields.items()
    }
    if "twitter_username" in values:
        values["twitter_username"] = values["twitter_username"].lstrip("@")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**values)
        names = {k: values[k] for k in ("first_name", "last_name") if k in values}
        if names:
            Owner.objects.filter(user=user).update(**names, updated_at=timezone.now())
            registry.invalidate()
    user.refresh_from_db()
    return user


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zones a user may choose (the profile, the Prospects digest), sorted;
    read once per process: listing them walks the time zone database's files."""
    names = zoneinfo.available_timezones()
    return tuple(sorted(z for z in names if ("/" in z and z[0].isupper()) or z == "UTC"))


def clean_meeting_link(value: str) -> str:
    """An http(s) address of at most 500 characters, else a UserError on the field."""
    link = (value or "").strip()
    parts = urlsplit(link)
    if (
        len(link) > 500
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() or ord(c) < 32 for c in link)
    ):
        raise UserError(
            _("Enter a web address starting with https:// (your booking page)."),
            "meeting_link",
        )
    return link


def photo_kind(head: bytes) -> str | None:
    for signature, kind in PHOTO_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def set_photo(user: User, upload) -> User:
    """Store a profile photo (PNG, JPEG, GIF or WebP, at most 2 MB) in the storage."""
    if upload.size > PHOTO_MAX_BYTES:
        raise UserError(_("The photo must be 2 MB or smaller."), "photo")
    head = upload.read(16)
    kind = photo_kind(head)
    if kind is None:
        raise UserError(_("Upload a PNG, JPEG, GIF or WebP image."), "photo")
    data = head + upload.read()
    old = user.photo.name if user.photo else ""
    user.photo.save(f"{user.pk}-{secrets.token_hex(6)}.{kind}", ContentFile(data), save=False)
    User.objects.filter(pk=user.pk).update(photo=user.photo.name)
    if old:
        user.photo.storage.delete(old)
    return user


def remove_photo(user: User) -> None:
    if user.photo:
        user.photo.storage.delete(user.photo.name)
    User.objects.filter(pk=user.pk).update(photo="")
    user.photo = ""


def photo_type(name: str) -> str:
    return PHOTO_TYPES.get(Path(name).suffix.lstrip("."), "application/octet-stream")
