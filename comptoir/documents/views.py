"""Sales tools > Documents (/sales-tools/documents/, TOOL-4): the library with its folders
and upload form, a document's page (its share links and figures), and what the record
composer asks for (the picker's list and a link made for the record's contact)."""

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.core.files import stored
from comptoir.core.inputs import parse_id
from comptoir.core.permissions import NotAllowed
from comptoir.core.records.values import base_queryset, display_name
from comptoir.core.ui import folders
from comptoir.documents import analytics, checks, services
from comptoir.documents.access import can_edit, get_visible, visible_documents
from comptoir.documents.models import DocumentFolder, ShareLink, counted

PAGE_SIZE = 100
PICKER_SIZE = 20
NO_FOLDER = "none"
ENVELOPE = 1024 * 1024  # a multipart body's fields and boundaries around the file


def _library(request, *, errors=None, values=None, status=200):
    query = request.GET.get("q", "").strip()[:200]
    folder_key = request.GET.get("folder", "")
    qs = visible_documents(request.user).select_related("folder", "owner")
    folder = None
    if folder_key == NO_FOLDER:
        qs = qs.filter(folder__isnull=True)
    elif folder_key:
        folder = DocumentFolder.objects.filter(pk=parse_id(folder_key) or 0).first()
        qs = qs.filter(folder=folder) if folder else qs.none()
    if query:
        qs = qs.filter(name__icontains=query)
    qs = qs.annotate(view_count=Count("views", filter=counted("views__")))
    documents = list(qs.order_by("name", "pk")[: PAGE_SIZE + 1])
    rows = [
        {"d": d, "size": checks.human_size(d.size), "editable": can_edit(request.user, d)}
        for d in documents[:PAGE_SIZE]
    ]
    return render(
        request,
        "documents/list.html",
        {
            "rows": rows,
            "more": len(documents) > PAGE_SIZE,
            "folders": DocumentFolder.objects.all(),
            "folder_key": folder_key,
            "folder": folder,
            "query": query,
            "filtered": bool(query or folder_key),
            "errors": errors or {},
            "values": values or {"folder_id": str(folder.pk) if folder else ""},
            "max_bytes": services.max_bytes(),
            "max_size": checks.human_size(services.max_bytes()),
        },
        status=status,
    )


@require_GET
def document_list(request):
    return _library(request)


@require_POST
def document_upload(request):
    # Refused from its announced length, before Django reads (and spools) the body.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > services.max_bytes() + ENVELOPE:
        message = _("This file weighs more than %(limit)s, the limit.") % {
            "limit": checks.human_size(services.max_bytes())
        }
        return _library(request, errors={"file": [message]}, status=413)
    values = {
        "name": request.POST.get("name", ""),
        "folder_id": request.POST.get("folder", ""),
        "shared": request.POST.get("shared") == "on",
    }
    try:
        document = services.upload_document(request.user, request.FILES.get("file"), **values)
    except services.DocumentError as exc:
        return _library(request, errors=exc.errors, values=values, status=422)
    messages.success(request, _("Document “%(name)s” uploaded.") % {"name": document.name})
    return redirect("documents:detail", document.pk)


@require_POST
def folder_create(request):
    return folders.create(request, services.create_folder, services.DocumentError, "documents:list")


@require_POST
def folder_delete(request, folder_id):
    return folders.delete(
        request,
        DocumentFolder,
        folder_id,
        services.delete_folder,
        "documents:list",
        _("Folder “%(name)s” deleted; its documents are now outside any folder."),
    )


def _links(request, document):
    links = list(ShareLink.objects.filter(document=document).order_by("-created_at", "-pk")[:100])
    contact_ids = {link.contact_id for link in links if link.contact_id}
    names = {
        c.pk: display_name("contacts", c)
        for c in base_queryset("contacts", user=request.user)
        .filter(pk__in=contact_ids)
        .only("pk", "firstname", "lastname", "email")
    }
    return [
        {
            "link": link,
            "url": request.build_absolute_uri(reverse("documents_public:view", args=[link.token])),
            "contact": names.get(link.contact_id, ""),
        }
        for link in links
    ]


def _detail(request, document, *, errors=None, values=None, status=200):
    figures = analytics.figures(document)
    counts = dict(
        ShareLink.objects.filter(document=document)
        .annotate(n=Count("views", filter=counted("views__")))
        .values_list("pk", "n")
    )
    links = _links(request, document)
    for row in links:
        row["views"] = counts.get(row["link"].pk, 0)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "size": checks.human_size(document.size),
            "editable": can_edit(request.user, document),
            "links": links,
            "figures": figures,
            "average": analytics.duration(figures.average_seconds),
            "pages": [{**p, "time": analytics.duration(p["seconds"])} for p in figures.pages],
            "recent": [{"v": v, "time": analytics.duration(v.seconds)} for v in figures.recent],
            "folders": DocumentFolder.objects.all(),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@require_GET
def document_detail(request, document_id):
    return _detail(request, get_visible(request.user, document_id))


@require_POST
def document_edit(request, document_id):
    document = get_visible(request.user, document_id)
    values = {
        "name": request.POST.get("name", ""),
        "folder_id": request.POST.get("folder", ""),
        "shared": request.POST.get("shared") == "on"
        if document.owner_id == request.user.pk
        else None,
    }
    try:
        services.update_document(request.user, document, **values)
    except services.DocumentError as exc:
        return _detail(request, document, errors=exc.errors, values=values, status=422)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("documents:detail", document.pk)
    messages.success(request, _("Document saved."))
    return redirect("documents:detail", document.pk)


@require_POST
def document_delete(request, document_id):
    document = get_visible(request.user, document_id)
    try:
        services.delete_document(request.user, document)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("documents:detail", document.pk)
    messages.success(request, _("Document “%(name)s” deleted.") % {"name": document.name})
    return redirect("documents:list")


@require_GET
def document_file(request, document_id):
    """The file itself, for the team (the public viewer has its own, checking the link)."""
    document = get_visible(request.user, document_id)
    try:
        handle = stored.open_file(document.stored_name)
    except FileNotFoundError:
        raise Http404("No such file") from None
    return _file_response(handle, document, attachment=request.GET.get("inline") != "1")


def _file_response(handle, document, *, attachment: bool):
    inline = document.is_pdf and not attachment
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=document.file_name,
        content_type="application/pdf" if document.is_pdf else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["POST"])
def link_create(request, document_id):
    document = get_visible(request.user, document_id)
    values = {
        "contact_id": request.POST.get("contact", ""),
        "email": request.POST.get("email", ""),
        "ask_email": request.POST.get("ask_email") == "on",
        "allow_download": request.POST.get("allow_download") == "on",
        "expires_on": request.POST.get("expires_on", ""),
    }
    try:
        services.create_link(request.user, document, **values)
    except services.DocumentError as exc:
        return _detail(request, document, errors=exc.errors, values=values, status=422)
    messages.success(request, _("Share link created: copy it into your email."))
    return redirect(reverse("documents:detail", args=[document.pk]) + "#links")


@require_POST
def link_delete(request, document_id, link_id):
    document = get_visible(request.user, document_id)
    link = get_object_or_404(ShareLink, pk=link_id, document=document)
    try:
        services.delete_link(request.user, link)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("documents:detail", document.pk)
    messages.success(request, _("Share link deleted: it no longer opens."))
    return redirect(reverse("documents:detail", args=[document.pk]) + "#links")


@require_GET
def picker(request):
    """The record composer's document list (documents/_composer_picker.html)."""
    query = (request.GET.get("document_q") or request.GET.get("q", "")).strip()[:200]
    qs = visible_documents(request.user).select_related("folder")
    if query:
        qs = qs.filter(name__icontains=query)
    return render(
        request,
        "documents/_picker_results.html",
        {"documents": qs.order_by("name", "pk")[:PICKER_SIZE], "query": query},
    )


@require_POST
def composer_link(request, document_id):
    """{url, name}: a share link of the document for the composer's contact (404 for a
    document or contact the user may not see)."""
    document = get_visible(request.user, document_id)
    contact = request.POST.get("contact", "")
    if (
        contact
        and not base_queryset("contacts", user=request.user)
        .filter(pk=parse_id(contact) or 0)
        .exists()
    ):
        raise Http404("No such contact")
    email = request.POST.get("email", "").strip()
    try:
        if contact or not email:
            link = services.link_for_contact(request.user, document, contact or None)
        else:
            link = services.create_link(request.user, document, email=email)
    except services.DocumentError as exc:
        return JsonResponse({"errors": exc.errors}, status=422)
    url = request.build_absolute_uri(reverse("documents_public:view", args=[link.token]))
    return JsonResponse({"url": url, "name": document.name})
