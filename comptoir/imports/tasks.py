"""Background jobs of imports and exports (run by `comptoir worker`)."""

from django.tasks import task

from comptoir.imports import engine, undo


@task
def run_import(import_id: int) -> str:
    return engine.run(import_id)


@task
def run_export(export_id: int) -> str:
    # Imported here: comptoir.imports.exports imports this module when loaded.
    from comptoir.imports import exports

    return exports.run(export_id)


@task
def undo_import(import_id: int, user_id: int | None = None) -> int | str:
    return undo.run(import_id, user_id)
