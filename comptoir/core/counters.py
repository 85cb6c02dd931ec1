"""Hits counted per key and time window in Django's cache: the API's rate limits per token
(hubspot_api/ratelimit.py), the website beacons per client address (prospects). With Redis
as the cache (COMPTOIR_REDIS_URL) every process counts together; without it, each process
counts its own."""

from django.core.cache import cache


def count(key: str, ttl: int) -> int:
    """Add one hit to `key` (a window's key, kept `ttl` seconds); its count so far."""
    if cache.add(key, 1, ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ttl)
        return 1
