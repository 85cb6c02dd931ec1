from django.db import models
from django.db.models.functions import Lower

from comptoir.core.records.models import CrmRecord


class Contact(CrmRecord):
    object_type_name = "contacts"

    email = models.CharField(max_length=254, null=True, blank=True)
    firstname = models.TextField(null=True, blank=True)
    lastname = models.TextField(null=True, blank=True)
    lifecyclestage = models.CharField(max_length=64, null=True, blank=True)
    # Derived from email; indexed so a new company finds its contacts by domain.
    hs_email_domain = models.CharField(max_length=253, null=True, blank=True)

    class Meta:
        constraints = [
            # Emails are stored lower-cased, so this is case-insensitive uniqueness.
            models.UniqueConstraint(
                fields=["email"], condition=models.Q(archived=False), name="uniq_contact_email"
            )
        ]
        indexes = [
            # The few archived records: a search's total is counted over every record (from
            # the filters' indexes alone) less the archived ones (core/search/totals.py).
            models.Index(
                fields=["id"], condition=models.Q(archived=True), name="contact_archived_idx"
            ),
            models.Index(Lower("lastname"), "id", name="contact_lastname_idx"),
            models.Index(Lower("firstname"), "id", name="contact_firstname_idx"),
            # (stage, archived) covers "contacts per lifecycle stage" without a table scan.
            models.Index(fields=["lifecyclestage", "archived"], name="contact_lifecycle_idx"),
            models.Index(fields=["hs_email_domain"], name="contact_email_domain_idx"),
            models.Index(fields=["updated_at"], name="contact_updated_idx"),
            # Live contacts by creation date: "create date after X" counted from the index
            # alone (PostgreSQL index-only: 310 -> 5 ms for 43,000 of 100,000; issue 16).
            models.Index(
                fields=["created_at"],
                condition=models.Q(archived=False),
                name="contact_live_created_idx",
            ),
            # Live contacts by lifecycle stage then id: the list sorted by stage descending
            # walks it backwards (SQLite: the (stage, archived) index orders ids within
            # (stage, archived), so it sorted each stage's ids: 376 ms at 1M; issue 16).
            models.Index(
                fields=["lifecyclestage", "id"],
                condition=models.Q(archived=False),
                name="contact_lifecycle_live_idx",
            ),
            # A rep's contacts at a stage ("my customers"), newest first, the list's default
            # order: counted from the index and read in order (SQLite looked up every
            # contact of the stage to check its owner: 360 ms at 1M; issue 16).
            models.Index(
                fields=["hubspot_owner_id", "lifecyclestage", "created_at"],
                condition=models.Q(archived=False),
                name="contact_owner_stage_live_idx",
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.firstname or ''} {self.lastname or ''}".strip()
        return name or self.email or f"Contact {self.pk}"
