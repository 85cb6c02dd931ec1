"""Background work of prospects (TOOL-6), run by the worker's periodic jobs
(comptoir.core.scheduling.scheduler.PERIODIC_JOBS)."""

from django.tasks import task

from comptoir.prospects import attribution, digest


@task
def attribute_page_views() -> int:
    """Every minute: the page views received since, to visitors, contacts and companies
    (reverse DNS asked here, never in a request)."""
    return attribution.attribute_all()


@task
def purge_page_views() -> int:
    """Every hour: raw page views older than the retention period (Settings > Prospects)."""
    return attribution.purge()


@task
def send_prospect_digests() -> int:
    """Every minute: the daily digests whose 8:00 came in their subscriber's time zone."""
    return digest.send_digests()
