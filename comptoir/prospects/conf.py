"""Settings > Prospects (TOOL-6): the website domains the snippet is accepted from, the
networks known to be a company's, the retention of raw page views, reverse DNS on or off.

Read on every beacon, so kept in the process's metadata cache (`registry.cached`, dropped
by `registry.invalidate` when an administrator saves); checked and saved here only."""

import contextlib
import ipaddress
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.properties import registry
from comptoir.prospects.domains import registrable
from comptoir.prospects.models import ProspectSettings

CACHE_KEY = "prospects:conf"
BEACON_RECHECK = 5.0
_beacon_check = [0.0]
MAX_DOMAINS = 50
MAX_RANGES = 500
RETENTION_MIN, RETENTION_MAX = 1, 3650


@dataclass(frozen=True)
class Conf:
    domains: tuple[str, ...]
    ranges: tuple  # ((ip_network, domain), ...), narrowest first
    retention_days: int
    reverse_dns: bool


def _load() -> Conf:
    # Read on public paths (beacons, clicks): nothing is written there, defaults if no row.
    row = ProspectSettings.objects.filter(pk=ProspectSettings.SINGLETON).first()
    row = row or ProspectSettings(pk=ProspectSettings.SINGLETON)
    domains = tuple(d for d in row.allowed_domains.split() if d)
    ranges = []
    for line in row.ip_ranges.splitlines():
        parsed = _range(line)
        if parsed and not isinstance(parsed, str):
            ranges.append(parsed)
    ranges.sort(key=lambda r: -r[0].prefixlen)
    return Conf(domains, tuple(ranges), row.retention_days, row.reverse_dns)


def conf() -> Conf:
    return registry.cached(CACHE_KEY, _load)


def beacon_conf() -> Conf:
    """conf() for /p/collect: the version row is read at most every BEACON_RECHECK seconds
    per process (a query saved on most beacons); a change saved in another process is seen
    within that time, one saved in this process (or any cache drop) at once."""
    now = time.monotonic()
    found = registry.peek(CACHE_KEY)
    if found is not None and now - _beacon_check[0] < BEACON_RECHECK:
        return found
    _beacon_check[0] = now
    return conf()


def stored() -> ProspectSettings:
    row, _created = ProspectSettings.objects.get_or_create(pk=ProspectSettings.SINGLETON)
    return row


def host_allowed(host: str, domains=None) -> bool:
    """Whether `host` is one of the website's domains or under one."""
    host = (host or "").lower().rstrip(".")
    if not host:
        return False
    for domain in conf().domains if domains is None else domains:
        if host == domain or host.endswith("." + domain):
            return True
    return False


def _range(line: str):
    """(network, domain) of a "CIDR domain" line; an error message; None for a blank one."""
    parts = line.split()
    if not parts:
        return None
    if len(parts) != 2:
        return _("“%(line)s”: write a network then a company domain.") % {"line": line[:80]}
    try:
        network = ipaddress.ip_network(parts[0], strict=False)
    except ValueError:
        return _("“%(value)s” is not a network (CIDR).") % {"value": parts[0][:60]}
    domain = clean_domain(parts[1])
    if domain is None:
        return _("“%(value)s” is not a domain.") % {"value": parts[1][:60]}
    return network, registrable(domain) or domain


def clean_domain(value: str) -> str | None:
    """A host name written by a person ("https://www.acme.fr/", "Acme.FR") as "www.acme.fr";
    None when it is not one."""
    value = (value or "").strip().lower()
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    value = value.split("/", 1)[0].rstrip(".")
    if not value or len(value) > 253 or "." not in value:
        return None
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = value.split(".")
    if not all(
        0 < len(label) <= 63
        and all(c.isalnum() or c == "-" for c in label)
        and not label.startswith("-")
        and not label.endswith("-")
        for label in labels
    ):
        return None
    return value


def validate(domains_text: str, ranges_text: str, retention) -> tuple[dict, dict]:
    """(clean values, {field: [messages]})."""
    errors: dict[str, list] = {}
    domains = []
    for word in (domains_text or "").split():
        domain = clean_domain(word)
        if domain is None:
            errors.setdefault("allowed_domains", []).append(
                _("“%(value)s” is not a domain.") % {"value": word[:60]}
            )
        elif domain not in domains:
            domains.append(domain)
    if len(domains) > MAX_DOMAINS:
        errors.setdefault("allowed_domains", []).append(
            _("At most %(count)s domains.") % {"count": MAX_DOMAINS}
        )
    ranges = []
    for line in (ranges_text or "").splitlines():
        parsed = _range(line)
        if isinstance(parsed, str):
            errors.setdefault("ip_ranges", []).append(parsed)
        elif parsed:
            ranges.append(f"{parsed[0]} {parsed[1]}")
    if len(ranges) > MAX_RANGES:
        errors.setdefault("ip_ranges", []).append(
            _("At most %(count)s networks.") % {"count": MAX_RANGES}
        )
    days = None
    with contextlib.suppress(TypeError, ValueError):
        days = int(str(retention).strip())
    if days is None or not RETENTION_MIN <= days <= RETENTION_MAX:
        errors["retention_days"] = [
            _("Enter a number of days from %(min)s to %(max)s.")
            % {"min": RETENTION_MIN, "max": RETENTION_MAX}
        ]
    clean = {
        "allowed_domains": "\n".join(domains),
        "ip_ranges": "\n".join(ranges),
        "retention_days": days,
    }
    return clean, errors


def save(
    domains_text: str, ranges_text: str, retention, reverse_dns: bool
) -> tuple[ProspectSettings | None, dict]:
    """Check and save; nothing is saved when anything is wrong."""
    clean, errors = validate(domains_text, ranges_text, retention)
    if errors:
        return None, errors
    with transaction.atomic():
        row = stored()
        row.allowed_domains = clean["allowed_domains"]
        row.ip_ranges = clean["ip_ranges"]
        row.retention_days = clean["retention_days"]
        row.reverse_dns = bool(reverse_dns)
        row.updated_at = timezone.now()
        row.save()
        registry.invalidate()
    return row, {}


def website_domains() -> tuple[str, ...]:
    """The website's domains (mail.tracking.HINT_HOSTS asks for them on a click, which
    then costs no query on most clicks: beacon_conf)."""
    return beacon_conf().domains
