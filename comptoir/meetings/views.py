"""Sales tools > Meetings (TOOL-7): the user's booking links (create, edit, deactivate,
copy), their upcoming bookings and their calendar connection (CalDAV).

A user sees and changes their own links only: another user's link answers 404, exactly as
a missing one."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.meetings import calendars, forms
from comptoir.meetings.invitations import absolute
from comptoir.meetings.models import WEEKDAYS, Booking, CalendarConnection, MeetingLink
from comptoir.users.profile import update_profile


def _own_link(request, link_id: int) -> MeetingLink:
    link = MeetingLink.objects.filter(pk=link_id, user=request.user).first()
    if link is None:
        raise Http404
    return link


def index(request):
    return _page(request)


def _page(request, calendar_values=None, calendar_errors=None, status=200):
    calendar = calendars.connection_of(request.user)
    links = list(MeetingLink.objects.filter(user=request.user).order_by("-active", "title"))
    # Team links of others that book this user too (theirs to change, not this user's).
    member_of = list(
        MeetingLink.objects.filter(members=request.user, active=True, user__is_active=True)
        .exclude(user=request.user)
        .select_related("user")
        .order_by("title")
    )
    for link in [*links, *member_of]:
        link.public_url = absolute(f"/meet/{link.slug}/")
    upcoming = (
        Booking.objects.filter(host=request.user, status=Booking.CONFIRMED, end__gte=timezone.now())
        .select_related("link")
        .order_by("start")[:20]
    )
    return render(
        request,
        "meetings/index.html",
        {
            "links": links,
            "member_of": member_of,
            "upcoming": upcoming,
            "calendar": calendar,
            "calendar_values": calendar_values
            or {"url": getattr(calendar, "url", ""), "username": getattr(calendar, "username", "")},
            "calendar_errors": calendar_errors or {},
        },
        status=status,
    )


def _hours_fields(values: dict, errors: dict) -> list:
    return [
        {
            "day": day,
            "label": forms.WEEKDAY_LABELS[day],
            "name": f"hours_{day}",
            "value": values.get(f"hours_{day}", ""),
            "errors": errors.get(f"hours_{day}", []),
        }
        for day in WEEKDAYS
    ]


def _edit(request, link: MeetingLink | None):
    if request.method == "POST":
        values, errors = forms.clean_link(request.POST, link, owner=request.user)
        if not errors:
            members = values.pop("members")
            with transaction.atomic():
                if link is None:
                    link = MeetingLink.objects.create(user=request.user, **values)
                    messages.success(request, _("Booking link created."))
                else:
                    for name, value in values.items():
                        setattr(link, name, value)
                    link.save()
                    messages.success(request, _("Booking link saved."))
                link.members.set(members)
            return redirect("meetings:index")
        shown = {k: str(request.POST.get(k, ""))[:5000] for k in forms.link_values(None)}
        shown["members"] = [str(v)[:20] for v in request.POST.getlist("members")][:100]
        status = 400
    else:
        shown, errors, status = forms.link_values(link), {}, 200
        if link is None:  # a team link of a new link has its maker ticked first
            shown["members"] = [str(request.user.pk)]
    return render(
        request,
        "meetings/edit.html",
        {
            "link": link,
            "values": shown,
            "errors": errors,
            "hours": _hours_fields(shown, errors),
            "durations": forms.DURATIONS,
            "time_zones": forms.time_zones(),
            "people": forms.team_choices(),
        },
        status=status,
    )


def link_create(request):
    return _edit(request, None)


def link_edit(request, link_id: int):
    return _edit(request, _own_link(request, link_id))


@require_POST
def link_active(request, link_id: int):
    link = _own_link(request, link_id)
    link.active = request.POST.get("active") == "1"
    link.save(update_fields=["active"])
    if link.active:
        messages.success(request, _("The link takes bookings again."))
    else:
        messages.success(request, _("The link is deactivated: visitors can no longer book."))
    return redirect("meetings:index")


@require_POST
def link_profile(request, link_id: int):
    """Make this link the meeting link of the user's profile (SET-11), the one templates
    insert with {{ sender.meetinglink }}."""
    link = _own_link(request, link_id)
    if not link.active:
        raise Http404
    update_profile(request.user, meeting_link=absolute(f"/meet/{link.slug}/"))
    messages.success(
        request, _("“%(title)s” is now the meeting link of your profile.") % {"title": link.title}
    )
    return redirect("meetings:index")


@require_POST
def calendar_connect(request):
    current = calendars.connection_of(request.user)
    url = str(request.POST.get("url", "")).strip()[:500]
    username = str(request.POST.get("username", "")).strip()[:200]
    password = str(request.POST.get("password", ""))[:500]
    errors = {}
    try:
        calendars.check_url(url)
    except calendars.CalendarFailure as failure:
        errors["url"] = [str(failure)]
    if not password and current is None and username:
        errors["password"] = [_("Enter the password of this account.")]
    if errors:
        return _page(request, {"url": url, "username": username}, errors, status=400)
    conn = current or CalendarConnection(user=request.user)
    conn.url, conn.username = url, username
    if password or current is None:
        conn.password = password
    conn.save()
    problem = calendars.check_connection(conn)
    if problem:
        messages.warning(request, problem)
    else:
        messages.success(request, _("Calendar connected: its busy times leave your links."))
    return redirect("meetings:index")


@require_POST
def calendar_disconnect(request):
    CalendarConnection.objects.filter(user=request.user).delete()
    messages.success(request, _("Calendar disconnected."))
    return redirect("meetings:index")
