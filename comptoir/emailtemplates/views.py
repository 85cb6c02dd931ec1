"""Sales tools > Templates (/sales-tools/templates/, TOOL-3): the library with its folders,
the editor with its token inserter, the preview on a contact, and what the record composer
asks for (the picker's list and a template rendered for a record, as JSON)."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.core.associations.services import associated_ids
from comptoir.core.inputs import parse_id
from comptoir.core.permissions import NotAllowed
from comptoir.core.records.values import base_queryset, display_name
from comptoir.core.search.compiler import SearchError, filtered_queryset
from comptoir.core.ui import folders
from comptoir.core.ui.richtext import clean_html
from comptoir.emailtemplates import analytics, services
from comptoir.emailtemplates.access import can_edit, get_visible, visible_templates
from comptoir.emailtemplates.models import TemplateFolder
from comptoir.emailtemplates.rendering import render_template
from comptoir.emailtemplates.tokens import catalogue, label

PAGE_SIZE = 100
PICKER_SIZE = 20
CONTACT_RESULTS = 10
DEAL_CHOICES = 50
NO_FOLDER = "none"
# The editor's help text (the fallback in the reader's language).
EXAMPLE = _lazy('{{ contact.firstname | default:"there" }}')


@require_GET
def template_list(request):
    archived = request.GET.get("archived") == "1"
    query = request.GET.get("q", "").strip()[:200]
    folder_key = request.GET.get("folder", "")
    qs = visible_templates(request.user, archived=archived).select_related("folder", "owner")
    folder = None
    if folder_key == NO_FOLDER:
        qs = qs.filter(folder__isnull=True)
    elif folder_key:
        folder = TemplateFolder.objects.filter(pk=parse_id(folder_key) or 0).first()
        qs = qs.filter(folder=folder) if folder else qs.none()
    if query:
        qs = qs.filter(name__icontains=query)
    templates = list(qs.order_by("name", "pk")[: PAGE_SIZE + 1])
    rows = [{"t": t, "editable": can_edit(request.user, t)} for t in templates[:PAGE_SIZE]]
    return render(
        request,
        "emailtemplates/list.html",
        {
            "rows": rows,
            "more": len(templates) > PAGE_SIZE,
            "folders": TemplateFolder.objects.all(),
            "folder_key": folder_key,
            "folder": folder,
            "query": query,
            "archived": archived,
            "filtered": bool(query or folder_key),
            "folder_errors": [],
        },
    )


@require_POST
def folder_create(request):
    return folders.create(
        request, services.create_folder, services.TemplateError, "emailtemplates:list"
    )


@require_POST
def folder_delete(request, folder_id):
    return folders.delete(
        request,
        TemplateFolder,
        folder_id,
        services.delete_folder,
        "emailtemplates:list",
        _("Folder “%(name)s” deleted; its templates are now outside any folder."),
    )


def _editor(request, template, values, errors, *, status=200):
    owner = template is None or template.owner_id == request.user.pk
    return render(
        request,
        "emailtemplates/edit.html",
        {
            "template": template,
            "values": values,
            "body_html": clean_html(values.get("body", "")),  # shown in the editor
            "errors": errors,
            "folders": TemplateFolder.objects.all(),
            "tokens": catalogue(),
            "can_share": owner,
            "example": EXAMPLE,
        },
        status=status,
    )


def _posted(request) -> dict:
    return {
        "name": request.POST.get("name", ""),
        "subject": request.POST.get("subject", ""),
        "body": request.POST.get("body", ""),
        "folder_id": request.POST.get("folder", ""),
        "shared": request.POST.get("shared") == "on",
    }


@require_http_methods(["GET", "POST"])
def template_create(request):
    if request.method == "GET":
        folder = request.GET.get("folder", "")
        return _editor(request, None, {"folder_id": folder, "shared": False}, {})
    values = _posted(request)
    try:
        template = services.create_template(request.user, **values)
    except services.TemplateError as exc:
        return _editor(request, None, values, exc.errors, status=422)
    messages.success(request, _("Template “%(name)s” created.") % {"name": template.name})
    return redirect("emailtemplates:detail", template.pk)


@require_http_methods(["GET", "POST"])
def template_edit(request, template_id):
    template = get_visible(request.user, template_id)
    if not can_edit(request.user, template):
        messages.error(request, _("You can use this shared template but not change it."))
        return redirect("emailtemplates:detail", template.pk)
    if request.method == "GET":
        values = {
            "name": template.name,
            "subject": template.subject,
            "body": template.body,
            "folder_id": str(template.folder_id or ""),
            "shared": template.shared,
        }
        return _editor(request, template, values, {})
    values = _posted(request)
    try:
        services.update_template(
            request.user,
            template,
            **{
                **values,
                "shared": values["shared"] if template.owner_id == request.user.pk else None,
            },
        )
    except services.TemplateError as exc:
        return _editor(request, template, values, exc.errors, status=422)
    messages.success(request, _("Template “%(name)s” saved.") % {"name": values["name"].strip()})
    return redirect("emailtemplates:detail", template.pk)


def _contact(request, raw):
    """The contact `raw` names, if the user may see it; Http404 otherwise (None if absent)."""
    if raw in (None, ""):
        return None
    contact = base_queryset("contacts", user=request.user).filter(pk=parse_id(raw) or 0).first()
    if contact is None:
        raise Http404("No such contact")
    return contact


def _record(request, type_name, raw):
    if raw in (None, ""):
        return None
    record = base_queryset(type_name, user=request.user).filter(pk=parse_id(raw) or 0).first()
    if record is None:
        raise Http404("No such record")
    return record


@require_GET
def template_detail(request, template_id):
    """The template, previewed on a contact chosen with the picker (empty tokens listed)."""
    template = get_visible(request.user, template_id)
    contact = _contact(request, request.GET.get("contact"))
    deals = _contact_deals(request, contact)
    chosen = parse_id(request.GET.get("deal", ""))
    deal = next((d for d in deals if d.pk == chosen), None)
    rendered = render_template(template, contact=contact, sender=request.user, deal=deal)
    return render(
        request,
        "emailtemplates/detail.html",
        {
            "template": template,
            "editable": can_edit(request.user, template),
            "contact": contact,
            "contact_name": display_name("contacts", contact) if contact else "",
            "deal_choices": [{"pk": d.pk, "name": display_name("deals", d)} for d in deals],
            "deal": deal,
            "rendered": rendered,
            "missing": [label(name) for name in rendered.missing_tokens],
        },
    )


def _contact_deals(request, contact) -> list:
    """The deals of `contact` the user may see, newest first: the preview's deal tokens."""
    if contact is None:
        return []
    ids = associated_ids("contacts", contact.pk, "deals")
    qs = base_queryset("deals", user=request.user).filter(pk__in=ids)
    return list(qs.order_by("-pk")[:DEAL_CHOICES])


@require_GET
def contact_search(request, template_id):
    """The preview's contact picker: contacts matching `q` that the user may see."""
    template = get_visible(request.user, template_id)
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        try:
            qs = filtered_queryset(
                "contacts", query=query, base=base_queryset("contacts", user=request.user)
            )
            results = [
                {"pk": c.pk, "name": display_name("contacts", c), "email": c.email or ""}
                for c in qs.order_by("-pk")[:CONTACT_RESULTS]
            ]
        except SearchError:
            results = []
    return render(
        request,
        "emailtemplates/_contact_results.html",
        {"template": template, "results": results, "query": query},
    )


@require_POST
def template_duplicate(request, template_id):
    template = get_visible(request.user, template_id)
    copy = services.duplicate_template(request.user, template)
    messages.success(request, _("Template duplicated: “%(name)s”.") % {"name": copy.name})
    return redirect("emailtemplates:edit", copy.pk)


@require_POST
def template_archive(request, template_id):
    return _set_archived(request, template_id, True)


@require_POST
def template_restore(request, template_id):
    return _set_archived(request, template_id, False)


def _set_archived(request, template_id, archived: bool):
    template = get_visible(request.user, template_id)
    try:
        services.set_archived(request.user, template, archived)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("emailtemplates:detail", template.pk)
    if archived:
        messages.success(request, _("Template “%(name)s” archived.") % {"name": template.name})
        return redirect("emailtemplates:list")
    messages.success(request, _("Template “%(name)s” restored.") % {"name": template.name})
    return redirect("emailtemplates:detail", template.pk)


@require_GET
def template_analytics(request):
    """Templates > Analyze: sent, opened, clicked, replied per template or per user."""
    days = parse_id(request.GET.get("days", "")) or 30
    days = days if days in analytics.PERIODS else 30
    group = request.GET.get("by", "template")
    group = group if group in analytics.GROUPS else "template"
    rows = analytics.report(request.user, days=days, group=group)
    return render(
        request,
        "emailtemplates/analytics.html",
        {
            "rows": rows,
            "total": analytics.totals(rows),
            "days": days,
            "group": group,
            "periods": analytics.PERIODS,
        },
    )


@require_GET
def picker(request):
    """The record composer's template list (emailtemplates/_composer_picker.html)."""
    query = request.GET.get("q", "").strip()[:200]
    qs = visible_templates(request.user).select_related("folder")
    if query:
        qs = qs.filter(name__icontains=query)
    return render(
        request,
        "emailtemplates/_picker_results.html",
        {"templates": qs.order_by("name", "pk")[:PICKER_SIZE], "query": query},
    )


@require_GET
def template_render(request, template_id):
    """{subject, html, text, missing_tokens, missing_labels} for the composer: the template
    filled in for `contact` (and `company`, `deal`), 404 for any of them the user may not
    see, and for an archived template (out of the composer)."""
    template = get_visible(request.user, template_id, archived=False)
    contact = _contact(request, request.GET.get("contact"))
    company = _record(request, "companies", request.GET.get("company"))
    deal = _record(request, "deals", request.GET.get("deal"))
    rendered = render_template(
        template, contact=contact, sender=request.user, company=company, deal=deal
    )
    return JsonResponse(
        {
            "id": template.pk,
            "name": template.name,
            "subject": rendered.subject,
            "html": rendered.html,
            "text": rendered.text,
            "missing_tokens": rendered.missing_tokens,
            "missing_labels": [label(name) for name in rendered.missing_tokens],
        }
    )
