"""The second step of signing in for users with two-factor sign-in (comptoir/users/
two_factor.py): after the password, a code from their authenticator app or a recovery code.

Between the two steps the session holds only who passed the password and when; the user is
signed in (Django's login(), which also renews the session key) once the code is right.
Wrong codes count against the same throttle as wrong passwords."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.users import throttle, two_factor

PENDING = "two_factor_pending"
PENDING_SECONDS = 300
TOO_MANY = 429


def begin(request, user, next_url: str):
    """The password was right: remember it for a few minutes and ask for the code."""
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "next": next_url,
        "at": time.time(),
    }
    return redirect("login_code")


def _pending(request):
    data = request.session.get(PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    return (user, data) if user is not None else (None, None)


@login_not_required
@never_cache
@csrf_protect
def login_code(request):
    user, data = _pending(request)
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    error, status = "", 200
    if request.method == "POST":
        address = throttle.client_address(request)
        checks = ((throttle.SIGNIN_ACCOUNT, user.email), (throttle.SIGNIN_ADDRESS, address))
        seconds = throttle.longest_wait(*checks)
        code = str(request.POST.get("code", ""))[:40]
        if seconds:
            n = throttle.minutes(seconds)
            error = ngettext(
                "Too many failed sign-in attempts. Try again in %(n)s minute.",
                "Too many failed sign-in attempts. Try again in %(n)s minutes.",
                n,
            ) % {"n": n}
            status = TOO_MANY
        elif two_factor.verify(user, code):
            del request.session[PENDING]
            auth_login(request, user, backend=data["backend"])
            throttle.clear(throttle.SIGNIN_ACCOUNT, user.email)
            target = data.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "/"
            response = redirect(target)
            if user.language:
                response.set_cookie(
                    "django_language", user.language, max_age=365 * 86400, samesite="Lax"
                )
            return response
        else:
            for rule, value in checks:
                throttle.hit(rule, value)
            audit.record(AuditAction.SIGN_IN_FAILED, user.email, ip=address, step="two-factor code")
            error = _("That code is not right, or was already used. Try the newest one.")
            status = 422 if code else 400
    return render(
        request,
        "registration/login_code.html",
        {"error": error, "email": user.email},
        status=status,
    )
