"""Template analytics (TOOL-3): per template and per user, over a period, the emails sent
from a template and how many were opened, clicked and replied to (by a person: automated
opens and clicks are left out), with their rates, as HubSpot's "Templates > Analyze".

One grouped query: each email sent in the period, with three EXISTS on its events. Rates
are over the emails sent (HubSpot: "delivered"; a bounced email counts as sent and is never
opened). Who sees what: a user their own emails; someone with the settings right, everyone's.
Templates are those the user sees (a colleague's private template is not named)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from comptoir.core.accounts import user_model
from comptoir.core.permissions import has_right
from comptoir.emailtemplates.access import visible_templates
from comptoir.emailtemplates.models import EmailTemplate
from comptoir.mail.models import EmailEvent, EventKind, OutboundEmail, OutboundStatus

PERIODS = (7, 30, 90, 365)
GROUPS = ("template", "user")


@dataclass
class Row:
    key: int
    label: str
    sent: int
    opened: int
    clicked: int
    replied: int

    def rate(self, n: int) -> float | None:
        return n / self.sent if self.sent else None

    @property
    def open_rate(self):
        return self.rate(self.opened)

    @property
    def click_rate(self):
        return self.rate(self.clicked)

    @property
    def reply_rate(self):
        return self.rate(self.replied)


def _person(kind: str):
    return Exists(EmailEvent.objects.filter(outbound=OuterRef("pk"), kind=kind, automated=False))


def emails(user, days: int, now=None):
    now = now or timezone.now()
    templates = visible_templates(user, archived=None).values("pk")
    qs = OutboundEmail.objects.filter(
        template_id__in=templates,
        status__in=[OutboundStatus.SENT, OutboundStatus.BOUNCED],
        sent_at__gte=now - dt.timedelta(days=days),
        sent_at__lte=now,
    )
    if not has_right(user, "can_manage_settings"):
        qs = qs.filter(user=user)
    return qs


def report(user, *, days: int = 30, group: str = "template", now=None) -> list[Row]:
    field = "template_id" if group == "template" else "user_id"
    rows = (
        emails(user, days, now)
        .annotate(o=_person(EventKind.OPEN), c=_person(EventKind.CLICK), r=_person(EventKind.REPLY))
        .values(field)
        .annotate(
            sent=Count("pk"),
            opened=Count("pk", filter=Q(o=True)),
            clicked=Count("pk", filter=Q(c=True)),
            replied=Count("pk", filter=Q(r=True)),
        )
        .order_by("-sent", field)
    )
    found = list(rows)
    labels = _labels(group, [r[field] for r in found])
    return [
        Row(r[field], labels.get(r[field], "?"), r["sent"], r["opened"], r["clicked"], r["replied"])
        for r in found
    ]


def _labels(group: str, keys: list[int]) -> dict[int, str]:
    if group == "template":
        return dict(EmailTemplate.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {u.pk: (u.get_full_name() or u.email) for u in user_model().objects.filter(pk__in=keys)}


def totals(rows: list[Row]) -> Row:
    return Row(
        0,
        "",
        sum(r.sent for r in rows),
        sum(r.opened for r in rows),
        sum(r.clicked for r in rows),
        sum(r.replied for r in rows),
    )
