"""The worker's side of prospects (TOOL-6): page views to visitors, contacts and companies.

Run every minute (`tasks.attribute_page_views`), in batches of BATCH page views, oldest
first:

1. **Reverse DNS, outside any transaction.** The addresses of the batch that no configured
   network covers and the cache (`ReverseDns`) does not know yet are asked, at most
   DNS_PER_RUN a batch, each with a DNS_TIMEOUT (dnspython; `COMPTOIR_PROSPECTS_DNS` names
   the server, else the system's). Answers are kept DNS_FRESH, failures DNS_RETRY. A
   request never waits for DNS.
2. **Then, in one transaction** (the pending rows locked, `skip_locked` on PostgreSQL, so
   two workers never count a page view twice): who each visitor is (a tracked email's
   recipient or an identify() address: a contact, by email; a shared document's recipient
   contact, by id, when it is still a live record), which company it is (the
   contact's primary company, else a configured network, else its reverse DNS name's
   registrable domain, not an access provider's), a new visit after VISIT_GAP without a
   page view; the per-day counts of each visiting company (`ProspectDay`, days in the
   report time zone) and its totals; the page views marked processed.
3. After the commit, the subscribers of the Prospects page are told of each company seen
   for the first time (SET-7 "new prospect").

`purge` deletes the raw page views older than the retention period, in batches.
"""

import datetime as dt
import hashlib
import ipaddress
import logging
import zoneinfo
from collections import defaultdict
from urllib.parse import urlsplit

import dns.exception
import dns.resolver
import dns.reversename
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.records.values import base_queryset
from comptoir.core.timeline import events as timeline_events
from comptoir.mail.models import OutboundEmail
from comptoir.notifications import services as notifications
from comptoir.prospects.conf import conf
from comptoir.prospects.domains import company_domain, registrable
from comptoir.prospects.models import (
    DigestSubscription,
    PageView,
    Prospect,
    ProspectDay,
    ReverseDns,
    Visitor,
)

log = logging.getLogger("comptoir.prospects")

BATCH = 2000
VISIT_GAP = dt.timedelta(minutes=30)
DNS_TIMEOUT = 2.0
DNS_PER_RUN = 100
DNS_FRESH = dt.timedelta(days=30)
DNS_RETRY = dt.timedelta(days=1)
PURGE_BATCH = 5000


# -- reverse DNS -------------------------------------------------------------------------------


def _resolver() -> dns.resolver.Resolver:
    server = getattr(settings, "COMPTOIR_PROSPECTS_DNS", "") or ""
    if server:
        resolver = dns.resolver.Resolver(configure=False)
        host, _sep, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        resolver.nameservers = [host or server]
        if port:
            resolver.port = int(port)
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = ["127.0.0.1"]
    resolver.timeout = DNS_TIMEOUT
    resolver.lifetime = DNS_TIMEOUT
    return resolver


def lookup(ip: str, resolver=None) -> tuple[str, str]:
    """(host name, error) for one address: ("", "") when it has no name."""
    resolver = resolver or _resolver()
    try:
        answer = resolver.resolve(dns.reversename.from_address(ip), "PTR")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return "", ""
    except dns.exception.Timeout:
        return "", "timeout"
    except dns.exception.DNSException as exc:
        return "", type(exc).__name__[:32]
    for record in answer:
        return str(record.target).rstrip(".").lower()[:253], ""
    return "", ""


def _public(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_global
    except ValueError:
        return False


def _network_domain(ip: str, ranges) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    for network, domain in ranges:
        if address.version == network.version and address in network:
            return domain
    return ""


def resolve_pending(now=None, limit: int = DNS_PER_RUN) -> int:
    """Ask reverse DNS for the pending page views' addresses the cache lacks; how many."""
    c = conf()
    if not c.reverse_dns:
        return 0
    now = now or timezone.now()
    ips = set(
        PageView.objects.filter(processed=False, ip__isnull=False)
        .order_by("id")
        .values_list("ip", flat=True)[:BATCH]
    )
    ips = {ip for ip in ips if _public(ip) and not _network_domain(ip, c.ranges)}
    if not ips:
        return 0
    known = {
        row.ip: row
        for row in ReverseDns.objects.filter(ip__in=ips).only("ip", "error", "looked_up_at")
    }
    wanted = []
    for ip in sorted(ips):
        row = known.get(ip)
        if row is None or now - row.looked_up_at > (DNS_RETRY if row.error else DNS_FRESH):
            wanted.append(ip)
    resolver = _resolver()
    asked = 0
    for ip in wanted[:limit]:
        host, error = lookup(ip, resolver)
        ReverseDns.objects.update_or_create(
            ip=ip,
            defaults={
                "host": host,
                "domain": company_domain(host) if host else "",
                "error": error,
                "looked_up_at": timezone.now(),
            },
        )
        asked += 1
    return asked


# -- attribution -------------------------------------------------------------------------------


def visitor_key(row: PageView) -> str:
    if row.visitor:
        return "v:" + row.visitor
    raw = f"{row.ip or ''}|{row.user_agent}".encode()
    return "a:" + hashlib.sha256(raw).hexdigest()[:40]


def _address(entry: str) -> str:
    _name, _sep, address = str(entry).rpartition("<")
    return address.rstrip(">").strip().lower()


def _contacts(emails: set[str]) -> dict[str, tuple[int, int | None]]:
    """{email: (contact id, primary company id)}"""
    if not emails:
        return {}
    found = {}
    for contact in (
        base_queryset("contacts").filter(email__in=emails).only("pk", "email", "properties")
    ):
        company = contact.properties.get("associatedcompanyid")
        try:
            company = int(company) if company not in (None, "") else None
        except (TypeError, ValueError):
            company = None
        found[contact.email.lower()] = (contact.pk, company)
    return found


def _live_contacts(ids: set[int]) -> set[int]:
    """Those of `ids` that are live contact records."""
    if not ids:
        return set()
    return set(base_queryset("contacts").filter(pk__in=ids).values_list("pk", flat=True))


def _companies_by_id(ids) -> dict[int, str]:
    """{company id: registrable domain} of live companies with a domain."""
    if not ids:
        return {}
    return {
        pk: registrable(domain) or domain
        for pk, domain in base_queryset("companies").filter(pk__in=ids).values_list("pk", "domain")
        if domain
    }


def companies_for_domains(domains) -> dict[str, int]:
    """{registrable domain: company id} of the live companies whose domain is one of those
    (or its www. host); the oldest company when several."""
    domains = set(domains)
    if not domains:
        return {}
    hosts = domains | {"www." + d for d in domains}
    found = {}
    rows = (
        base_queryset("companies")
        .filter(domain__in=hosts)
        .order_by("pk")
        .values_list("pk", "domain")
    )
    for pk, domain in rows:
        key = registrable(domain) or domain
        found.setdefault(key, pk)
    return found


def _pending_rows():
    query = PageView.objects.filter(processed=False).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True)
    return list(query[:BATCH])


def attribute(now=None) -> int:
    """One batch of pending page views attributed; how many were taken (0: none left)."""
    resolve_pending(now)
    zone = zoneinfo.ZoneInfo(portal().report_time_zone)
    c = conf()
    new_prospects = []
    with transaction.atomic():
        rows = _pending_rows()
        if not rows:
            return 0
        # Who: tracked emails' recipients and identify() addresses, as contacts.
        email_ids = {r.email_id for r in rows if r.email_id}
        recipients = {}
        if email_ids:
            for pk, to in OutboundEmail.objects.filter(pk__in=email_ids).values_list("pk", "to"):
                if to:
                    recipients[pk] = _address(to[0])
        wanted = {r.email for r in rows if r.email} | set(recipients.values())
        contacts = _contacts(wanted)
        # Shared documents' recipients (their hint names the contact): live ones only.
        hinted = _live_contacts({r.contact_id for r in rows if r.contact_id})
        # The visitors of the batch, as the worker knew them.
        keys = {visitor_key(r) for r in rows}
        visitors = {v.key: v for v in Visitor.objects.filter(key__in=keys)}
        dns_domains = dict(
            ReverseDns.objects.filter(ip__in={r.ip for r in rows if r.ip}).values_list(
                "ip", "domain"
            )
        )
        # Contacts named in this batch, per visitor.
        for row in rows:
            address = row.email or recipients.get(row.email_id) or ""
            contact_id = None
            if row.contact_id in hinted:
                contact_id = row.contact_id
            elif address and address in contacts:
                contact_id = contacts[address][0]
            if contact_id is not None:
                key = visitor_key(row)
                visitor = visitors.get(key)
                if visitor is None:
                    visitor = visitors[key] = Visitor(
                        key=key, last_seen_at=row.occurred_at - 2 * VISIT_GAP
                    )
                    visitor._new = True
                visitor.contact_id = contact_id
        contact_companies = {}
        contact_ids = {v.contact_id for v in visitors.values() if v.contact_id}
        if contact_ids:
            for contact in (
                base_queryset("contacts").filter(pk__in=contact_ids).only("pk", "properties")
            ):
                company = contact.properties.get("associatedcompanyid")
                try:
                    contact_companies[contact.pk] = (
                        int(company) if company not in (None, "") else None
                    )
                except (TypeError, ValueError):
                    contact_companies[contact.pk] = None
        company_domains = _companies_by_id({v for v in contact_companies.values() if v})
        # Count.
        visits = {}  # visitor key -> its identified contact's visit begun in this batch
        days = defaultdict(lambda: [0, 0])  # (domain, day) -> [visits, page views]
        by_domain = defaultdict(list)  # domain -> page view ids
        seen = {}  # domain -> (first, last)
        for row in rows:
            key = visitor_key(row)
            visitor = visitors.get(key)
            if visitor is None:
                visitor = visitors[key] = Visitor(key=key, last_seen_at=None)
                visitor._new = True
            domain = ""
            if visitor.contact_id:
                domain = company_domains.get(contact_companies.get(visitor.contact_id), "")
            if not domain and row.ip:
                domain = _network_domain(row.ip, c.ranges) or dns_domains.get(row.ip, "")
            if domain:
                visitor.domain = domain
            elif visitor.domain:
                domain = visitor.domain
            if not row.url:  # an identify() alone: who, not a page view
                continue
            new_visit = (
                visitor.last_seen_at is None or row.occurred_at - visitor.last_seen_at > VISIT_GAP
            )
            visitor.last_seen_at = max(visitor.last_seen_at or row.occurred_at, row.occurred_at)
            if visitor.contact_id:
                if new_visit:
                    visits[key] = _Visit(visitor.contact_id, row)
                elif key in visits:
                    visits[key].pages += 1
            if not domain:
                continue
            by_domain[domain].append(row.pk)
            counts = days[(domain, row.occurred_at.astimezone(zone).date())]
            counts[0] += int(new_visit)
            counts[1] += 1
            first, last = seen.get(domain, (row.occurred_at, row.occurred_at))
            seen[domain] = (min(first, row.occurred_at), max(last, row.occurred_at))
        _save_visitors(visitors)
        if seen:
            new_prospects = _save_counts(days, seen)
        PageView.objects.filter(pk__in=[r.pk for r in rows]).update(processed=True)
        for domain, ids in by_domain.items():
            PageView.objects.filter(pk__in=ids).update(domain=domain)
        if new_prospects:
            _tell(new_prospects)
        _on_timelines(visits.values())
    return len(rows)


class _Visit:
    def __init__(self, contact_id: int, first: PageView):
        self.contact_id, self.first, self.pages = contact_id, first, 1


def _on_timelines(visits) -> None:
    """Each identified contact's visit on their timeline (one event per visit begun)."""
    contacts = get_object_type("contacts")
    for visit in visits:
        page = visit.first
        timeline_events.website_visited(
            contacts,
            visit.contact_id,
            page.occurred_at,
            ChangeSource(SourceType.SALES, f"website-visit:{page.pk}"),
            pages=visit.pages,
            first_page=(page.title or urlsplit(page.url).path or "/")[:300],
            url=page.url[:2048],
        )


def _save_visitors(visitors: dict) -> None:
    new = [v for v in visitors.values() if getattr(v, "_new", False)]
    for v in new:
        if v.last_seen_at is None:
            v.last_seen_at = timezone.now()
    if new:
        Visitor.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    old = [v for v in visitors.values() if not getattr(v, "_new", False)]
    if old:
        Visitor.objects.bulk_update(old, ["contact_id", "domain", "last_seen_at"], batch_size=500)


def _save_counts(days: dict, seen: dict) -> list[Prospect]:
    domains = set(seen)
    prospects = {p.domain: p for p in Prospect.objects.filter(domain__in=domains)}
    created = []
    missing = domains - set(prospects)
    matches = companies_for_domains(
        missing | {d for d, p in prospects.items() if p.company_id is None}
    )
    for domain in sorted(missing):
        first, last = seen[domain]
        created.append(
            Prospect(
                domain=domain,
                company_id=matches.get(domain),
                first_seen_at=first,
                last_seen_at=last,
            )
        )
    if created:
        Prospect.objects.bulk_create(created, ignore_conflicts=True)
        prospects = {p.domain: p for p in Prospect.objects.filter(domain__in=domains)}
    totals = defaultdict(lambda: [0, 0])
    for (domain, _day), (visits, views) in days.items():
        totals[domain][0] += visits
        totals[domain][1] += views
    for domain, prospect in prospects.items():
        first, last = seen[domain]
        visits, views = totals[domain]
        changes = {
            "visits": F("visits") + visits,
            "page_views": F("page_views") + views,
            "last_seen_at": max(prospect.last_seen_at, last),
        }
        if prospect.company_id is None and matches.get(domain):
            changes["company_id"] = matches[domain]
        Prospect.objects.filter(pk=prospect.pk).update(**changes)
    existing = {
        (d.prospect_id, d.day): d
        for d in ProspectDay.objects.filter(
            prospect_id__in=[p.pk for p in prospects.values()],
            day__in={day for _domain, day in days},
        )
    }
    fresh = []
    for (domain, day), (visits, views) in days.items():
        prospect = prospects[domain]
        row = existing.get((prospect.pk, day))
        if row is None:
            fresh.append(ProspectDay(prospect=prospect, day=day, visits=visits, page_views=views))
        else:
            ProspectDay.objects.filter(pk=row.pk).update(
                visits=F("visits") + visits, page_views=F("page_views") + views
            )
    ProspectDay.objects.bulk_create(fresh)
    made = {p.domain for p in created}
    return [p for d, p in prospects.items() if d in made]


def _tell(prospects: list[Prospect]) -> None:
    """SET-7 "new prospect": the Prospects page's subscribers, and the matched company's
    owner."""
    users = list(DigestSubscription.objects.values_list("user_id", flat=True))
    owners = {}
    ids = [p.company_id for p in prospects if p.company_id]
    if ids:
        owners = dict(
            base_queryset("companies").filter(pk__in=ids).values_list("pk", "hubspot_owner_id")
        )
    for prospect in prospects:
        notifications.new_prospect(
            prospect.pk,
            prospect.domain,
            user_ids=users,
            owner_id=owners.get(prospect.company_id),
        )


def attribute_all(now=None) -> int:
    total = 0
    while taken := attribute(now):
        total += taken
    return total


# -- retention ---------------------------------------------------------------------------------


def purge(now=None) -> int:
    """Delete the raw page views older than the retention period (processed ones only)."""
    now = now or timezone.now()
    before = now - dt.timedelta(days=conf().retention_days)
    total = 0
    while True:
        ids = list(
            PageView.objects.filter(occurred_at__lt=before, processed=True)
            .order_by("occurred_at")
            .values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            return total
        total += PageView.objects.filter(pk__in=ids).delete()[0]
