"""Settings > Prospects (TOOL-6), for administrators: the website's domains, the networks
known to be companies', the retention of raw page views, reverse DNS on or off."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from comptoir.prospects import conf
from comptoir.prospects.views import snippet_tag
from comptoir.settings_pages.views import page, settings_admin


@settings_admin
def prospects_settings(request):
    row = conf.stored()
    errors = {}
    values = {
        "allowed_domains": row.allowed_domains,
        "ip_ranges": row.ip_ranges,
        "retention_days": row.retention_days,
        "reverse_dns": row.reverse_dns,
    }
    if request.method == "POST":
        values = {
            "allowed_domains": request.POST.get("allowed_domains", ""),
            "ip_ranges": request.POST.get("ip_ranges", ""),
            "retention_days": request.POST.get("retention_days", ""),
            "reverse_dns": request.POST.get("reverse_dns") == "on",
        }
        saved, errors = conf.save(
            values["allowed_domains"],
            values["ip_ranges"],
            values["retention_days"],
            values["reverse_dns"],
        )
        if saved is not None:
            messages.success(request, _("Prospects settings saved."))
            return redirect("settings:prospects")
    context = {
        "values": values,
        "errors": errors,
        "snippet_tag": snippet_tag(request),
        "prospects_url": reverse("prospects:index"),
    }
    return page(
        request, "prospects", "prospects/settings.html", context, status=422 if errors else 200
    )


urlpatterns = [path("", prospects_settings, name="prospects")]
