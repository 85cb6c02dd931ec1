"""The public side of share links (/d/<token>/, TOOL-4): the viewer, the optional email
question, the file (only through a view that checks the link and the view's key, never a
storage URL) and the reading beacons. No sign-in; a token that is not one of ours, a
deleted or an expired link all answer the same 404 page.

Opening the link makes a view session, which counts only once the viewer's page sends its
first reading beacon (or a file that is not a PDF is downloaded through it): a mail
scanner or a link preview fetching the link is no view (services.confirm_view)."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.core.files import stored
from comptoir.core.properties.coercion import normalize_email
from comptoir.core.properties.errors import PropertyError
from comptoir.documents import checks, services
from comptoir.documents.models import ViewSession
from comptoir.documents.views import _file_response

log = logging.getLogger(__name__)
EMAIL_KEY = "document-link-email-%s"


def _private(response):
    response["Cache-Control"] = "no-store, max-age=0"
    # The token never leaves in a Referer to another site; "no-referrer" would also make the
    # browser send `Origin: null` with the email form, which CSRF checks then refuse.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _missing(request):
    return _private(render(request, "documents/public_missing.html", status=404))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def viewer(request, token):
    link = services.open_link(token)
    if link is None:
        return _missing(request)
    email = request.session.get(EMAIL_KEY % link.pk, "") if link.ask_email else ""
    if link.ask_email and request.method == "POST":
        raw = request.POST.get("email", "").strip()[:254]
        try:
            email = normalize_email(raw, "email") if raw else ""
        except PropertyError:
            email = ""
        if not email:
            return _private(
                render(
                    request,
                    "documents/public_gate.html",
                    {
                        "link": link,
                        "value": raw,
                        "error": _("Enter a valid email address to see the document."),
                    },
                    status=422,
                )
            )
        request.session[EMAIL_KEY % link.pk] = email
        return redirect("documents_public:view", token)
    if link.ask_email and not email:
        return _private(render(request, "documents/public_gate.html", {"link": link}))
    session = services.start_view(
        link,
        email=email,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        internal=request.user.is_authenticated,  # the sender checking the link: not a view
    )
    document = link.document
    hint, hint_hosts = services.website_hint(link, session)
    return _private(
        render(
            request,
            "documents/public_viewer.html",
            {
                "link": link,
                "document": document,
                "session": session,
                "hint": hint,
                "hint_hosts": " ".join(hint_hosts),
                "size": checks.human_size(document.size),
                "can_download": link.allow_download or not document.is_pdf,
                "flush_seconds": settings.COMPTOIR_DOCUMENTS_BEACON_SECONDS,
            },
        )
    )


def _session(request, link) -> ViewSession | None:
    key = request.GET.get("s", "")
    if not isinstance(key, str) or not key:
        return None
    return ViewSession.objects.filter(key=key[:64], link=link).first()


def _open(link):
    try:
        return stored.open_file(link.document.stored_name)
    except FileNotFoundError:
        log.warning("Document %s: its stored file is missing.", link.document_id)
        raise Http404("No such file") from None


@login_not_required
@require_GET
def pdf_file(request, token):
    """The PDF for the viewer's pdf.js: the link must open and the key be one of its views."""
    link = services.open_link(token)
    if link is None or not link.document.is_pdf or _session(request, link) is None:
        return _missing(request)
    return _private(_file_response(_open(link), link.document, attachment=False))


@login_not_required
@require_GET
def download(request, token):
    """The file as an attachment, when the link allows it (always for a file that is not a
    PDF: downloading is how it is seen); the view records it."""
    link = services.open_link(token)
    if link is None:
        return _missing(request)
    session = _session(request, link)
    if session is None or not (link.allow_download or not link.document.is_pdf):
        return _missing(request)
    response = _file_response(_open(link), link.document, attachment=True)
    services.mark_downloaded(link, session)
    return _private(response)


@login_not_required
@csrf_exempt  # sendBeacon carries no token; the view's secret key is the credential
@require_POST
def beacon(request, token):
    link = services.open_link(token)
    if link is None:
        return _private(JsonResponse({"error": "not found"}, status=404))
    try:
        services.record_beacon(
            link,
            request.POST.get("s", ""),
            request.POST.getlist("page"),
            request.POST.getlist("seconds"),
        )
    except services.BeaconRefused as exc:
        if exc.field == "session":
            return _private(JsonResponse({"error": str(exc), "field": exc.field}, status=404))
        return _private(JsonResponse({"error": str(exc), "field": exc.field}, status=400))
    return _private(HttpResponse(status=204))
