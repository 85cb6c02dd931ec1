"""Background work of sequences (TOOL-5): the periodic run of the due steps."""

from django.tasks import task

from comptoir.sequences import engine


@task
def run_sequences() -> dict:
    """Every minute (comptoir.core.scheduling): the enrolments whose step is due
    (comptoir/sequences/engine.py)."""
    return engine.run_due()
