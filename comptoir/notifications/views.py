"""The bell, the /notifications/ page, opening one (marks it read) and the teammates
offered when typing @ in a note."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from comptoir.core.ui.pager import paginator_pager
from comptoir.notifications import services
from comptoir.notifications.models import Notification
from comptoir.users.models import User

PER_PAGE = 25
MENTION_LIMIT = 8


@require_GET
def bell(request):
    """The bell's panel (htmx): the latest notifications."""
    return _panel(request)


def _panel(request):
    return render(
        request,
        "notifications/_bell_panel.html",
        {"items": services.recent(request.user), "unread": services.unread_count(request.user)},
    )


@require_GET
def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user, in_app=True)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "pager": paginator_pager(request, page),
            "unread": services.unread_count(request.user),
        },
    )


@require_GET
def open_notification(request, pk):
    """Mark read, then go to the record (a record the user may not see answers 404 there)."""
    notification = services.mark_read(request.user, pk)
    if notification is None:
        raise Http404
    return redirect(notification.url)


@require_POST
def mark_all_read(request):
    services.mark_all_read(request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("notifications:list")
    if request.htmx:
        return _panel(request)
    return redirect(target)


@require_GET
def mention_suggestions(request):
    """Active teammates whose name or email starts with what was typed after @."""
    typed = request.GET.get("q", "").strip()[:60]
    users = User.objects.filter(is_active=True).exclude(pk=request.user.pk)
    for word in typed.split():
        users = users.filter(
            Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
            | Q(email__istartswith=word)
        )
    users = list(users.order_by("first_name", "last_name", "email")[:MENTION_LIMIT])
    return render(request, "notifications/_mentions.html", {"users": users, "typed": typed})
