"""Sign-in, sign-out, password reset (Django's views, our templates) and language."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from comptoir.core.i18n import LANGUAGES
from comptoir.users import sign_in_code, throttle, two_factor
from comptoir.users.invitations import invitation_tokens
from comptoir.users.models import User

TOO_MANY = 429


class SignInForm(AuthenticationForm):
    """Django's sign-in form, throttled per account and per client address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _lazy("That email and password do not match. Try again."),
    }

    def clean_username(self):
        """Emails are stored in lower case: "Rep@Example.com" is the same account."""
        return throttle.normalised_email(self.cleaned_data.get("username"))

    def clean(self):
        email = throttle.normalised_email(self.cleaned_data.get("username"))
        address = throttle.client_address(self.request)
        seconds = throttle.longest_wait(
            (throttle.SIGNIN_ACCOUNT, email), (throttle.SIGNIN_ADDRESS, address)
        )
        if seconds:
            n = throttle.minutes(seconds)
            message = ngettext(
                "Too many failed sign-in attempts. Try again in %(n)s minute.",
                "Too many failed sign-in attempts. Try again in %(n)s minutes.",
                n,
            )
            raise ValidationError(message, code="throttled", params={"n": n})
        try:
            cleaned = super().clean()
        except ValidationError:
            if email and self.cleaned_data.get("password"):
                throttle.hit(throttle.SIGNIN_ACCOUNT, email)
                throttle.hit(throttle.SIGNIN_ADDRESS, address)
            raise
        if self.user_cache is not None:
            throttle.clear(throttle.SIGNIN_ACCOUNT, email)
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.is_enabled(user):
            return sign_in_code.begin(self.request, user, self.get_success_url())
        response = super().form_valid(form)
        language = user.language
        if language:
            response.set_cookie("django_language", language, max_age=365 * 86400, samesite="Lax")
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = TOO_MANY
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Reset links by email, at most so many per account (the email typed, whether an
    account uses it or not: the answer tells nothing) and per client address."""

    template_name = "registration/reset_form.html"
    email_template_name = "registration/reset_email.txt"
    subject_template_name = "registration/reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = throttle.normalised_email(form.cleaned_data["email"])
        address = throttle.client_address(self.request)
        checks = ((throttle.RESET_ACCOUNT, email), (throttle.RESET_ADDRESS, address))
        seconds = throttle.longest_wait(*checks)
        if seconds:
            n = throttle.minutes(seconds)
            form.add_error(
                None,
                ngettext(
                    "Too many password-reset requests. Try again in %(n)s minute.",
                    "Too many password-reset requests. Try again in %(n)s minutes.",
                    n,
                )
                % {"n": n},
            )
            response = self.form_invalid(form)
            response.status_code = TOO_MANY
            return response
        for rule, value in checks:
            throttle.hit(rule, value)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/reset_complete.html"


@require_POST
def set_language_pref(request):
    """Switch the interface language and remember it on the user."""
    language = request.POST.get("language", "")
    if language not in LANGUAGES:
        language = "en"
    User.objects.filter(pk=request.user.pk).update(language=language)
    translation.activate(language)
    target = request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie("django_language", language, max_age=365 * 86400, samesite="Lax")
    return response


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The link of an invitation email: the new user chooses a password and is signed in."""

    template_name = "registration/invite_accept.html"
    post_reset_login = True
    success_url = "/"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.token_generator = invitation_tokens

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None
