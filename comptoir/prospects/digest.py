"""The daily digest of the Prospects page (TOOL-6): at 8:00 in each subscriber's time zone,
the companies that visited the website the day before, by email.

Run every minute by the worker (`tasks.send_prospect_digests`). A subscription whose local
time passed 8:00 and whose digest of the day is not sent is claimed by a conditional UPDATE
of `last_sent_on` (of two workers, one sends), then sent; a day without visits sends
nothing. At most once: a worker killed between the claim and the send loses that day's
digest rather than sending it twice."""

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from comptoir.core.portal.services import portal
from comptoir.prospects import services
from comptoir.prospects.models import DigestSubscription

log = logging.getLogger("comptoir.prospects")

HOUR = 8
SHOWN = 20


def _language(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (user.language, portal().default_language, settings.LANGUAGE_CODE):
        if language in codes:
            return language
    return "en"


def message(subscription, day: dt.date, rows) -> EmailMultiAlternatives:
    user = subscription.user
    base = settings.COMPTOIR_BASE_URL.rstrip("/")
    with translation.override(_language(user)):
        context = {
            "user": user,
            "day": day,
            "rows": rows[:SHOWN],
            "more": max(0, len(rows) - SHOWN),
            "link": base + reverse("prospects:index") + "?period=1",
            "page_link": base + reverse("prospects:index"),
        }
        subject = render_to_string("prospects/digest_subject.txt", context).strip()
        text = render_to_string("prospects/digest.txt", context)
        html = render_to_string("prospects/digest.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    email.attach_alternative(html, "text/html")
    return email


def due(now=None) -> list[tuple[DigestSubscription, dt.date]]:
    """(subscription, local day) of the digests whose time came and that are not sent."""
    now = now or timezone.now()
    found = []
    for sub in DigestSubscription.objects.filter(user__is_active=True).select_related("user"):
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(sub.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if local.hour >= HOUR and (sub.last_sent_on is None or sub.last_sent_on < local.date()):
            found.append((sub, local.date()))
    return found


def send_digests(now=None) -> int:
    sent = 0
    for sub, day in due(now):
        claimed = (
            DigestSubscription.objects.filter(pk=sub.pk)
            .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=day))
            .update(last_sent_on=day)
        )
        if not claimed:
            continue
        yesterday = day - dt.timedelta(days=1)
        rows = services.visiting(sub.user, since=yesterday, until=yesterday)
        if not rows:
            continue
        try:
            mailers.default.send_messages([message(sub, yesterday, rows)])
        except Exception:
            log.exception("prospect digest to user %s failed", sub.user_id)
            continue
        sent += 1
    return sent
