"""Settings > Notifications (SET-7): each user chooses, per kind, in the app and by email."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from comptoir.notifications import services
from comptoir.notifications.kinds import KINDS
from comptoir.settings_pages.views import page


def preferences(request):
    if request.method == "POST":
        posted = request.POST
        chosen = {
            kind: (posted.get(f"{kind}:in_app") == "on", posted.get(f"{kind}:email") == "on")
            for kind in KINDS
        }
        services.set_preferences(request.user, chosen)
        messages.success(request, _("Notification preferences saved."))
        return redirect("settings:notifications")
    current = services.preferences(request.user)
    rows = [
        {"kind": kind, "in_app": current[key][0], "email": current[key][1]}
        for key, kind in KINDS.items()
    ]
    return page(request, "notifications", "notifications/settings.html", {"rows": rows})


urlpatterns = [path("", preferences, name="notifications")]
