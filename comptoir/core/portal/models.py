"""Portal-wide settings: one row (SET-3 automation toggles, SET-8 configuration)."""

from django.db import models


class PortalSettings(models.Model):
    company_name = models.CharField(max_length=200, blank=True, default="")
    company_domain = models.CharField(max_length=253, blank=True, default="")
    report_time_zone = models.CharField(max_length=64, default="Europe/Paris")
    currency = models.CharField(max_length=3, default="EUR")
    default_language = models.CharField(max_length=8, default="fr")

    # SET-3 automations, each on by default and each can be switched off.
    auto_associate_companies = models.BooleanField(default=True)
    sync_owner_contact_company = models.BooleanField(default=True)
    sync_company_lifecycle_to_contacts = models.BooleanField(default=True)
    lifecycle_on_deal_created = models.BooleanField(default=True)
    lifecycle_on_deal_won = models.BooleanField(default=True)

    # SET-2: the "About" card of record pages, {object type: [property names]} in order;
    # an object type left out shows the built-in choice (the type's `pages.about`).
    about_properties = models.JSONField(default=dict, blank=True)

    # Issue 19 (security): every user signs in with a code from an authenticator app too.
    require_two_factor = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "portal settings"

    def __str__(self) -> str:
        return self.company_name or "Portal"


AUTOMATIONS = (
    "auto_associate_companies",
    "sync_owner_contact_company",
    "sync_company_lifecycle_to_contacts",
    "lifecycle_on_deal_created",
    "lifecycle_on_deal_won",
)
