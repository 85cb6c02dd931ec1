"""Backup and restore (RUN-4): one archive holding the database and the stored files.

An archive is a plain tar file: the database (`database.sqlite3`, made with SQLite's online
backup API while Comptoir runs, or `database.pgdump`, `pg_dump`'s custom format), the stored
files (`files/media/<name>`, read through the storage: none with the default database
storage, whose files are in the dump already; every file of an S3 bucket or of the local
directory otherwise), the key files of the data dir (`secret_key` and `secret_keys`, that
the stored sessions and encrypted mail passwords need), and last `manifest.json`: the
format, Comptoir's version, the database vendor, the migrations applied and the size and
SHA256 of every other member.

A restore reads the manifest, checks every member against it and refuses before touching
anything: a damaged or altered archive, a member outside the archive's layout (`..`, an
absolute path, a link), a database of another vendor, a schema newer than this code (a
migration it does not know), a target database that is not empty. Then it restores the
database and the keys, migrates (an archive of an older version is upgraded), then saves
the stored files into the configured storage (an archive of a filesystem or S3 installation
restored into a database-storage one moves its files into the database). The archive
holds the keys: keep it as carefully as the database itself.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from comptoir.core.files import stored as stored_files
from comptoir.core.files.database import DatabaseStorage
from comptoir.core.version import comptoir_version

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_FILES = ("secret_key", "secret_keys")
MEDIA = "files/media/"
PREFIX = "comptoir-backup-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in plain words."""


# -- making an archive ---------------------------------------------------------------------------


def create_backup(directory: Path, *, now: dt.datetime | None = None) -> Path:
    """Write a new archive into `directory`; returns its path. The archive appears under its
    final name only once complete (a crash leaves a `.partial` file, never a short archive)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or timezone.now()).strftime("%Y%m%dT%H%M%SZ")
    final = directory / f"{PREFIX}{stamp}.tar"
    partial = final.with_suffix(".tar.partial")
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = _dump_database(Path(work))
        members = {DATABASE_MEMBER[connection.vendor]: dump, **_key_files()}
        checksums = {}
        # The archive holds the keys: readable by Comptoir's user only, from its first byte.
        handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        with handle, tarfile.open(fileobj=handle, mode="w") as tar:
            for name, path in members.items():
                checksums[name] = _add_hashed(tar, name, path)
            for name in _stored_names():
                checksums[f"{MEDIA}{name}"] = _add_stored(tar, name)
            manifest = {
                "format": FORMAT,
                "comptoir": comptoir_version(),
                "created_at": (now or timezone.now()).isoformat(),
                "database": connection.vendor,
                "migrations": _applied_migrations(),
                "members": checksums,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
    os.replace(partial, final)
    return final


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives of `directory`; returns those deleted."""
    archives = sorted(directory.glob(f"{PREFIX}*.tar"), reverse=True)  # names sort by time
    for old in archives[keep:]:
        old.unlink()
    return archives[keep:]


def _dump_database(work: Path) -> Path:
    if connection.vendor == "sqlite":
        target = work / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The online backup API: a consistent copy while the server and worker write.
            connection.connection.backup(copy)
        finally:
            copy.close()
        return target
    if connection.vendor == "postgresql":
        target = work / "database.pgdump"
        _run_pg("pg_dump", "--format=custom", "--no-owner", f"--file={target}")
        return target
    raise BackupError(f"backups of a {connection.vendor} database are not supported.")


def _stored_names() -> list[str]:
    """The storage's files when they are not in the database (and so not in its dump)."""
    if isinstance(stored_files.storage(), DatabaseStorage):
        return []
    return list(stored_files.walk())


def _add_stored(tar: tarfile.TarFile, name: str) -> dict:
    storage = stored_files.storage()
    info = tarfile.TarInfo(f"{MEDIA}{name}")
    info.size = storage.size(name)
    info.mtime = int(storage.get_modified_time(name).timestamp())
    info.mode = 0o600
    with storage.open(name, "rb") as handle:
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha.hexdigest()}


def _key_files() -> dict[str, Path]:
    files = {}
    for name in KEY_FILES:
        path = Path(settings.DATA_DIR) / name
        if path.is_file():
            files[f"files/{name}"] = path
    return files


class _Hashing(io.RawIOBase):
    """A file read through once: what tar copies is exactly what is hashed."""

    def __init__(self, handle):
        self.handle, self.sha = handle, hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.handle.read(len(buffer))
        self.sha.update(data)
        buffer[: len(data)] = data
        return len(data)


def _add_hashed(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    with path.open("rb") as handle:
        info = tar.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha.hexdigest()}


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"):
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


# -- reading an archive --------------------------------------------------------------------------


@dataclass
class Archive:
    path: Path
    manifest: dict


def verify(path: Path) -> Archive:
    """Check an archive against its manifest; raises BackupError naming what is wrong."""
    try:
        with tarfile.open(path, "r:") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members:
                raise BackupError(f"{path.name} is not a Comptoir backup (no {MANIFEST}).")
            manifest = json.load(tar.extractfile(members[MANIFEST]))
            if manifest.get("format") != FORMAT:
                raise BackupError(
                    f"{path.name} is a backup of format {manifest.get('format')!r}; "
                    f"this Comptoir reads format {FORMAT}."
                )
            listed = manifest.get("members", {})
            for name, member in members.items():
                if name == MANIFEST:
                    continue
                _check_name(name, member)
                if name not in listed:
                    raise BackupError(f"{name}: in the archive but not in its manifest.")
                if _sha256(tar.extractfile(member)) != listed[name]["sha256"]:
                    raise BackupError(f"{name}: its checksum differs from the manifest's.")
            missing = sorted(set(listed) - set(members))
            if missing:
                raise BackupError(
                    f"{missing[0]}: listed in the manifest, missing from the archive."
                )
    except (tarfile.TarError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path.name} cannot be read as a backup archive ({exc}).") from None
    return Archive(path, manifest)


def _check_name(name: str, member: tarfile.TarInfo) -> None:
    pure = PurePosixPath(name)
    allowed = name in DATABASE_MEMBER.values() or (
        pure.parts[:1] == ("files",) and len(pure.parts) > 1
    )
    if not member.isfile() or pure.is_absolute() or ".." in pure.parts or not allowed:
        raise BackupError(f"{name}: not a member a Comptoir backup holds; nothing was restored.")


def _sha256(handle) -> str:
    sha = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        sha.update(chunk)
    return sha.hexdigest()


def restore(path: Path, *, log=print) -> Archive:
    """Restore an archive into this installation's empty database and data dir."""
    archive = verify(path)
    manifest = archive.manifest
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"this archive holds a {manifest['database']} database and this Comptoir uses "
            f"{connection.vendor}: restore it into a {manifest['database']} installation."
        )
    _refuse_newer_schema(manifest["migrations"])
    if connection.introspection.table_names():
        raise BackupError(
            "the database is not empty: restore into a new, empty database "
            "(a new PostgreSQL database, or a new COMPTOIR_DATA_DIR for SQLite)."
        )
    with tarfile.open(path, "r:") as tar, tempfile.TemporaryDirectory() as work:
        member = DATABASE_MEMBER[connection.vendor]
        dump = Path(work) / member
        with tar.extractfile(member) as source, dump.open("wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
        log("Restoring the database…")
        _load_database(dump)
        count = 0
        for name in manifest["members"]:
            if name.removeprefix("files/") not in KEY_FILES:
                continue
            relative = PurePosixPath(name).relative_to("files")
            target_path = Path(settings.DATA_DIR).joinpath(*relative.parts)
            with tar.extractfile(name) as source, target_path.open("wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            target_path.chmod(0o600)
            count += 1
        log("Migrating (an archive of an older version is upgraded)…")
        call_command("migrate", interactive=False, verbosity=0)
        for name in manifest["members"]:
            if name.startswith(MEDIA):
                _restore_stored(tar, name, name.removeprefix(MEDIA))
                count += 1
        log(f"Restored {count} files.")
    return archive


def _restore_stored(tar: tarfile.TarFile, member: str, name: str) -> None:
    storage = stored_files.storage()
    if storage.exists(name):
        storage.delete(name)  # the archive's file, not an older one of the same name
    with tar.extractfile(member) as source:
        saved = storage.save(name, File(source, name=PurePosixPath(name).name))
    if saved != name:
        raise BackupError(f"{member}: the storage saved it as {saved!r}, not {name!r}.")


def _refuse_newer_schema(applied: dict[str, list[str]]) -> None:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    for app, names in applied.items():
        for name in names:
            if (app, name) not in known:
                raise BackupError(
                    f"the archive was made by a newer Comptoir (migration {app}.{name} is "
                    "unknown here): upgrade Comptoir, then restore."
                )


def _load_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        source = sqlite3.connect(dump)
        target = sqlite3.connect(name)
        try:
            source.backup(target)  # pages copied into the (empty) database file
        finally:
            source.close()
            target.close()
        return
    connection.close()
    _run_pg("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", str(dump))


def _run_pg(program: str, *args: str) -> None:
    """pg_dump or pg_restore on the configured database (password through the environment)."""
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    conn = [f"--dbname={db['NAME']}", f"--username={db.get('USER') or 'postgres'}"]
    if db.get("HOST"):
        conn.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        conn.append(f"--port={db['PORT']}")
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} was not found: install PostgreSQL's client programs "
            "(apt-get install postgresql-client), the server's major version or newer."
        )
    result = subprocess.run([program, *conn, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()[-500:]}")
