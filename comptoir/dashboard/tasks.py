"""Background tasks of the dashboard (run by `comptoir worker`)."""

from django.db import transaction
from django.tasks import task

from comptoir.dashboard import counts


@task
def rebuild_dashboard_counts() -> int:
    """Cut the activity counters into days of the (new) report time zone."""
    return counts.rebuild()


def recount_in_new_zone() -> None:
    """The report time zone changed: the day counters are cut in the old zone, and the
    figures are read live until the worker has recounted them in the new one."""
    transaction.on_commit(rebuild_dashboard_counts.enqueue)
