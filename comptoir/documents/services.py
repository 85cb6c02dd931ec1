"""Writing documents, folders, share links and views (TOOL-4): every change goes through
here, checked first (each refused value named), then saved in one transaction. Files go
through the storage API (comptoir/core/files), never straight to a disk."""

import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core import folders
from comptoir.core.files import stored
from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.inputs import parse_day, parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import NotAllowed
from comptoir.core.portal.services import portal
from comptoir.core.properties.coercion import normalize_email
from comptoir.core.properties.errors import PropertyError
from comptoir.core.records.values import base_queryset
from comptoir.core.timeline import events as timeline_events
from comptoir.documents import checks
from comptoir.documents.access import can_edit
from comptoir.documents.models import (
    Document,
    DocumentFolder,
    PageTime,
    ShareLink,
    ViewSession,
)
from comptoir.mail import tracking
from comptoir.notifications import services as notices

MAX_NAME = 200
MAX_BEACON_SECONDS = 120  # one beacon's time: they come every 10 s, a late one allowed
GRACE_SECONDS = 5  # clocks and network: a beacon may count a little more than elapsed
MAX_PAGES_PER_BEACON = 50


class DocumentError(ValueError):
    """Refused input: {field: [messages]}; nothing was saved."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def max_bytes() -> int:
    return settings.COMPTOIR_DOCUMENTS_MAX_MB * 1024 * 1024


_text = folders.form_text


def _folder(errors, folder_id):
    if folder_id in (None, ""):
        return None
    pk = parse_id(str(folder_id))
    folder = DocumentFolder.objects.filter(pk=pk).first() if pk is not None else None
    if folder is None:
        errors["folder"] = [_("This folder does not exist any more.")]
    return folder


# -- documents ------------------------------------------------------------------------------


def upload_document(user, upload, *, name="", folder_id=None, shared=False) -> Document:
    """Check `upload` by its content, store it, and write its row; nothing is kept if any
    of it fails."""
    errors: dict[str, list[str]] = {}
    checked = None
    file_name = ""
    if upload is None:
        errors["file"] = [_("Choose a file to upload.")]
    else:
        file_name = checks.clean_name(upload.name)
        try:
            checked = checks.check(upload, max_bytes())
        except checks.FileRefused as exc:
            errors["file"] = [str(exc)]
    title = _text(errors, "name", name, MAX_NAME) or file_name[:MAX_NAME]
    folder = _folder(errors, folder_id)
    if errors:
        raise DocumentError(errors)
    storage_name = ""
    try:
        with transaction.atomic():
            storage_name = stored.save(checks.storage_name(file_name), upload)
            now = timezone.now()
            return Document.objects.create(
                name=title,
                file_name=file_name,
                stored_name=storage_name,
                content_type=checked.content_type,
                size=upload.size,
                is_pdf=checked.is_pdf,
                page_count=checked.page_count,
                owner=user,
                folder=folder,
                shared=bool(shared),
                created_at=now,
                updated_at=now,
            )
    except Exception:
        if storage_name:  # a storage outside the database keeps what the rollback cannot
            stored.delete(storage_name)
        raise


def update_document(user, document, *, name, folder_id=None, shared=None) -> Document:
    _require_edit(user, document)
    errors: dict[str, list[str]] = {}
    title = _text(errors, "name", name, MAX_NAME, required_message=_("Give the document a name."))
    folder = _folder(errors, folder_id)
    if shared is not None and bool(shared) != document.shared and document.owner_id != user.pk:
        errors["shared"] = [_("Only the owner of a document can share it or make it private.")]
    if errors:
        raise DocumentError(errors)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        locked.name, locked.folder = title, folder
        if shared is not None:
            locked.shared = bool(shared)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["name", "folder", "shared", "updated_at"])
    return locked


def delete_document(user, document) -> None:
    """The document, its links and their views; its file after the commit."""
    _require_edit(user, document)
    name = document.stored_name
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).delete()
        transaction.on_commit(lambda: stored.delete(name), robust=True)


def _require_edit(user, document) -> None:
    if not can_edit(user, document):
        raise NotAllowed(_("Only the owner of this document can change it."))


def create_folder(user, name) -> DocumentFolder:
    return folders.create_folder(DocumentFolder, user, name, DocumentError)


def delete_folder(user, folder) -> None:
    """Its creator or an administrator; its documents stay, outside any folder."""
    folders.delete_folder(user, folder, Document)


# -- share links ----------------------------------------------------------------------------


def _end_of_day(day: dt.date) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(portal().report_time_zone)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def create_link(
    user,
    document,
    *,
    contact_id=None,
    email="",
    ask_email=False,
    allow_download=True,
    expires_on="",
) -> ShareLink:
    """A new link to `document` (which `user` sees) for a contact `user` sees or an email
    address; `expires_on`: the last day it opens (YYYY-MM-DD), empty for never."""
    errors: dict[str, list[str]] = {}
    contact = None
    if contact_id not in (None, ""):
        pk = parse_id(str(contact_id))
        contact = base_queryset("contacts", user=user).filter(pk=pk or 0).first()
        if contact is None:
            errors["contact"] = [_("This contact does not exist or you cannot see it.")]
    address = (email or "").strip()
    if address:
        try:
            address = normalize_email(address, "email")
        except PropertyError:
            errors["email"] = [_("Enter a valid email address.")]
    elif contact is not None:
        address = contact.email or ""
    expires_at = None
    if expires_on:
        day = parse_day(str(expires_on))
        if day is None:
            errors["expires_on"] = [_("Enter a date as YYYY-MM-DD.")]
        else:
            expires_at = _end_of_day(day)
            if expires_at <= timezone.now():
                errors["expires_on"] = [_("Choose a day from today on.")]
    if errors:
        raise DocumentError(errors)
    return ShareLink.objects.create(
        document=document,
        token=secrets.token_urlsafe(24),
        contact_id=contact.pk if contact is not None else None,
        email=address,
        ask_email=bool(ask_email),
        allow_download=bool(allow_download),
        expires_at=expires_at,
        created_by=user,
    )


def link_for_contact(user, document, contact_id) -> ShareLink:
    """The composer's link: the newest open link of this document for this contact made by
    `user`, or a new one."""
    pk = parse_id(str(contact_id or ""))
    if pk is not None:
        existing = (
            ShareLink.objects.filter(document=document, contact_id=pk, created_by=user)
            .filter(expires_at__isnull=True)
            .order_by("-pk")
            .first()
        )
        if existing is not None:
            return existing
    return create_link(user, document, contact_id=contact_id)


def delete_link(user, link) -> None:
    if link.created_by_id != user.pk and not can_edit(user, link.document):
        raise NotAllowed(_("Only who made this link or the document's owner can delete it."))
    link.delete()


def open_link(token: str) -> ShareLink | None:
    """The link of `token` if it opens now (never an expired one)."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    link = ShareLink.objects.select_related("document").filter(token=token).first()
    if link is None or link.expired():
        return None
    return link


# -- views and beacons ----------------------------------------------------------------------


def viewer_contact_id(link: ShareLink, email: str) -> int | None:
    if link.contact_id is not None:
        if base_queryset("contacts").filter(pk=link.contact_id).exists():
            return link.contact_id
        return None
    if not email:
        return None
    return base_queryset("contacts").filter(email=email).values_list("pk", flat=True).first()


def start_view(
    link: ShareLink, *, email: str = "", user_agent: str = "", internal: bool = False
) -> ViewSession:
    """A new opening of `link`: its row only. It counts (figures, the contact's timeline,
    the feed, the owner's notification) once `confirm_view` sees the viewer read it; an
    `internal` view (a signed-in user's) never does."""
    email = email or link.email
    now = timezone.now()
    return ViewSession.objects.create(
        link=link,
        document=link.document,
        key=secrets.token_urlsafe(24),
        viewer_email=email[:254],
        contact_id=None if internal else viewer_contact_id(link, email),
        started_at=now,
        last_seen_at=now,
        user_agent=(user_agent or "")[:300],
        internal=internal,
    )


def confirm_view(link: ShareLink, session: ViewSession) -> bool:
    """The view is a person's (their browser's first reading beacon, or the download of a
    file that is not a PDF): counted from now on, its contact's timeline event written and,
    on the link's first counted view, the document's owner told. Each a conditional UPDATE:
    whatever beacons arrive together, a view is counted, and a link notified, exactly once.
    Whether this call did it."""
    if session.internal or session.confirmed_at is not None:
        return False
    now = timezone.now()
    document = link.document
    with transaction.atomic():
        claimed = ViewSession.objects.filter(
            pk=session.pk, internal=False, confirmed_at__isnull=True
        ).update(confirmed_at=now)
        if not claimed:
            return False
        session.confirmed_at = now
        if session.contact_id is not None:
            timeline_events.document_viewed(
                get_object_type("contacts"),
                session.contact_id,
                session.started_at,
                ChangeSource(SourceType.SALES, f"document-view:{session.pk}"),
                name=document.name,
                who=session.viewer_email,
                document_id=document.pk,
            )
        first = ShareLink.objects.filter(pk=link.pk, viewed_at__isnull=True).update(viewed_at=now)
        if first:
            notices.document_viewed(
                document.owner_id, document.pk, document.name, who=session.viewer_email
            )
    return True


def website_hint(link: ShareLink, session: ViewSession) -> tuple[str, tuple[str, ...]]:
    """(the signed hint, the website's domains) the viewer adds to the PDF's links to the
    company's website (TOOL-6: the visitor is then known as the link's contact); ("", ())
    when there is none to give: no website set, the sender's own view, no contact, or a
    contact found only from an address the viewer typed (unverified: never trusted to
    name a person)."""
    if session.internal or session.contact_id is None:
        return "", ()
    if link.contact_id is None and link.ask_email:
        return "", ()
    domains = tracking.hint_domains()
    if not domains:
        return "", ()
    return tracking.contact_hint(session.contact_id), domains


class BeaconRefused(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def _int(field: str, raw, low: int, high: int) -> int:
    value = parse_id(str(raw)) if raw not in (None, "") else None
    if raw in ("0", 0) and low == 0:
        value = 0
    if value is None or not low <= value <= high:
        raise BeaconRefused(
            field,
            _("Expected a whole number from %(low)d to %(high)d.")
            % {
                "low": low,
                "high": high,
            },
        )
    return value


def record_beacon(link: ShareLink, key: str, pages, seconds) -> ViewSession:
    """Add the time a viewer spent on pages: `pages` and `seconds` are parallel lists as
    posted. Refused (BeaconRefused, nothing written) for another link's session, a page the
    document does not have, or more time than has passed since the last beacon. The first
    accepted beacon of a view confirms it (`confirm_view`), in the same transaction."""
    if len(pages) != len(seconds) or len(pages) > MAX_PAGES_PER_BEACON:
        raise BeaconRefused("page", _("Send one time per page."))
    document = link.document
    if pages and not document.is_pdf:
        raise BeaconRefused("page", _("This document has no pages."))
    pairs: dict[int, int] = {}
    for raw_page, raw_seconds in zip(pages, seconds, strict=True):
        page = _int("page", raw_page, 1, max(document.page_count, 1))
        pairs[page] = pairs.get(page, 0) + _int("seconds", raw_seconds, 0, MAX_BEACON_SECONDS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Ten seconds of reading are worth less than the wait for the WAL's flush: on a
            # crash the last beacons may be lost, never half-written (as the email pixel).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        session = (
            ViewSession.objects.select_for_update()
            .filter(key=str(key or "")[:64], link=link)
            .first()
        )
        if session is None:
            raise BeaconRefused("session", _("This view is unknown."))
        now = timezone.now()
        elapsed = (now - session.last_seen_at).total_seconds() + GRACE_SECONDS
        total = sum(pairs.values())
        if total > min(elapsed, MAX_BEACON_SECONDS):
            raise BeaconRefused("seconds", _("More time than has passed."))
        for page, spent in pairs.items():
            if not spent:
                continue
            updated = PageTime.objects.filter(session=session, page=page).update(
                seconds=F("seconds") + spent
            )
            if not updated:
                PageTime.objects.create(session=session, page=page, seconds=spent)
        ViewSession.objects.filter(pk=session.pk).update(
            last_seen_at=now, seconds=F("seconds") + total
        )
        # The first beacon: the viewer's browser drew the pages and someone reads them.
        confirm_view(link, session)
    return session


def mark_downloaded(link: ShareLink, session: ViewSession | None) -> None:
    """The file was downloaded through the view; for a file that is not a PDF (no pages to
    read: downloading is how it is seen) the download confirms the view."""
    if session is None:
        return
    with transaction.atomic():
        ViewSession.objects.filter(pk=session.pk).update(downloaded=True)
        if not link.document.is_pdf:
            confirm_view(link, session)
