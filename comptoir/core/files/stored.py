"""What the rest of Comptoir does with stored files: save one (from a local file or an
upload), open one, get a local path to read it by (the import readers sniff encodings and
openpyxl seeks: they read a path), delete one. Names are storage names such as
`imports/3f2a…/contacts.csv`; a row written before storage existed holds an absolute path
on this machine's disk, still read from there until `comptoir migrate_files` moves it."""

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages

CHUNK = 1024 * 1024
# This machine's copies of stored files and its work files older than this are removed
# (by any process using the cache, at most once an hour each): a reader needing one again
# downloads it again, and a file open while it goes keeps being read.
CACHE_MAX_AGE = 2 * 24 * 3600
PRUNE_EVERY = 3600
_last_prune = 0.0


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
    prune_local_cache()
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
    prune_local_cache()
    path = Path(settings.DATA_DIR) / "cache" / "work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def prune_local_cache(now: float | None = None, *, force: bool = False) -> int:
    """Remove this machine's cached copies and work files older than CACHE_MAX_AGE (servers
    and workers each call it as they use the cache; the worker's tick too); returns how
    many files went. At most once an hour per process unless `force`."""
    global _last_prune
    now = time.time() if now is None else now
    if not force and now - _last_prune < PRUNE_EVERY:
        return 0
    _last_prune = now
    removed = 0
    root = Path(settings.DATA_DIR) / "cache"
    for part in ("files", "work"):
        for directory, _subdirs, names in os.walk(root / part, topdown=False):
            for name in names:
                path = Path(directory) / name
                try:
                    if now - path.stat().st_mtime > CACHE_MAX_AGE:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue  # another process removed it first
            if Path(directory) != root / part:
                with contextlib.suppress(OSError):  # not empty: kept
                    Path(directory).rmdir()
    return removed


def prune_on_tick(now) -> None:
    """The worker's tick (core/scheduling): its machine's cache pruned too."""
    prune_local_cache()


def _path_in_storage(name: str) -> Path | None:
    try:
        return Path(storage().path(name))
    except NotImplementedError:
        return None


def _cache_path(name: str) -> Path:
    key = hashlib.sha256(name.encode()).hexdigest()[:32]
    return Path(settings.DATA_DIR) / "cache" / "files" / key / PurePosixPath(name).name
