from django.db import models
from django.db.models.functions import Lower

from comptoir.core.records.models import CrmRecord


class Deal(CrmRecord):
    object_type_name = "deals"

    dealname = models.TextField(null=True, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    pipeline = models.CharField(max_length=64, null=True, blank=True)
    dealstage = models.CharField(max_length=64, null=True, blank=True)
    closedate = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The few archived records: a search's total is counted over every record (from
            # the filters' indexes alone) less the archived ones (core/search/totals.py).
            models.Index(
                fields=["id"], condition=models.Q(archived=True), name="deal_archived_idx"
            ),
            models.Index(Lower("dealname"), "id", name="deal_name_idx"),
            models.Index(fields=["pipeline", "dealstage"], name="deal_stage_idx"),
            # The board's counts and amount sums per stage, from the index alone (one
            # grouped query, no table read: issue 16, point 5).
            models.Index(
                fields=["pipeline", "dealstage", "amount"],
                condition=models.Q(archived=False),
                name="deal_board_idx",
            ),
            models.Index(fields=["closedate"], name="deal_closedate_idx"),
            models.Index(fields=["amount"], name="deal_amount_idx"),
            models.Index(fields=["updated_at"], name="deal_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.dealname or f"Deal {self.pk}"
