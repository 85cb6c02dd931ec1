"""Settings > Users & teams (SET-5): users (invite, resend, role and teams, deactivate with a
hand-over, reactivate), teams and roles. Admins only; everyone else gets 404."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import crm_names
from comptoir.core.records.values import base_queryset
from comptoir.settings_pages import team_forms as forms
from comptoir.settings_pages.views import htmx_redirect, page, settings_admin
from comptoir.users import deactivation, invitations, teams_and_roles, two_factor
from comptoir.users.models import Owner, Role, Team, User
from comptoir.users.services import UserError

KEY = "team"
# Past this many records and open tasks, a hand-over runs in the worker, not the request.
HAND_OVER_INLINE = 300


def _tabs(current: str) -> list[dict]:
    return [
        {"key": key, "label": label, "url": reverse(name), "current": key == current}
        for key, label, name in (
            ("users", _("Users"), "settings:team"),
            ("teams", _("Teams"), "settings:team_teams"),
            ("roles", _("Roles"), "settings:team_roles"),
        )
    ]


def _owned_counts() -> dict:
    """{user id: {object type: count}} for the list, one grouped query per object type.

    Counted on the owner index alone, so records in the recycle bin are included: filtering
    them out reads every row (7.8 s instead of 0.2 s at a million contacts). The
    deactivation page counts exactly what would be handed over (holdings())."""
    owners = dict(Owner.objects.filter(user__isnull=False).values_list("pk", "user_id"))
    counts: dict = {}
    for name in crm_names():
        rows = (
            base_queryset(name, archived=None)
            .filter(hubspot_owner_id__in=list(owners))
            .values("hubspot_owner_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts.setdefault(owners[row["hubspot_owner_id"]], {})[name] = row["n"]
    return counts


def _holding_words(held: dict) -> list[str]:
    from django.utils.translation import ngettext

    parts = []
    for name, count in held.items():
        if not count:
            continue
        if name == "contacts":
            parts.append(ngettext("%(n)d contact", "%(n)d contacts", count) % {"n": count})
        elif name == "companies":
            parts.append(ngettext("%(n)d company", "%(n)d companies", count) % {"n": count})
        elif name == "deals":
            parts.append(ngettext("%(n)d deal", "%(n)d deals", count) % {"n": count})
        elif name == "tasks":
            parts.append(ngettext("%(n)d open task", "%(n)d open tasks", count) % {"n": count})
    return parts


def _users_page(request):
    users = (
        User.objects.select_related("role")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-is_active", "first_name", "last_name", "email")
    )
    counts = _owned_counts()
    rows = [
        {
            "user": user,
            "state": invitations.user_state(user),
            "owns": _holding_words(counts.get(user.pk, {})),
            "is_me": user.pk == request.user.pk,
        }
        for user in users
    ]
    return page(request, KEY, "settings/team/users.html", {"tabs": _tabs("users"), "rows": rows})


@settings_admin
def users(request):
    return _users_page(request)


def _invite_form(request, form, status=200):
    """The invitation form: a dialog over the users list (htmx), else a page of its own."""
    if request.htmx:
        return render(request, "settings/team/_invite_dialog.html", {"form": form}, status=status)
    return page(
        request,
        KEY,
        "settings/team/invite.html",
        {"tabs": _tabs("users"), "form": form},
        status=status,
    )


@settings_admin
def invite(request):
    if request.method != "POST":
        return _invite_form(request, forms.InviteForm())
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = invitations.invite_user(
                data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                team=data["team"].name if data["team"] else None,
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except UserError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return htmx_redirect(request, reverse("settings:team"))
    return _invite_form(request, form, status=422)


@settings_admin
@require_POST
def resend(request, pk):
    user = get_object_or_404(User, pk=pk)
    try:
        invitations.send_invitation(
            user, invited_by=request.user, base_url=request.build_absolute_uri("/")
        )
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": user.email})
    return redirect("settings:team")


@settings_admin
def edit_user(request, pk):
    user = get_object_or_404(User.objects.select_related("role"), pk=pk)
    status = 200
    if request.method == "POST":
        form = forms.UserForm(request.POST)
        if form.is_valid():
            try:
                teams_and_roles.change_user(
                    user, role=form.cleaned_data["role"], teams=list(form.cleaned_data["teams"])
                )
            except UserError as exc:
                forms.apply_error(form, exc)
            else:
                messages.success(request, _("%(name)s was updated.") % {"name": user})
                return redirect("settings:team")
        status = 422
    else:
        teams = list(user.teams.order_by("-teammembership__primary", "name"))
        form = forms.UserForm(initial={"role": user.role, "teams": teams})
    return page(
        request,
        KEY,
        "settings/team/user_edit.html",
        {
            "tabs": _tabs("users"),
            "member": user,
            "state": invitations.user_state(user),
            "form": form,
            "two_factor_on": two_factor.is_enabled(user),
        },
        status=status,
    )


@settings_admin
@require_POST
def reset_two_factor(request, pk):
    """A lost phone: the user signs in with their password alone, then sets it up again
    (at once when the portal requires it)."""
    user = get_object_or_404(User, pk=pk)
    if two_factor.reset(user):
        messages.success(request, _("Two-factor sign-in of %(name)s was reset.") % {"name": user})
    return redirect("settings:team_user", pk=user.pk)


@settings_admin
def deactivate(request, pk):
    user = get_object_or_404(User, pk=pk, is_active=True)
    if user.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate yourself: ask another admin."))
        return redirect("settings:team")
    held = deactivation.holdings(user)
    status = 200
    if request.method == "POST":
        form = forms.DeactivateForm(request.POST, leaving=user)
        if form.is_valid():
            heir = form.cleaned_data["transfer_to"]
            later = heir is not None and sum(held.values()) > HAND_OVER_INLINE
            try:
                moved = deactivation.deactivate(
                    user,
                    transfer_to=heir,
                    source=ChangeSource.for_user(request.user),
                    later=later,
                )
            except UserError as exc:
                forms.apply_error(form, exc)
            else:
                words = _holding_words(moved)
                if later:
                    messages.success(
                        request,
                        _(
                            "%(name)s was deactivated; %(held)s are being handed over to "
                            "%(heir)s in the background: their counts in this list go down "
                            "as it runs."
                        )
                        % {"name": user, "held": ", ".join(_holding_words(held)), "heir": heir},
                    )
                elif words:
                    messages.success(
                        request,
                        _("%(name)s was deactivated; %(moved)s handed over to %(heir)s.")
                        % {
                            "name": user,
                            "moved": ", ".join(words),
                            "heir": form.cleaned_data["transfer_to"],
                        },
                    )
                else:
                    messages.success(request, _("%(name)s was deactivated.") % {"name": user})
                return redirect("settings:team")
        status = 422
    else:
        form = forms.DeactivateForm(leaving=user)
    return page(
        request,
        KEY,
        "settings/team/deactivate.html",
        {
            "tabs": _tabs("users"),
            "member": user,
            "form": form,
            "holdings": _holding_words(held),
            "holds_anything": any(held.values()),
        },
        status=status,
    )


@settings_admin
@require_POST
def reactivate(request, pk):
    user = get_object_or_404(User, pk=pk, is_active=False)
    deactivation.reactivate(user)
    messages.success(request, _("%(name)s was reactivated.") % {"name": user})
    return redirect("settings:team")


# -- teams ------------------------------------------------------------------------------------


@settings_admin
def teams(request):
    rows = Team.objects.annotate(size=Count("members")).order_by("name")
    listed = [{"team": team, "members": list(team.members.filter(is_active=True))} for team in rows]
    return page(request, KEY, "settings/team/teams.html", {"tabs": _tabs("teams"), "rows": listed})


@settings_admin
def edit_team(request, pk=None):
    team = get_object_or_404(Team, pk=pk) if pk else None
    status = 200
    if request.method == "POST":
        form = forms.TeamForm(request.POST)
        if form.is_valid():
            try:
                saved = teams_and_roles.save_team(
                    team, form.cleaned_data["name"], list(form.cleaned_data["members"])
                )
            except UserError as exc:
                forms.apply_error(form, exc)
            else:
                messages.success(request, _("Team “%(name)s” saved.") % {"name": saved.name})
                return redirect("settings:team_teams")
        status = 422
    else:
        initial = {"name": team.name, "members": list(team.members.all())} if team else {}
        form = forms.TeamForm(initial=initial)
    return page(
        request,
        KEY,
        "settings/team/team_edit.html",
        {"tabs": _tabs("teams"), "team": team, "form": form},
        status=status,
    )


@settings_admin
@require_POST
def delete_team(request, pk):
    team = get_object_or_404(Team, pk=pk)
    teams_and_roles.delete_team(team)
    messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
    return redirect("settings:team_teams")


# -- roles ------------------------------------------------------------------------------------


@settings_admin
def roles(request):
    rows = [
        {
            "role": role,
            "scopes": forms.scope_summary(role),
            "rights": forms.right_summary(role),
        }
        for role in sorted(Role.objects.annotate(size=Count("users")), key=forms.role_order)
    ]
    return page(request, KEY, "settings/team/roles.html", {"tabs": _tabs("roles"), "rows": rows})


@settings_admin
def edit_role(request, pk=None):
    role = get_object_or_404(Role, pk=pk) if pk else None
    status = 200
    if request.method == "POST" and not (role and role.builtin):
        form = forms.RoleForm(request.POST)
        if form.is_valid():
            try:
                saved = teams_and_roles.save_role(
                    role, form.cleaned_data["name"], form.scopes(), form.rights()
                )
            except UserError as exc:
                forms.apply_error(form, exc)
            else:
                messages.success(request, _("Role “%(name)s” saved.") % {"name": saved.name})
                return redirect("settings:team_roles")
        status = 422
    else:
        form = forms.RoleForm.for_role(role) if role else forms.RoleForm()
    return page(
        request,
        KEY,
        "settings/team/role_edit.html",
        {
            "tabs": _tabs("roles"),
            "role": role,
            "form": form,
            "read_only": bool(role and role.builtin),
        },
        status=status,
    )


@settings_admin
@require_POST
def delete_role(request, pk):
    role = get_object_or_404(Role, pk=pk)
    try:
        teams_and_roles.delete_role(role)
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Role “%(name)s” deleted.") % {"name": role.name})
    return redirect("settings:team_roles")
