"""Background tasks of the dashboard (run by `comptoir worker`)."""

from django.tasks import task

from comptoir.dashboard import counts


@task
def rebuild_dashboard_counts() -> int:
    """Cut the activity counters into days of the (new) report time zone."""
    return counts.rebuild()
