"""The database storage (core/files/database.py) as Django's storage API promises it,
files moved from the disk into it (`comptoir migrate_files`), and the storage's settings."""

import io
import os
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File
from django.core.management import call_command
from django.utils import timezone

from comptoir.core.files import stored
from comptoir.core.files.database import DatabaseStorage
from comptoir.core.files.models import StoredFile, StoredFileChunk
from comptoir.core.scheduling import scheduler
from comptoir.core.tests.test_config import _comptoir

pytestmark = pytest.mark.django_db
DATA = bytes(range(256)) * 4 + b"end"  # 1,027 bytes


@pytest.fixture
def small():
    """Chunks of 100 bytes: a small file crosses several."""
    return DatabaseStorage(chunk_size=100)


def test_a_file_is_saved_in_chunks_and_read_back_whole(small, django_assert_num_queries):
    before = timezone.now()
    name = small.save("imports/a/contacts.csv", ContentFile(DATA))
    assert name == "imports/a/contacts.csv"
    stored_file = StoredFile.objects.get(name=name)
    assert stored_file.size == small.size(name) == len(DATA)
    assert StoredFileChunk.objects.filter(file=stored_file).count() == 11
    assert small.exists(name) and small.get_modified_time(name) >= before
    assert small.get_created_time(name) == small.get_modified_time(name)
    # One query for the file, one per chunk read.
    with django_assert_num_queries(12), small.open(name) as handle:
        assert handle.read() == DATA


def test_reads_seek_across_chunks(small):
    name = small.save("x.bin", ContentFile(DATA))
    with small.open(name) as handle:
        handle.seek(95)
        assert handle.read(10) == DATA[95:105]
        handle.seek(-3, io.SEEK_END)
        assert handle.read() == b"end" and handle.tell() == len(DATA)
        handle.seek(0)
        assert handle.read(1) == DATA[:1]


def test_names_are_unique_and_files_deleted(small):
    first = small.save("exports/a.csv", ContentFile(b"un"))
    second = small.save("exports/a.csv", ContentFile(b"deux"))
    assert first == "exports/a.csv" and second != first and second.startswith("exports/a_")
    assert small.open(first).read() == b"un" and small.open(second).read() == b"deux"
    small.delete(first)
    assert not small.exists(first) and small.exists(second)
    assert not StoredFileChunk.objects.filter(file__name=first).exists()
    with pytest.raises(FileNotFoundError):
        small.open(first)
    with pytest.raises(FileNotFoundError):
        small.size(first)
    small.delete(first)  # deleting what is not there is no error, as on a disk


def test_listing_and_empty_files(small):
    for name in ("a/b/c.txt", "a/d.txt", "e.txt"):
        small.save(name, ContentFile(b""))
    assert small.listdir("") == (["a"], ["e.txt"])
    assert small.listdir("a") == (["b"], ["d.txt"])
    assert small.open("a/d.txt").read() == b"" and small.size("a/d.txt") == 0
    assert list(stored.walk()) == ["e.txt", "a/d.txt", "a/b/c.txt"]  # the same rows


def test_the_default_storage_is_the_database(small):
    assert isinstance(stored.storage(), DatabaseStorage)
    name = stored.save("a/b.txt", ContentFile(b"x"))
    assert list(stored.walk()) == [name] and stored.storage().listdir("a") == ([], ["b.txt"])


def test_no_file_is_opened_for_writing(small):
    small.save("w.txt", ContentFile(b"x"))
    with pytest.raises(ValueError, match="save"):
        small.open("w.txt", "wb")


def test_a_large_file_never_sits_in_memory_whole(tmp_path):
    storage = DatabaseStorage()
    source = tmp_path / "big.bin"
    block = bytes(range(256)) * 4096  # 1 MiB
    with source.open("wb") as out:
        for _ in range(24):
            out.write(block)
    tracemalloc.start()
    try:
        with source.open("rb") as handle:
            name = storage.save("big.bin", File(handle))
        with storage.open(name) as handle:
            read = sum(len(piece) for piece in iter(lambda: handle.read(64 * 1024), b""))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read == 24 * len(block)
    # A chunk at a time (PostgreSQL's driver quotes a chunk as hex text: a few copies of
    # one MiB), far from the file's 24 MiB.
    assert peak < 12 * len(block), peak


# -- downloads --------------------------------------------------------------------------------


def test_an_export_download_streams_from_the_storage_and_hides_others(client):
    from comptoir.core.testing.factories import make_contact, make_user
    from comptoir.imports import exports
    from comptoir.imports.models import Export

    owner = make_user("owner@example.com", role="Super admin")
    make_contact(email="x@example.com")
    export = exports.start_export(owner, "contacts", "", "CSV")
    exports.run(export.pk)
    export.refresh_from_db()
    assert not Path(export.file_path).is_absolute() and stored.storage().exists(export.file_path)
    client.force_login(owner)
    response = client.get(f"/imports/exports/{export.pk}/download/")
    assert response.status_code == 200 and response.streaming
    assert b"x@example.com" in b"".join(response.streaming_content)
    # Another user's export answers as a missing one does.
    client.force_login(make_user("rep@example.com", role="Sales rep"))
    assert client.get(f"/imports/exports/{export.pk}/download/").status_code == 404
    assert client.get("/imports/exports/999999/download/").status_code == 404
    # A file gone from the storage is a missing download, not a server error.
    client.force_login(owner)
    stored.delete(Export.objects.get(pk=export.pk).file_path)
    assert client.get(f"/imports/exports/{export.pk}/download/").status_code == 404


# -- files written on the disk before the storage ---------------------------------------------


def test_migrate_files_moves_old_files_into_the_storage_once(settings, tmp_path, capsys):
    from comptoir.core.testing.factories import make_user
    from comptoir.imports.models import Export, Import
    from comptoir.users.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    upload = tmp_path / "media" / "imports" / "3f2a" / "contacts.csv"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"Email\r\nana@globex.fr\r\n")
    elsewhere = tmp_path / "old" / "export.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"Name\r\nAna\r\n")
    photo = tmp_path / "media" / "photos" / "me.png"
    photo.parent.mkdir()
    photo.write_bytes(b"\x89PNG")
    user = make_user()
    User.objects.filter(pk=user.pk).update(photo="photos/me.png")
    imp = Import.objects.create(
        name="c", user=user, file_name="contacts.csv", file_path=str(upload)
    )
    export = Export.objects.create(
        user=user, object_type="contacts", name="e", state="DONE", file_path=str(elsewhere)
    )
    gone = Import.objects.create(name="g", user=user, file_name="g.csv", file_path="/nowhere/g")

    call_command("migrate_files")
    out, err = capsys.readouterr()
    assert "Moved 3 files into the storage." in out
    assert f"Import {gone.pk}: /nowhere/g" in err
    imp.refresh_from_db()
    export.refresh_from_db()
    assert imp.file_path == "imports/3f2a/contacts.csv"
    assert export.file_path == "legacy/old/export.csv"
    assert stored.open_file(imp.file_path).read() == b"Email\r\nana@globex.fr\r\n"
    assert stored.open_file(export.file_path).read() == b"Name\r\nAna\r\n"
    assert User.objects.get(pk=user.pk).photo.read() == b"\x89PNG"
    assert not upload.exists() and not elsewhere.exists() and not photo.exists()

    call_command("migrate_files")  # nothing left to move
    assert "Moved 0 files into the storage." in capsys.readouterr().out


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"COMPTOIR_STORAGE": "ftp"}, "COMPTOIR_STORAGE='ftp' is not one of: database, "),
        ({"COMPTOIR_STORAGE": "s3"}, "COMPTOIR_STORAGE=s3 needs COMPTOIR_S3_BUCKET"),
        (
            {
                "COMPTOIR_STORAGE": "s3",
                "COMPTOIR_S3_BUCKET": "crm",
                "COMPTOIR_S3_ENDPOINT_URL": "minio:9000",
            },
            "COMPTOIR_S3_ENDPOINT_URL='minio:9000' is not an http(s) address",
        ),
        (
            {
                "COMPTOIR_STORAGE": "s3",
                "COMPTOIR_S3_BUCKET": "crm",
                "COMPTOIR_S3_ACCESS_KEY_ID": "AKIA",
            },
            "Set both COMPTOIR_S3_ACCESS_KEY_ID and COMPTOIR_S3_SECRET_ACCESS_KEY",
        ),
    ],
)
def test_a_bad_storage_setting_is_one_line(tmp_path, environ, message):
    result = _comptoir("check", tmp_path=tmp_path, **environ)
    assert result.returncode == 2
    assert result.stderr.startswith("comptoir: configuration error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_pieces_of_any_size_make_whole_chunks(small):
    class Pieces(ContentFile):
        def chunks(self, chunk_size=None):
            data = self.read()
            for start in range(0, len(data), 37):  # an upload's own piece size
                yield data[start : start + 37]

    name = small.save("pieces.bin", Pieces(DATA))
    sizes = StoredFileChunk.objects.filter(file__name=name).order_by("index")
    assert [len(bytes(c.data)) for c in sizes] == [100] * 10 + [27]
    assert small.open(name).read() == DATA


def test_a_finished_import_leaves_no_copy_on_the_machine(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptoir.core.testing.factories import make_user
    from comptoir.imports import engine, services
    from comptoir.imports.models import Import, ImportState

    user = make_user(role="Super admin")
    imp = services.create_draft(
        user, SimpleUploadedFile("c.csv", b"Email\r\nana@globex.fr\r\n"), "contacts"
    )
    copy = stored.local_path(imp.file_path)
    assert copy.is_file() and copy.is_relative_to(Path(settings.DATA_DIR) / "cache")
    Import.objects.filter(pk=imp.pk).update(state=ImportState.STARTED)
    assert engine.run(imp.pk) == ImportState.DONE
    assert not copy.exists() and stored.storage().exists(imp.file_path)
    # Read again (an undo, a resumed run), it comes back from the storage.
    assert stored.local_path(imp.file_path).read_bytes() == b"Email\r\nana@globex.fr\r\n"


def test_a_machines_old_cached_copies_and_work_files_are_pruned(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    name = stored.save("imports/p/contacts.csv", ContentFile(b"email\na@example.com\n"))
    copy = stored.local_path(name)  # the database storage: a copy in cache/files
    assert copy.is_file() and "cache/files" in str(copy)
    work = stored.work_directory() / "upload.csv"
    work.write_text("x")
    fresh = stored.work_directory() / "fresh.csv"
    fresh.write_text("y")
    now = copy.stat().st_mtime + stored.CACHE_MAX_AGE + 60
    for old in (copy, work):
        os.utime(old, (now - stored.CACHE_MAX_AGE - 1, now - stored.CACHE_MAX_AGE - 1))
    os.utime(fresh, (now, now))

    assert stored.prune_local_cache(now, force=True) == 2
    assert not copy.exists() and not copy.parent.exists()  # its directory went too
    assert not work.exists() and fresh.exists()
    assert stored.prune_local_cache(now) == 0  # at most once an hour per process
    # Wanted again: downloaded again from the storage.
    assert stored.local_path(name).read_bytes() == b"email\na@example.com\n"


def test_the_workers_tick_prunes_its_machines_cache(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    old = stored.work_directory() / "left-behind.csv"
    old.write_text("x")
    long_ago = old.stat().st_mtime - stored.CACHE_MAX_AGE - 60
    os.utime(old, (long_ago, long_ago))
    monkeypatch.setattr(stored, "_last_prune", 0.0)
    monkeypatch.setattr(scheduler, "PERIODIC_JOBS", {})  # only the recoveries
    scheduler.tick("tests")
    assert not old.exists()
