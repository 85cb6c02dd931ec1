"""Sign-in, sign-out, password reset (Django's views, our templates) and language."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from comptoir.users.models import User


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if language:
            response.set_cookie("django_language", language, max_age=365 * 86400, samesite="Lax")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/reset_form.html"
    email_template_name = "registration/reset_email.txt"
    subject_template_name = "registration/reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


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
    if language not in ("en", "fr"):
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
        from comptoir.users.team import invitation_tokens

        super().__init__(**kwargs)
        self.token_generator = invitation_tokens

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None
