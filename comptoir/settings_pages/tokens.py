"""Settings > API tokens (SET-8, API-2): private-app tokens with HubSpot scopes. The raw token
is shown once, in the answer to its creation; only its hash is kept. Admins also see and
may revoke everyone's tokens."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.objects.registry import crm_types
from comptoir.core.permissions import has_right
from comptoir.core.scopes import all_scopes
from comptoir.settings_pages.views import page, require_right
from comptoir.users.models import ApiToken
from comptoir.users.services import UserError, create_token, revoke_token

KEY = "api-tokens"


def _groups() -> list:
    """The CRM records, each with its scopes (the contacts' hold the activities'), then the
    others."""
    return [
        *((ot.name, ot.scope_label or ot.permission_label) for ot in crm_types()),
        ("other", _lazy("Other")),
    ]


def _group(scope: str) -> str:
    for ot in crm_types():
        if f".{ot.name}." in scope:
            return ot.name
    return "other"


class TokenForm(forms.Form):
    name = forms.CharField(label=_lazy("Token name"), max_length=150)
    scopes = forms.MultipleChoiceField(
        label=_lazy("Scopes"),
        choices=lambda: [(scope, scope) for scope in all_scopes()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _lazy("Choose at least one scope.")},
    )

    def groups(self):
        """The scope checkboxes grouped by object, as HubSpot shows them."""
        boxes = list(self["scopes"])
        return [
            {"label": label, "boxes": [b for b in boxes if _group(b.data["value"]) == key]}
            for key, label in _groups()
        ]


def _may_revoke(user, token) -> bool:
    return token.user_id == user.pk or has_right(user, "can_manage_settings")


def _tokens_page(request, form=None, created=None, status=200):
    admin = has_right(request.user, "can_manage_settings")
    live = ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")
    return page(
        request,
        KEY,
        "settings/tokens.html",
        {
            "mine": live.filter(user=request.user).order_by("-created_at"),
            "others": live.exclude(user=request.user).order_by("user__email", "-created_at")
            if admin
            else None,
            "form": form or TokenForm(),
            "form_open": form is not None,
            "created": created,
        },
        status=status,
    )


@require_right("can_use_api")
def tokens(request):
    if request.method != "POST":
        return _tokens_page(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = create_token(
                request.user, form.cleaned_data["name"], form.cleaned_data["scopes"]
            )
        except UserError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # Rendered, not redirected: the raw token exists only in this answer.
            return _tokens_page(request, created={"token": token, "raw": raw})
    return _tokens_page(request, form, status=422)


@require_right("can_use_api")
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, revoked_at__isnull=True)
    if not _may_revoke(request.user, token):
        raise Http404
    if request.method == "POST":
        revoke_token(token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("settings:api_tokens")
    return page(request, KEY, "settings/token_revoke.html", {"token": token})
