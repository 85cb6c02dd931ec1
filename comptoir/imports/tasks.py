"""Background jobs of imports and exports (run by `comptoir worker`)."""

from django.tasks import task


@task
def run_import(import_id: int) -> str:
    from comptoir.imports import engine

    return engine.run(import_id)


@task
def run_export(export_id: int) -> str:
    from comptoir.imports import exports

    return exports.run(export_id)


@task
def undo_import(import_id: int, user_id: int | None = None) -> int | str:
    from comptoir.imports import undo

    return undo.run(import_id, user_id)
