"""Backup and restore (RUN-4, comptoir/core/backups.py): a round trip through real
processes compares every table and file; damaged, hostile or newer archives are refused
before anything is touched."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from comptoir.core import backups
from comptoir.core.records.writes import create_record
from comptoir.core.testing.factories import UI

SNAPSHOT = """
import hashlib, json
from pathlib import Path
from django.apps import apps
from django.conf import settings
out = {}
for model in apps.get_models():
    rows = list(model._base_manager.order_by("pk").values())
    text = json.dumps(rows, default=str, sort_keys=True).encode()
    out[model._meta.label] = [len(rows), hashlib.sha256(text).hexdigest()]
from django.core.files.storage import default_storage
from comptoir.core.files.stored import walk
out["files"] = [
    (name, hashlib.sha256(default_storage.open(name).read()).hexdigest()) for name in walk()
]
from comptoir.core import secrets
out["secret"] = secrets.decrypt(open(settings.DATA_DIR / "token.enc").read())
out["secret_key"] = hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()
print(json.dumps(out, sort_keys=True))
"""

DATA = """
from pathlib import Path
from django.conf import settings
from comptoir.core import secrets
from comptoir.core.records.writes import create_record, update_record
from comptoir.core.testing.factories import UI
company = create_record(
    "companies", {"name": "Boulangerie Dupont", "domain": "dupont.fr"}, source=UI
)
for i in range(30):
    contact = create_record(
        "contacts",
        {"email": f"c{i}@dupont.fr", "firstname": "Élodie", "lastname": f"Martin {i}"},
        source=UI,
        associations=[("companies", company.pk, None)],
    )
    update_record("contacts", contact.pk, {"jobtitle": "Gérante"}, source=UI)
create_record("deals", {"dealname": "Fournil", "amount": "12500.50", "pipeline": "default",
              "dealstage": "appointmentscheduled"}, source=UI)
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
default_storage.save(
    "imports/7/contacts.csv", ContentFile("email,prénom\\nc1@dupont.fr,Élodie\\n".encode())
)
# Three chunks of 1 MiB and a bit: read back in order, whole.
default_storage.save("photo.bin", ContentFile(bytes(range(256)) * 9000))
(settings.DATA_DIR / "token.enc").write_text(secrets.encrypt("mot de passe IMAP"))
"""


def _snapshot(site) -> dict:
    return json.loads(site.python(SNAPSHOT).strip().splitlines()[-1])


@pytest.mark.slow
def test_a_backup_restores_every_table_and_file(site, fresh_site):
    site.python(DATA)
    before = _snapshot(site)
    assert before["contacts.Contact"][0] == 30 and len(before["files"]) == 2
    archive = Path(site.manage("backup", "--output", str(site.root / "backups")).strip())
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds the keys
    # token.enc is a file of this test, not of the archive: it travels by hand.
    (fresh_site.root / "token.enc").write_text((site.root / "token.enc").read_text())
    out = fresh_site.manage("restore", str(archive))
    # The key files; the stored files are in the database's dump (the database storage).
    assert "Restored 2 files." in out
    after = _snapshot(fresh_site)
    # The restore's migrate bumps the definitions' cache version (a counter, not data).
    assert before.pop("core.SchemaVersion")[0] == after.pop("core.SchemaVersion")[0] == 1
    assert after == before
    # Restored again, the archive is refused: the database is not empty any more.
    with pytest.raises(AssertionError, match="the database is not empty"):
        fresh_site.manage("restore", str(archive))


# -- refused archives (in-process, on the suite's own database) -------------------------------


@pytest.fixture
def archive(transactional_db, tmp_path, settings):
    """An archive of the suite's database. Committed rows: SQLite's online backup waits for
    the end of the write transaction every other test runs in, as it would for any writer."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.txt").write_text("un fichier")
    create_record("contacts", {"email": "k@example.com"}, source=UI)
    return backups.create_backup(tmp_path / "out")


def _rewrite(path: Path, *, replace=None, add=None, manifest=None) -> Path:
    """A copy of the archive with some members replaced, added, or the manifest edited."""
    target = path.with_name("altered.tar")
    with tarfile.open(path) as source, tarfile.open(target, "w") as tar:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name in (replace or {}):
                data = replace[member.name]
            if member.name == backups.MANIFEST and manifest:
                edited = json.loads(data)
                manifest(edited)
                data = json.dumps(edited).encode()
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
        for name, data in (add or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def test_an_intact_archive_is_verified(archive):
    manifest = backups.verify(archive).manifest
    assert manifest["database"] == connection.vendor
    assert set(manifest["members"]) >= {
        backups.DATABASE_MEMBER[connection.vendor],
        "files/media/a.txt",
    }
    assert "0001_initial" in manifest["migrations"]["contacts"]


def test_a_damaged_member_is_refused(archive):
    altered = _rewrite(archive, replace={"files/media/a.txt": b"un fichier modifie"})
    with pytest.raises(backups.BackupError, match=r"files/media/a\.txt: its checksum differs"):
        backups.verify(altered)


@pytest.mark.parametrize(
    "name",
    ["files/../../etc/cron.d/evil", "/etc/passwd", "notes.txt", "files"],
)
def test_a_member_outside_the_layout_is_refused(archive, name):
    altered = _rewrite(archive, add={name: b"x"})
    with pytest.raises(backups.BackupError, match="not a member a Comptoir backup holds"):
        backups.verify(altered)


def test_a_link_member_is_refused(archive, tmp_path):
    target = tmp_path / "link.tar"
    with tarfile.open(archive) as source, tarfile.open(target, "w") as tar:
        for member in source.getmembers():
            tar.addfile(member, source.extractfile(member))
        link = tarfile.TarInfo("files/media/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(backups.BackupError, match="files/media/link: not a member"):
        backups.verify(target)


def test_not_an_archive_is_said_plainly(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(
        backups.BackupError, match=r"cannot be read as a backup archive|not a Comptoir backup"
    ):
        backups.verify(junk)


def test_a_newer_schema_is_refused(archive):
    altered = _rewrite(
        archive, manifest=lambda m: m["migrations"]["contacts"].append("9999_from_the_future")
    )
    with pytest.raises(backups.BackupError, match=r"migration contacts\.9999_from_the_future"):
        backups.restore(altered)


def test_another_vendor_is_refused(archive):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    altered = _rewrite(archive, manifest=lambda m: m.update(database=other))
    with pytest.raises(backups.BackupError, match=f"holds a {other} database"):
        backups.restore(altered)


def test_a_database_that_is_not_empty_is_refused(archive):
    with pytest.raises(backups.BackupError, match="the database is not empty"):
        backups.restore(archive)


def test_old_archives_are_pruned(tmp_path):
    for stamp in ("20261201T000000Z", "20261202T000000Z", "20261203T000000Z"):
        (tmp_path / f"{backups.PREFIX}{stamp}.tar").write_bytes(b"")
    (tmp_path / "other.tar").write_bytes(b"")
    deleted = backups.prune_backups(tmp_path, keep=2)
    assert [p.name for p in deleted] == [f"{backups.PREFIX}20261201T000000Z.tar"]
    assert sorted(p.name for p in tmp_path.iterdir())[0] == f"{backups.PREFIX}20261202T000000Z.tar"


def test_the_worker_backs_up_on_schedule_keeping_the_newest(transactional_db, tmp_path, settings):
    from comptoir.core.scheduling.scheduler import PERIODIC_JOBS
    from comptoir.core.tasks import scheduled_backup

    assert PERIODIC_JOBS["scheduled_backup"][0] == settings.COMPTOIR_BACKUP_HOURS * 3600
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMPTOIR_BACKUP_DIR = ""
    assert scheduled_backup.call() == ""  # no directory set: no backup
    settings.COMPTOIR_BACKUP_DIR = str(tmp_path / "backups")
    settings.COMPTOIR_BACKUP_KEEP = 2
    (tmp_path / "backups").mkdir()
    for stamp in ("20261101T000000Z", "20261102T000000Z"):
        (tmp_path / "backups" / f"{backups.PREFIX}{stamp}.tar").write_bytes(b"")
    made = Path(scheduled_backup.call())
    backups.verify(made)
    kept = sorted(p.name for p in (tmp_path / "backups").glob("*.tar"))
    assert kept == [f"{backups.PREFIX}20261102T000000Z.tar", made.name]
