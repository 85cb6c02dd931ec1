"""Settings > Profile (SET-11): every user's own name, photo, job title, phone, language,
time zone, meeting link, email signature and password. Photos are served to signed-in
users only, never as public files."""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from comptoir.core.i18n import LANGUAGES
from comptoir.core.portal.services import portal
from comptoir.settings_pages.views import page
from comptoir.users import profile as user_profile
from comptoir.users import two_factor
from comptoir.users.models import User
from comptoir.users.services import UserError

KEY = "profile"
LANGUAGE_COOKIE_AGE = 365 * 86400


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_lazy("Last name"), max_length=150, required=False)
    job_title = forms.CharField(label=_lazy("Job title"), max_length=150, required=False)
    phone = forms.CharField(label=_lazy("Phone number"), max_length=50, required=False)
    language = forms.ChoiceField(
        label=_lazy("Language"), choices=[("en", "English"), ("fr", "Français")]
    )
    email_signature = forms.CharField(
        label=_lazy("Email signature"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    bio = forms.CharField(
        label=_lazy("Bio"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    company = forms.CharField(label=_lazy("Company"), max_length=150, required=False)
    education = forms.CharField(label=_lazy("Education"), max_length=250, required=False)
    twitter_username = forms.RegexField(
        label=_lazy("Twitter username"),
        regex=r"^@?[A-Za-z0-9_]{1,15}$",
        max_length=16,
        required=False,
        error_messages={"invalid": _lazy("Letters, digits and _ only, 15 at most.")},
    )
    time_zone = forms.ChoiceField(
        label=_lazy("Time zone"),
        required=False,
        help_text=_lazy(
            "Sequence emails to contacts whose time zone is unknown go in your working hours."
        ),
    )
    meeting_link = forms.CharField(
        label=_lazy("Meeting link"),
        max_length=500,
        required=False,
        help_text=_lazy(
            "The page where contacts book a meeting with you (Sales tools > Meetings); "
            "templates insert it with {{ sender.meetinglink }}."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account = portal().report_time_zone
        self.fields["time_zone"].choices = [
            ("", _("The account's (%(zone)s)") % {"zone": account}),
            *((zone, zone.replace("_", " ")) for zone in user_profile.time_zones()),
        ]


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_lazy("Photo"),
        help_text=_lazy("PNG, JPEG, GIF or WebP, 2 MB at most."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )


def _password_form(user, data=None):
    form = PasswordChangeForm(user, data)
    # Django focuses the old password: on this page it would scroll past the profile.
    form.fields["old_password"].widget.attrs.pop("autofocus", None)
    return form


def _page(request, profile=None, photo=None, password=None, status=200):
    user = request.user
    current = user.language or translation.get_language() or "en"
    return page(
        request,
        KEY,
        "settings/profile.html",
        {
            "profile_form": profile
            or ProfileForm(
                initial={
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "job_title": user.job_title,
                    "phone": user.phone,
                    "language": current[:2] if current[:2] in LANGUAGES else "en",
                    "email_signature": user.email_signature,
                    "bio": user.bio,
                    "company": user.company,
                    "education": user.education,
                    "twitter_username": user.twitter_username,
                    "time_zone": user.time_zone,
                    "meeting_link": user.meeting_link,
                }
            ),
            "photo_form": photo or PhotoForm(),
            "password_form": password or _password_form(user),
            "two_factor_on": two_factor.is_enabled(user),
        },
        status=status,
    )


def profile(request):
    if request.method != "POST":
        return _page(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user = user_profile.update_profile(request.user, **form.cleaned_data)
        except UserError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your profile was saved."))
            response = redirect("settings:profile")
            response.set_cookie(
                "django_language", user.language, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax"
            )
            return response
    return _page(request, profile=form, status=422)


@require_POST
def photo(request):
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            user_profile.set_photo(request.user, form.cleaned_data["photo"])
        except UserError as exc:
            form.add_error("photo", exc.message)
        else:
            messages.success(request, _("Your photo was saved."))
            return redirect("settings:profile")
    return _page(request, photo=form, status=422)


@require_POST
def remove_photo(request):
    user_profile.remove_photo(request.user)
    messages.success(request, _("Your photo was removed."))
    return redirect("settings:profile")


def photo_file(request, pk):
    """A user's photo, for signed-in users (the session is checked by the login middleware)."""
    user = get_object_or_404(User, pk=pk)
    if not user.photo:
        raise Http404
    try:
        handle = user.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=user_profile.photo_type(user.photo.name))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def password(request):
    form = _password_form(request.user, request.POST)
    if form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)  # stay signed in on this device
        messages.success(request, _("Your password was changed."))
        return redirect("settings:profile")
    return _page(request, password=form, status=422)
