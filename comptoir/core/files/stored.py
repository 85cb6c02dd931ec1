"""What the rest of Comptoir does with stored files: save one (from a local file or an
upload), open one, get a local path to read it by (the import readers sniff encodings and
openpyxl seeks: they read a path), delete one. Names are storage names such as
`imports/3f2a…/contacts.csv`; a row written before storage existed holds an absolute path
on this machine's disk, still read from there until `comptoir migrate_files` moves it."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages

CHUNK = 1024 * 1024


def storage():
    return storages["default"]


def is_legacy(name: str) -> bool:
    """A path on one machine's disk, written before files went through the storage."""
    return PurePosixPath(name).is_absolute()


def save(name: str, content) -> str:
    """Store `content` (a Django File, an upload) under `name` or a free name near it."""
    return storage().save(name, content)


def save_path(name: str, path: Path) -> str:
    """Store the local file `path`; it then serves as this machine's copy (no download)."""
    with path.open("rb") as handle:
        stored = save(name, File(handle, name=PurePosixPath(name).name))
    if _path_in_storage(stored) is None:
        target = _cache_path(stored)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return stored


def open_file(name: str):
    """The stored file, opened for reading (FileNotFoundError when there is none)."""
    if is_legacy(name):
        return open(name, "rb")
    return storage().open(name, "rb")


def delete(name: str) -> None:
    if not name:
        return
    if is_legacy(name):
        Path(name).unlink(missing_ok=True)
        return
    storage().delete(name)
    shutil.rmtree(_cache_path(name).parent, ignore_errors=True)


def local_path(name: str) -> Path:
    """A path on this machine holding the stored file: the storage's own when it is a local
    directory, else a copy in the data dir's cache, downloaded once (in chunks)."""
    if is_legacy(name):
        return Path(name)
    direct = _path_in_storage(name)
    if direct is not None:
        return direct
    target = _cache_path(name)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out, storage().open(name, "rb") as source:
            shutil.copyfileobj(source, out, CHUNK)
        os.replace(partial, target)  # two processes downloading at once: either copy wins
    finally:
        Path(partial).unlink(missing_ok=True)
    return target


def forget_local_copy(name: str) -> None:
    """Remove this machine's copy of a stored file (the file stays in the storage; a reader
    asking for it again downloads it again)."""
    if name and not is_legacy(name) and _path_in_storage(name) is None:
        shutil.rmtree(_cache_path(name).parent, ignore_errors=True)


def walk(directory: str = ""):
    """Every stored file's name under `directory`, recursively, in name order."""
    directories, files = storage().listdir(directory)
    prefix = f"{directory.rstrip('/')}/" if directory else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(directories):
        yield from walk(prefix + sub)


def work_directory() -> Path:
    """A directory of this machine's for files on their way into the storage."""
    path = Path(settings.DATA_DIR) / "cache" / "work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path_in_storage(name: str) -> Path | None:
    try:
        return Path(storage().path(name))
    except NotImplementedError:
        return None


def _cache_path(name: str) -> Path:
    key = hashlib.sha256(name.encode()).hexdigest()[:32]
    return Path(settings.DATA_DIR) / "cache" / "files" / key / PurePosixPath(name).name
