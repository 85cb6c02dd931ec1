"""The worker's side of webhooks (API-4): batches, the POST, retries, the log.

* **Batches.** An app's events waiting in the outbox are gathered, oldest first, into
  batches of at most 100 (HubSpot's size), each taken by a conditional UPDATE so that two
  workers never put one event in two batches. While one of the app's batches waits for a
  retry, new events wait too unless a full batch can be made: a receiver that is down
  gets one request per retry, not one per write.
* **One POST per try**, a JSON array of the events in HubSpot's shape, signed with the
  app's client secret (comptoir/webhooks/signing.py), to the target checked again
  (comptoir/webhooks/targets.py). A batch is claimed by a conditional UPDATE (state and
  due time), so it is sent by one worker at a time; a claim older than `STALL` lost its
  worker and the batch is tried again (`interrupted`, on every scheduler tick).
* **Retries**, as HubSpot does: a failed connection, a timeout, 429 or 5xx is tried again
  up to 10 times over about a day (`BACKOFF`, doubling from 84 s: 23 h 52 min in all);
  another 4xx fails at once. Every try is written in the log (`WebhookAttempt`).
* **Switched off**: when `COMPTOIR_WEBHOOK_DISABLE_AFTER` batches in a row failed every
  try, the app's delivery is switched off (nothing is captured for it any more) and the
  token's owner is notified; an administrator switches it on again in Settings and
  replays the failed batches.

`now()` is the clock of the schedule (tests move it); the signature's timestamp is the
real time of the POST, as receivers compare it with theirs."""

import datetime as dt
import json
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.portal import PORTAL_ID
from comptoir.core.properties import registry
from comptoir.notifications import services as notifications
from comptoir.webhooks import signing, targets
from comptoir.webhooks.models import (
    BatchState,
    WebhookAttempt,
    WebhookBatch,
    WebhookEvent,
    WebhookTarget,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 100
BACKOFF = tuple(dt.timedelta(seconds=84 * 2**n) for n in range(10))
MAX_ATTEMPTS = len(BACKOFF) + 1
STALL = dt.timedelta(minutes=5)
RUN_SECONDS = 50  # one run's time; the periodic job comes back
WAITING = (BatchState.PENDING, BatchState.RETRYING)


def now():
    return timezone.now()


# -- batches -------------------------------------------------------------------------------------


def _live_targets():
    return WebhookTarget.objects.filter(disabled_at__isnull=True, app__revoked_at__isnull=True)


def form_batches(at=None) -> int:
    """Gather every live app's waiting events into batches; returns how many were made."""
    at = at or now()
    made = 0
    waiting = (
        WebhookEvent.objects.filter(batch__isnull=True, target__in=_live_targets())
        .values("target_id")
        .annotate(n=Count("pk"))
    )
    retrying = set(
        WebhookBatch.objects.filter(state=BatchState.RETRYING).values_list("target_id", flat=True)
    )
    for row in waiting:
        target_id, count = row["target_id"], row["n"]
        while count > 0:
            if target_id in retrying and count < BATCH_SIZE:
                break  # they join the next batch once the receiver answers again
            taken = _make_batch(target_id, at)
            if not taken:
                break
            made += 1
            count -= taken
    return made


def _make_batch(target_id: int, at) -> int:
    with transaction.atomic():
        batch = WebhookBatch.objects.create(target_id=target_id, next_attempt_at=at, created_at=at)
        ids = list(
            WebhookEvent.objects.filter(target_id=target_id, batch__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        taken = WebhookEvent.objects.filter(pk__in=ids, batch__isnull=True).update(batch=batch)
        if not taken:
            batch.delete()
    return taken


# -- one try -------------------------------------------------------------------------------------


def body(batch: WebhookBatch, attempt_number: int) -> str:
    """The JSON array a try sends: every event in HubSpot's shape."""
    app_id = batch.target.app_id
    items = []
    for event in batch.events.order_by("pk"):
        item = {
            "eventId": event.pk,
            "subscriptionId": event.subscription_id,
            "portalId": PORTAL_ID,
            "appId": app_id,
            "occurredAt": int(event.occurred_at.timestamp() * 1000),
            "subscriptionType": event.subscription_type,
            "attemptNumber": attempt_number,
            "objectId": event.object_id,
        }
        if event.subscription_type.startswith("object."):
            item["objectTypeId"] = event.object_type_id
        item.update(event.payload)
        items.append(item)
    return json.dumps(items, separators=(",", ":"))


def claim(batch_id: int, worker_id: str, at) -> bool:
    return bool(
        WebhookBatch.objects.filter(
            pk=batch_id,
            state__in=WAITING,
            next_attempt_at__lte=at,
            target__disabled_at__isnull=True,
        ).update(
            state=BatchState.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=at,
            claimed_by=worker_id[:100],
        )
    )


def send(batch_id: int, worker_id: str = "", at=None) -> str:
    """Claim a due batch and try it once; the state it ends in ("" when not claimed)."""
    at = at or now()
    if not claim(batch_id, worker_id, at):
        return ""
    batch = WebhookBatch.objects.select_related("target").get(pk=batch_id)
    target = batch.target
    number = batch.attempts - 1
    payload = body(batch, number)
    started = at
    outcome = targets.post(
        target.target_url,
        payload.encode(),
        signing.headers(target.client_secret, target.target_url, payload, int(time.time() * 1000)),
    )
    with transaction.atomic():
        WebhookAttempt.objects.create(
            batch=batch,
            number=number,
            started_at=started,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status,
            error=outcome.error,
            events=payload.count('"eventId"'),
        )
        if outcome.delivered:
            _delivered(batch, at)
            return BatchState.DELIVERED
        if outcome.retry and batch.attempts < MAX_ATTEMPTS:
            WebhookBatch.objects.filter(pk=batch.pk, state=BatchState.SENDING).update(
                state=BatchState.RETRYING,
                next_attempt_at=at + BACKOFF[batch.attempts - 1],
                claimed_at=None,
                claimed_by="",
            )
            return BatchState.RETRYING
        _failed(batch, outcome.error, at)
        return BatchState.FAILED


def _delivered(batch, at) -> None:
    WebhookBatch.objects.filter(pk=batch.pk).update(
        state=BatchState.DELIVERED, delivered_at=at, claimed_at=None, claimed_by=""
    )
    WebhookTarget.objects.filter(pk=batch.target_id, failed_batches__gt=0).update(failed_batches=0)


def _failed(batch, reason: str, at) -> None:
    WebhookBatch.objects.filter(pk=batch.pk).update(
        state=BatchState.FAILED, claimed_at=None, claimed_by=""
    )
    WebhookTarget.objects.filter(pk=batch.target_id).update(failed_batches=F("failed_batches") + 1)
    target = WebhookTarget.objects.select_related("app").get(pk=batch.target_id)
    log.warning("Webhook batch %s of app %s failed: %s", batch.pk, target.app_id, reason)
    if (
        target.disabled_at is None
        and target.failed_batches >= settings.COMPTOIR_WEBHOOK_DISABLE_AFTER
    ):
        disable(
            target,
            _("%(n)d batches in a row could not be delivered; the last: %(reason)s")
            % {"n": target.failed_batches, "reason": reason},
            at,
        )


def disable(target: WebhookTarget, reason: str, at=None) -> bool:
    """Switch an app's delivery off and tell the token's owner (after the commit)."""
    at = at or now()
    with transaction.atomic():
        done = WebhookTarget.objects.filter(pk=target.pk, disabled_at__isnull=True).update(
            disabled_at=at, disabled_reason=reason[:500], updated_at=at
        )
        if not done:
            return False
        registry.invalidate()  # the outbox stops capturing for it
        notifications.webhooks_disabled(target.app.user_id, target.app_id, target.app.name, reason)
    log.warning("Webhooks of app %s switched off: %s", target.app_id, reason)
    return True


# -- the worker ----------------------------------------------------------------------------------


def due(at) -> list[int]:
    return list(
        WebhookBatch.objects.filter(
            state__in=WAITING, next_attempt_at__lte=at, target__in=_live_targets()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )


def _room(target_id: int, limit: int) -> bool:
    """The app's maxConcurrentRequests: its batches being sent right now stay under it."""
    sending = WebhookBatch.objects.filter(target_id=target_id, state=BatchState.SENDING).count()
    return sending < limit


def deliver_due(worker_id: str = "", at=None) -> int:
    """Make batches of the waiting events and try every batch whose time came, for at most
    RUN_SECONDS; returns the batches delivered."""
    at = at or now()
    started = time.monotonic()
    delivered = 0
    tried: set[int] = set()
    while time.monotonic() - started < RUN_SECONDS:
        form_batches(at)
        batches = [pk for pk in due(at) if pk not in tried]
        if not batches:
            break
        targets_of = {
            pk: (target_id, limit)
            for pk, target_id, limit in WebhookBatch.objects.filter(pk__in=batches).values_list(
                "pk", "target_id", "target__max_concurrent_requests"
            )
        }
        for pk in batches:
            tried.add(pk)
            target_id, limit = targets_of.get(pk, (None, 1))
            if target_id is not None and not _room(target_id, limit or 1):
                continue
            if send(pk, worker_id) == BatchState.DELIVERED:  # at its own moment
                delivered += 1
    return delivered


def interrupted(at=None) -> int:
    """Batches whose worker died while sending: tried again now."""
    at = at or now()
    return WebhookBatch.objects.filter(state=BatchState.SENDING, claimed_at__lt=at - STALL).update(
        state=BatchState.RETRYING, next_attempt_at=at, claimed_at=None, claimed_by=""
    )


def replay(batch: WebhookBatch, at=None) -> bool:
    """Send a delivered or failed batch again, with a new day of retries."""
    at = at or now()
    return bool(
        WebhookBatch.objects.filter(
            pk=batch.pk, state__in=(BatchState.DELIVERED, BatchState.FAILED)
        ).update(state=BatchState.PENDING, attempts=0, next_attempt_at=at, delivered_at=None)
    )


def pending_events(target) -> int:
    return WebhookEvent.objects.filter(
        Q(batch__isnull=True) | Q(batch__state__in=(*WAITING, BatchState.SENDING)),
        target=target,
    ).count()
