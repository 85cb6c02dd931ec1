"""Who sees and changes which document (TOOL-4).

A private document is its owner's alone; a shared one the whole team sees and may send
(share links). Changing (renaming, moving, deleting) a document is its owner's, or an
administrator's for a shared one. A document the user cannot see answers exactly as a
missing one (404)."""

from django.db.models import Q
from django.http import Http404

from comptoir.core.permissions import has_right
from comptoir.documents.models import Document


def visible_documents(user):
    return Document.objects.filter(Q(owner=user) | Q(shared=True))


def get_visible(user, document_id) -> Document:
    """The document, or Http404 when it does not exist or `user` may not see it."""
    document = (
        visible_documents(user).select_related("folder", "owner").filter(pk=document_id).first()
    )
    if document is None:
        raise Http404("No such document")
    return document


def can_edit(user, document: Document) -> bool:
    if document.owner_id == user.pk:
        return True
    return document.shared and has_right(user, "can_manage_settings")
