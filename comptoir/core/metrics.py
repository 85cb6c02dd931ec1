"""Prometheus metrics (issue 19, point 7): requests and their latencies, counted by every
server process, and the background jobs, the queue and the live workers, read from the
database at each scrape. `/metrics` answers only a bearer token equal to
COMPTOIR_METRICS_TOKEN (without one, it does not exist: 404).

`comptoir serve` runs several processes: each writes its counters into files of the
directory named by PROMETHEUS_MULTIPROC_DIR (set by `serve` before the application loads,
emptied at each start), and a scrape, whichever process answers it, adds them up
(prometheus_client's multiprocess mode). Elsewhere (tests, runserver) one process counts.
"""

import hmac
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from comptoir.core import operations

REQUESTS = Counter("comptoir_http_requests_total", "HTTP requests answered", ["method", "status"])
LATENCY = Histogram(
    "comptoir_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 1, 2.5, 5, 10, 30),
)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class MetricsMiddleware:
    """Counts every response and its time (by method and status: a bounded set of labels)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "OTHER"
        LATENCY.labels(method).observe(time.perf_counter() - started)
        REQUESTS.labels(method, str(response.status_code)).inc()
        return response


class DatabaseCollector:
    """What the database knows at scrape time: jobs by status, the queue, live workers."""

    def collect(self):
        up = GaugeMetricFamily("comptoir_database_up", "1 when the database answers")
        ok = operations.database_ok()
        up.add_metric([], 1 if ok else 0)
        yield up
        if not ok:
            return
        jobs = GaugeMetricFamily(
            "comptoir_jobs", "Background jobs kept in the queue, by status", labels=["status"]
        )
        for status, count in operations.job_counts().items():
            jobs.add_metric([status.lower()], count)
        yield jobs
        oldest = GaugeMetricFamily(
            "comptoir_queue_oldest_seconds", "How long the oldest waiting job has waited"
        )
        oldest.add_metric([], operations.oldest_ready_age())
        yield oldest
        workers = GaugeMetricFamily("comptoir_workers", "Workers seen alive in the last 2 min")
        workers.add_metric([], operations.live_workers().count())
        yield workers


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return registry


def metrics(request):
    token = settings.COMPTOIR_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404  # without the token, there is nothing here
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
