"""Settings > Profile > Two-factor sign-in: set up an authenticator app (QR code, then a
first code), see the recovery codes once, turn it off with a code. The logic lives in
comptoir/users/two_factor.py."""

import segno
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.settings_pages.views import page
from comptoir.users import two_factor

KEY = "profile"


def _qr_svg(uri: str) -> str:
    # segno writes the SVG itself from our own otpauth address: nothing a user typed.
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, omitsize=False)
    return mark_safe(svg)


def _setup_page(request, device, error: str = "", status: int = 200):
    uri = two_factor.provisioning_uri(device)
    secret = device.secret
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return page(
        request,
        KEY,
        "settings/two_factor.html",
        {
            "mode": "setup",
            "qr": _qr_svg(uri),
            "secret": grouped,
            "error": error,
            "required": two_factor.is_required(),
        },
        status=status,
    )


def two_factor_page(request):
    user = request.user
    if two_factor.is_enabled(user):
        return page(
            request,
            KEY,
            "settings/two_factor.html",
            {
                "mode": "enabled",
                "codes_left": two_factor.recovery_codes_left(user),
                "required": two_factor.is_required(),
            },
        )
    device = two_factor.device_of(user)
    if device is None:
        device = two_factor.start_setup(user)
    if request.method != "POST":
        return _setup_page(request, device)
    codes = two_factor.confirm_setup(user, str(request.POST.get("code", ""))[:40])
    if codes is None:
        return _setup_page(
            request,
            device,
            _("That code is not right. Type the 6 digits your app shows now."),
            status=422,
        )
    return page(request, KEY, "settings/two_factor.html", {"mode": "codes", "codes": codes})


@require_POST
def turn_off(request):
    if two_factor.is_required():
        messages.error(request, _("Your administrator requires two-factor sign-in."))
        return redirect("settings:two_factor")
    if two_factor.disable(request.user, str(request.POST.get("code", ""))[:40]):
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("settings:profile")
    return page(
        request,
        KEY,
        "settings/two_factor.html",
        {
            "mode": "enabled",
            "codes_left": two_factor.recovery_codes_left(request.user),
            "error": _("That code is not right, or was already used. Try the newest one."),
        },
        status=422,
    )
