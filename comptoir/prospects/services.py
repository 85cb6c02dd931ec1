"""The Prospects page's reads and writes (TOOL-6): visiting companies over a period, their
owner, the company created for one, one company's page views grouped in visits, the digest
subscriptions.

Company records are written only through the record services (`create_record`,
`update_record`: validation, history, automations); a prospect's own row keeps the owner
chosen before a company exists, and the company it matches."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from comptoir.core.history.source import ChangeSource
from comptoir.core.permissions import can_edit
from comptoir.core.portal.services import portal
from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import create_record, update_record
from comptoir.prospects.attribution import VISIT_GAP, companies_for_domains, visitor_key
from comptoir.prospects.models import (
    DigestSubscription,
    PageView,
    Prospect,
    ProspectDay,
    Visitor,
)

PERIODS = {"1": 1, "7": 7, "30": 30, "90": 90}
DEFAULT_PERIOD = "30"
LIMIT = 200
VIEWS_PER_PAGE = 50


@dataclass
class Row:
    prospect: Prospect
    name: str
    company_id: int | None
    visible: bool
    visits: int
    page_views: int
    last_day: dt.date
    new: bool
    owner_id: int | None
    contacts: list
    pages: list = None


def today(zone_name: str | None = None) -> dt.date:
    zone = zoneinfo.ZoneInfo(zone_name or portal().report_time_zone)
    return timezone.now().astimezone(zone).date()


def period_start(days: int, zone_name: str | None = None) -> dt.date:
    return today(zone_name) - dt.timedelta(days=days - 1)


def visiting(
    user, *, days: int = 30, kind: str = "", owner_id: int | None = None, since=None, until=None
):
    """[Row] of the companies that visited in the period, most visits first. `kind`: "new"
    (first visit in the period) or "returning"; `owner_id`: whose (0: nobody's)."""
    since = since or period_start(days)
    zone = zoneinfo.ZoneInfo(portal().report_time_zone)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time()), zone)
    days_qs = ProspectDay.objects.filter(day__gte=since)
    if until is not None:
        days_qs = days_qs.filter(day__lte=until)
    sums = (
        days_qs.values("prospect_id")
        .annotate(visits=Sum("visits"), views=Sum("page_views"), last=Max("day"))
        .order_by("-visits", "-views", "prospect_id")
    )
    sums = list(sums[: LIMIT * 5])
    prospects = Prospect.objects.in_bulk([s["prospect_id"] for s in sums])
    company_ids = {p.company_id for p in prospects.values() if p.company_id}
    companies = {
        c["pk"]: c
        for c in base_queryset("companies")
        .filter(pk__in=company_ids)
        .values("pk", "name", "domain", "hubspot_owner_id")
    }
    visible = set(
        base_queryset("companies", user=user)
        .filter(pk__in=company_ids)
        .values_list("pk", flat=True)
    )
    rows = []
    for s in sums:
        prospect = prospects.get(s["prospect_id"])
        if prospect is None:
            continue
        company = companies.get(prospect.company_id)
        owner = company["hubspot_owner_id"] if company else prospect.owner_id
        new = prospect.first_seen_at >= start
        if (kind == "new" and not new) or (kind == "returning" and new):
            continue
        if owner_id is not None and (owner or 0) != owner_id:
            continue
        rows.append(
            Row(
                prospect=prospect,
                # A company the user may not see is named by the domain only.
                name=(company["name"] or company["domain"])
                if company and company["pk"] in visible
                else prospect.domain,
                company_id=company["pk"] if company else None,
                visible=bool(company) and company["pk"] in visible,
                visits=s["visits"] or 0,
                page_views=s["views"] or 0,
                last_day=s["last"],
                new=new,
                owner_id=owner,
                contacts=[],
            )
        )
        if len(rows) >= LIMIT:
            break
    _add_contacts(rows, user)
    _add_pages(rows, start, until, zone)
    return rows


def _add_pages(rows, start, until, zone, shown: int = 3) -> None:
    """The pages each company read most in the period ([(path, views)]), from the raw page
    views still kept (the retention period)."""
    for row in rows:
        row.pages = []
    if not rows:
        return
    by_domain = {r.prospect.domain: r for r in rows}
    views = PageView.objects.filter(domain__in=by_domain, occurred_at__gte=start).exclude(url="")
    if until is not None:
        end = timezone.make_aware(
            dt.datetime.combine(until + dt.timedelta(days=1), dt.time()), zone
        )
        views = views.filter(occurred_at__lt=end)
    counted = {}
    for domain, url, n in (
        views.values("domain", "url").annotate(n=Count("id")).values_list("domain", "url", "n")
    ):
        path = urlsplit(url).path or "/"
        key = (domain, path)
        counted[key] = counted.get(key, 0) + n
    for (domain, path), n in sorted(counted.items(), key=lambda item: (-item[1], item[0][1])):
        row = by_domain[domain]
        if len(row.pages) < shown:
            row.pages.append((path, n))


def _add_contacts(rows, user) -> None:
    """The known contacts seen from each company (those the user may see), a few each."""
    if not rows:
        return
    by_domain = {r.prospect.domain: r for r in rows}
    pairs = Visitor.objects.filter(domain__in=by_domain, contact_id__isnull=False).values_list(
        "domain", "contact_id"
    )
    pairs = list(pairs[:1000])
    if not pairs:
        return
    contacts = {
        c.pk: c
        for c in base_queryset("contacts", user=user)
        .filter(pk__in={pk for _d, pk in pairs})
        .only("pk", "firstname", "lastname", "email")
    }
    for domain, pk in pairs:
        contact = contacts.get(pk)
        row = by_domain[domain]
        if contact is not None and len(row.contacts) < 5 and contact not in row.contacts:
            row.contacts.append(contact)


# -- one company's page views ------------------------------------------------------------------


def shown_name(user, prospect: Prospect) -> tuple[str, int | None]:
    """(its name as the user may see it, the company id when the user may open it): a
    company the user may not see is named by the prospect's domain only, as on the list."""
    if prospect.company_id:
        company = (
            base_queryset("companies", user=user)
            .filter(pk=prospect.company_id)
            .values("pk", "name", "domain")
            .first()
        )
        if company is not None:
            return company["name"] or company["domain"] or prospect.domain, company["pk"]
    return prospect.domain, None


@dataclass
class Visit:
    """A visitor's page views without a VISIT_GAP between them, newest first."""

    key: str
    contact: object = None  # the contact the visitor is known as, when the user may see it
    views: list = field(default_factory=list)

    @property
    def start(self):
        return self.views[-1].occurred_at

    @property
    def end(self):
        return self.views[0].occurred_at


def page_views(user, prospect: Prospect, number) -> tuple[Page, list[Visit]]:
    """Page `number` of the raw page views kept of the company (newest first, VIEWS_PER_PAGE
    a page), and those page views grouped in visits (a visit running over two pages shows
    on both). A constant number of queries, whatever the page holds."""
    views = (
        PageView.objects.filter(domain=prospect.domain)
        .exclude(url="")
        .only("pk", "occurred_at", "visitor", "ip", "user_agent", "url", "title")
        .order_by("-occurred_at", "-pk")
    )
    page = Paginator(views, VIEWS_PER_PAGE).get_page(number)
    rows = list(page.object_list)
    keys = {row.pk: visitor_key(row) for row in rows}
    known = dict(
        Visitor.objects.filter(key__in=set(keys.values()), contact_id__isnull=False).values_list(
            "key", "contact_id"
        )
    )
    contacts = {
        c.pk: c
        for c in base_queryset("contacts", user=user)
        .filter(pk__in=set(known.values()))
        .only("pk", "firstname", "lastname", "email")
    }
    visits: list[Visit] = []
    open_visits: dict[str, Visit] = {}
    for row in rows:
        key = keys[row.pk]
        visit = open_visits.get(key)
        if visit is None or visit.start - row.occurred_at > VISIT_GAP:
            visit = open_visits[key] = Visit(key=key, contact=contacts.get(known.get(key)))
            visits.append(visit)
        visit.views.append(row)
    return page, visits


def get_prospect(pk) -> Prospect | None:
    return Prospect.objects.filter(pk=pk).first() if pk else None


class ProspectError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def assign(user, prospect: Prospect, owner_id: int | None) -> None:
    """Make `owner_id` (None: nobody) the owner: the company's, through update_record, when
    there is one (the user must be allowed to change it), else the prospect's own."""
    if prospect.company_id:
        company = base_queryset("companies", user=user).filter(pk=prospect.company_id).first()
        if company is None or not can_edit(user, "companies", company):
            raise ProspectError("company")
        update_record(
            "companies",
            company.pk,
            {"hubspot_owner_id": "" if owner_id is None else str(owner_id)},
            source=ChangeSource.for_user(user),
            user=user,
        )
        return
    Prospect.objects.filter(pk=prospect.pk).update(owner_id=owner_id)


def create_company(user, prospect: Prospect, name: str):
    """The company record for a prospect that has none: name and domain, the owner chosen
    so far; through create_record (history, automations). An existing company with that
    domain is linked instead."""
    with transaction.atomic():
        prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
        if prospect.company_id:
            return prospect.company_id
        found = companies_for_domains({prospect.domain}).get(prospect.domain)
        if found is None:
            values = {"name": (name or prospect.domain)[:200], "domain": prospect.domain}
            if prospect.owner_id:
                values["hubspot_owner_id"] = str(prospect.owner_id)
            found = create_record(
                "companies", values, source=ChangeSource.for_user(user), user=user
            ).pk
        Prospect.objects.filter(pk=prospect.pk).update(company_id=found)
        return found


# -- the daily digest subscription -------------------------------------------------------------


def subscription(user) -> DigestSubscription | None:
    return DigestSubscription.objects.filter(user=user).first()


def subscribe(user, zone_name: str) -> DigestSubscription:
    """Subscribe (or change the time zone). Subscribed after 8:00 local: the first digest
    is tomorrow's."""
    zone = zoneinfo.ZoneInfo(zone_name)
    local = timezone.now().astimezone(zone)
    sent_on = local.date() if local.hour >= 8 else local.date() - dt.timedelta(days=1)
    row, created = DigestSubscription.objects.get_or_create(
        user=user, defaults={"time_zone": zone_name, "last_sent_on": sent_on}
    )
    if not created and row.time_zone != zone_name:
        row.time_zone = zone_name
        row.last_sent_on = max(row.last_sent_on or sent_on, sent_on)
        row.save(update_fields=["time_zone", "last_sent_on"])
    return row


def unsubscribe(user) -> None:
    DigestSubscription.objects.filter(user=user).delete()
