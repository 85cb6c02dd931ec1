"""Per-token rate limits with HubSpot's headers; counters live in Django's cache."""

import time

from django.conf import settings

from comptoir.core.counters import count as _count
from comptoir.hubspot_api.errors import ApiError

INTERVAL_MS = 10_000


def check_rate(token) -> dict:
    """Count this request; 429 once the ten-second or daily budget is spent."""
    per_interval = settings.COMPTOIR_API_RATE_LIMIT
    per_day = settings.COMPTOIR_API_DAILY_LIMIT
    headers = {}
    now = time.time()
    if per_interval:
        window = int(now * 1000 // INTERVAL_MS)
        used = _count(f"rl:{token.pk}:{window}", INTERVAL_MS // 1000 + 1)
        headers.update(
            {
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(INTERVAL_MS),
                "X-HubSpot-RateLimit-Max": str(per_interval),
                "X-HubSpot-RateLimit-Remaining": str(max(per_interval - used, 0)),
            }
        )
        if used > per_interval:
            retry = max(1, int((window + 1) * INTERVAL_MS / 1000 - now + 0.999))
            raise ApiError(
                429,
                "You have reached your ten_secondly_rolling limit.",
                "RATE_LIMITS",
                headers={**headers, "Retry-After": str(retry)},
                errorType="RATE_LIMIT",
                policyName="TEN_SECONDLY_ROLLING",
            )
    if per_day:
        day = int(now // 86400)
        used = _count(f"rld:{token.pk}:{day}", 86400 + 60)
        headers.update(
            {
                "X-HubSpot-RateLimit-Daily": str(per_day),
                "X-HubSpot-RateLimit-Daily-Remaining": str(max(per_day - used, 0)),
            }
        )
        if used > per_day:
            retry = int((day + 1) * 86400 - now) + 1
            raise ApiError(
                429,
                "You have reached your daily limit.",
                "RATE_LIMITS",
                headers={**headers, "Retry-After": str(retry)},
                errorType="RATE_LIMIT",
                policyName="DAILY",
            )
    return headers


class RateLimitHeadersMiddleware:
    """Put the token's rate-limit headers on every authenticated API response (success or
    error), as HubSpot does. Authentication counts the request and leaves the headers on
    the request; handlers never have to think about them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for key, value in getattr(request, "ratelimit_headers", {}).items():
            if key not in response:  # a 429 already carries its own, with Retry-After
                response[key] = value
        return response
