from django.db import models
from django.db.models.functions import Lower

from comptoir.core.records.models import CrmRecord


class Company(CrmRecord):
    object_type_name = "companies"

    name = models.TextField(null=True, blank=True)
    domain = models.CharField(max_length=253, null=True, blank=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=models.Q(archived=False), name="uniq_company_domain"
            )
        ]
        indexes = [
            # The few archived records: a search's total is counted over every record (from
            # the filters' indexes alone) less the archived ones (core/search/totals.py).
            models.Index(
                fields=["id"], condition=models.Q(archived=True), name="company_archived_idx"
            ),
            models.Index(Lower("name"), "id", name="company_name_idx"),
            models.Index(fields=["updated_at"], name="company_updated_idx"),
            # Imports find the companies a file names by their exact name, a batch at a time.
            models.Index(fields=["name"], name="company_exact_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.domain or f"Company {self.pk}"
