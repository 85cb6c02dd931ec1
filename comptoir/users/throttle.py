"""Throttling of sign-in and password-reset attempts, per account and per client address.

Counters live in the database (ThrottleCounter), not in Django's cache: the default cache
is per process and `comptoir serve` runs several processes, each of which would count
alone; the database is shared by all of them with no extra service, on SQLite and
PostgreSQL alike. A counter is one row per key, moved by conditional UPDATEs (no
read-then-write), and costs a write per failed sign-in or reset request only.

A counter opens a window at its first hit; once it reaches the rule's limit the key is
refused until `window` after that last hit (the cooling period). Refused attempts are not
counted and, for sign-in, not even checked: the right password is refused too during a lock.
"""

import datetime as dt
import hashlib
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from comptoir.users.models import ThrottleCounter


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: dt.timedelta


# Failed sign-ins: per account (the email typed), and per address (one client guessing
# many accounts; generous enough for an office behind one NAT address).
SIGNIN_ACCOUNT = Rule("signin-account", 5, dt.timedelta(minutes=15))
SIGNIN_ADDRESS = Rule("signin-address", 20, dt.timedelta(minutes=15))
# Password-reset requests (each may send an email), counted whether the account exists
# or not, so that a refusal tells nothing about it.
RESET_ACCOUNT = Rule("reset-account", 3, dt.timedelta(hours=1))
RESET_ADDRESS = Rule("reset-address", 10, dt.timedelta(hours=1))


def normalised_email(value) -> str:
    return str(value or "").strip().lower()


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or behind a trusted reverse proxy
    (COMPTOIR_TRUSTED_PROXIES) the last X-Forwarded-For entry not itself a trusted proxy.
    Entries further left were written by the client and are never believed."""
    trusted = set(getattr(settings, "COMPTOIR_TRUSTED_PROXIES", ()))
    address = request.META.get("REMOTE_ADDR", "")
    if address not in trusted:
        return address
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(forwarded):
        if hop and hop not in trusted:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # not an address: a broken or lying chain
    return address


def _key(rule: Rule, value: str) -> str:
    # Hashed: a fixed length, and typed emails (often of no account) are not kept readable.
    return f"{rule.name}:{hashlib.sha256(value.encode()).hexdigest()}"


def wait(rule: Rule, value: str) -> int:
    """Seconds until `value` may try again under `rule`; 0 when it may now."""
    row = (
        ThrottleCounter.objects.filter(
            key=_key(rule, value), window_ends__gt=timezone.now(), count__gte=rule.limit
        )
        .values_list("window_ends", flat=True)
        .first()
    )
    return max(1, math.ceil((row - timezone.now()).total_seconds())) if row else 0


def hit(rule: Rule, value: str) -> None:
    """Count one attempt; reaching the limit starts the cooling period from now."""
    key, now = _key(rule, value), timezone.now()
    counters = ThrottleCounter.objects.filter(key=key)
    counted = counters.filter(window_ends__gt=now).update(count=F("count") + 1)
    # No open window: restart the expired one, or create the row.
    counted = counted or counters.filter(window_ends__lte=now).update(
        count=1, window_ends=now + rule.window
    )
    if not counted:
        try:
            with transaction.atomic():
                ThrottleCounter.objects.create(key=key, count=1, window_ends=now + rule.window)
        except IntegrityError:  # created meanwhile by another request: count on it
            counters.update(count=F("count") + 1)
    counters.filter(count__gte=rule.limit).update(window_ends=now + rule.window)


def clear(rule: Rule, value: str) -> None:
    ThrottleCounter.objects.filter(key=_key(rule, value)).delete()


def longest_wait(*checks: tuple[Rule, str]) -> int:
    """The longest wait among (rule, value) pairs; 0 when none is locked."""
    return max((wait(rule, value) for rule, value in checks), default=0)


def minutes(seconds: int) -> int:
    """A wait as the whole minutes to tell the user (never 0)."""
    return max(1, math.ceil(seconds / 60))


def purge_expired() -> int:
    """Delete the rows whose window is over (the worker does it periodically)."""
    return ThrottleCounter.objects.filter(window_ends__lte=timezone.now()).delete()[0]
