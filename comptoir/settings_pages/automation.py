"""Settings > Automation (SET-3): the portal's automation switches, one line each."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.portal.models import AUTOMATIONS
from comptoir.core.portal.services import portal, update_portal
from comptoir.settings_pages.views import page, settings_admin

# What each switch does, in one line (the seed article's Settings > Contacts/Companies/Deals).
EXPLANATIONS = {
    "auto_associate_companies": (
        _lazy("Associate contacts with companies by email domain"),
        _lazy(
            "A contact whose email domain matches a company's domain is associated with it "
            "(free-mail domains such as gmail.com are ignored)."
        ),
    ),
    "sync_owner_contact_company": (
        _lazy("Sync the record owner between contacts and companies"),
        _lazy(
            "A contact without an owner takes its company's owner, and the other way round; "
            "a company's new owner passes to its contacts."
        ),
    ),
    "sync_company_lifecycle_to_contacts": (
        _lazy("Sync a company's lifecycle stage to its contacts"),
        _lazy("Moving a company to a later lifecycle stage moves its associated contacts too."),
    ),
    "lifecycle_on_deal_created": (
        _lazy("Set the lifecycle stage when a deal is created"),
        _lazy("The deal's contacts and companies become “Opportunity”."),
    ),
    "lifecycle_on_deal_won": (
        _lazy("Set the lifecycle stage when a deal is closed won"),
        _lazy("The deal's contacts and companies become “Customer”."),
    ),
}


@settings_admin
def automation(request):
    if request.method == "POST":
        changes = {name: request.POST.get(name) == "on" for name in AUTOMATIONS}
        update_portal(**changes)
        messages.success(request, _("Automation settings saved."))
        return redirect("settings:automation")
    current = portal()
    toggles = [
        {
            "name": name,
            "title": EXPLANATIONS[name][0],
            "help": EXPLANATIONS[name][1],
            "on": getattr(current, name),
        }
        for name in AUTOMATIONS
    ]
    return page(request, "automation", "settings/automation.html", {"toggles": toggles})
