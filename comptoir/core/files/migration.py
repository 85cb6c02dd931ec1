"""Moving files written before the storage existed into it (`comptoir migrate_files`).

Two kinds of rows point at such files: a FileField whose name the storage does not hold but
the data dir's `media` directory does (mail attachments, photos), and a path field of a model
listing it in `STORED_PATH_FIELDS` that holds an absolute path on this machine's disk
(imports, exports). Each file is saved into the storage, its row updated (only if it still
points at the old place), then the old file is removed. A second run finds nothing to do."""

from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.db import models

from comptoir.core.files import stored


@dataclass
class Outcome:
    moved: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # rows whose file is nowhere


def migrate_files(*, keep: bool = False, log=lambda text: None) -> Outcome:
    outcome = Outcome()
    media = Path(settings.MEDIA_ROOT)
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                _file_field(model, model_field.name, media, outcome, keep, log)
        for name in getattr(model, "STORED_PATH_FIELDS", ()):
            _path_field(model, name, media, outcome, keep, log)
    return outcome


def _file_field(model, name, media, outcome, keep, log) -> None:
    storage = stored.storage()
    rows = model._base_manager.exclude(**{name: ""}).values_list("pk", name)
    for pk, value in rows.iterator():
        if storage.exists(value):
            continue
        legacy = media / value
        if not legacy.is_file():
            outcome.missing.append(f"{model._meta.label} {pk}: {value}")
            continue
        saved = _save(value, legacy)
        model._base_manager.filter(pk=pk, **{name: value}).update(**{name: saved})
        _done(legacy, saved, outcome, keep, log)


def _path_field(model, name, media, outcome, keep, log) -> None:
    rows = model._base_manager.filter(**{f"{name}__startswith": "/"}).values_list("pk", name)
    for pk, value in rows.iterator():
        legacy = Path(value)
        if not legacy.is_file():
            outcome.missing.append(f"{model._meta.label} {pk}: {value}")
            continue
        try:
            target = legacy.relative_to(media).as_posix()
        except ValueError:
            target = f"legacy/{legacy.parent.name}/{legacy.name}"
        saved = _save(target, legacy)
        model._base_manager.filter(pk=pk, **{name: value}).update(**{name: saved})
        _done(legacy, saved, outcome, keep, log)


def _save(name: str, legacy: Path) -> str:
    if stored._path_in_storage(name) == legacy:  # the storage is this very directory
        return name
    with legacy.open("rb") as handle:
        return stored.save(name, File(handle, name=legacy.name))


def _done(legacy: Path, saved: str, outcome: Outcome, keep: bool, log) -> None:
    outcome.moved.append(saved)
    log(f"{legacy} -> {saved}")
    if not keep and stored._path_in_storage(saved) != legacy:
        legacy.unlink(missing_ok=True)
