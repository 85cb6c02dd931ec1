"""Background jobs of imports and exports (run by `comptoir worker`)."""

from django.tasks import task

from comptoir.imports import engine
from comptoir.imports.models import Import
from comptoir.imports.undo import undo


@task
def run_import(import_id: int) -> str:
    return engine.run(import_id)


@task
def run_export(export_id: int) -> str:
    # Imported here: comptoir.imports.exports imports this module when loaded.
    from comptoir.imports import exports

    return exports.run(export_id)


@task
def undo_import(import_id: int, user_id: int) -> int:
    from django.contrib.auth import get_user_model

    imp = Import.objects.get(pk=import_id)
    return len(undo(imp, get_user_model().objects.get(pk=user_id)))
