"""Prospects (TOOL-6): the website's page views and the companies they come from.

- `PageView`: one row per page view the snippet sent (`/p/collect`), written in bulk by the
  request and read once by the worker (`attribution.attribute`), then purged after the
  retention period set in Settings > Prospects. Nothing else keeps a copy of the URL.
- `Visitor`: what the worker knows of one browser (its consented id) or, without consent,
  of an address and user agent (hashed): the contact it was identified as, its company's
  domain, when it was last seen (a new visit after 30 minutes).
- `ReverseDns`: the worker's cache of reverse DNS answers (never asked in a request).
- `Prospect`: a visiting company, by its registrable domain: the company record it matches
  (when there is one), its owner until there is one, first and last visit, totals;
  `ProspectDay` the visits and page views of each day (the report time zone), what the
  Prospects page sums over a period.
- `DigestSubscription`: a user who gets the daily digest at 8:00 in their time zone.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProspectSettings(models.Model):
    """The portal's prospects settings (one row, pk 1)."""

    SINGLETON = 1

    # The company's website domains, one a line: the snippet is accepted from these (and
    # their subdomains) only, and tracked email links to them carry the visitor hint.
    allowed_domains = models.TextField(blank=True, default="")
    # "CIDR domain" a line: visitors from these networks are that company's.
    ip_ranges = models.TextField(blank=True, default="")
    retention_days = models.PositiveIntegerField(default=90)
    reverse_dns = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "prospects settings"


class PageView(models.Model):
    occurred_at = models.DateTimeField()
    visitor = models.CharField(max_length=32, blank=True, default="")
    url = models.CharField(max_length=2048)
    referrer = models.CharField(max_length=2048, blank=True, default="")
    title = models.CharField(max_length=300, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    # Who the visitor is, as the request said it: a tracked email's id or a shared
    # document's recipient contact (their signed hints checked in the request), or the
    # address given to identify().
    email_id = models.BigIntegerField(null=True, blank=True)
    contact_id = models.BigIntegerField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True, default="")
    processed = models.BooleanField(default=False)
    # The visiting company's domain, written by the worker (the pages a company read).
    domain = models.CharField(max_length=253, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["domain", "occurred_at"], name="prospects_pv_domain"),
            models.Index(
                fields=["id"], name="prospects_pv_pending", condition=models.Q(processed=False)
            ),
            models.Index(fields=["occurred_at"], name="prospects_pv_occurred"),
        ]


class Visitor(models.Model):
    key = models.CharField(max_length=64, unique=True)
    contact_id = models.BigIntegerField(null=True, blank=True)
    domain = models.CharField(max_length=253, blank=True, default="")
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["domain"], name="prospects_visitor_domain")]


class ReverseDns(models.Model):
    ip = models.GenericIPAddressField(unique=True)
    host = models.CharField(max_length=253, blank=True, default="")
    domain = models.CharField(max_length=253, blank=True, default="")
    # "" found (or nothing there: NXDOMAIN), else why not: timeout, error.
    error = models.CharField(max_length=32, blank=True, default="")
    looked_up_at = models.DateTimeField()


class Prospect(models.Model):
    domain = models.CharField(max_length=253, unique=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    visits = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-last_seen_at"], name="prospects_last_seen")]

    def __str__(self):
        return self.domain


class ProspectDay(models.Model):
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    visits = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prospect", "day"], name="prospects_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="prospects_day_day")]


class DigestSubscription(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prospect_digest"
    )
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    # The local day of the last digest sent (claimed by a conditional UPDATE).
    last_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
