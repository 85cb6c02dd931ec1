"""DatabaseStorage: Django's storage API over the database (StoredFile, StoredFileChunk).

Several machines on one database see the same files with nothing else to run. A file is
written chunk by chunk (1 MiB rows) in one transaction, so it appears whole or not at all
and never sits in memory entire; it is read back the same way, one chunk at a time, by a
seekable file object (what FileResponse streams and openpyxl seeks in)."""

import io

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from comptoir.core.files.models import StoredFile, StoredFileChunk

CHUNK_SIZE = 1024 * 1024


class ChunkReader(io.RawIOBase):
    """A stored file read one chunk (one query) at a time; seekable."""

    def __init__(self, stored: StoredFile):
        self.stored = stored
        self.position = 0
        self._index = -1
        self._data = b""

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.stored.size}
        self.position = max(0, base[whence] + offset)
        return self.position

    def _chunk(self, index: int) -> bytes:
        if index != self._index:
            row = StoredFileChunk.objects.filter(file_id=self.stored.pk, index=index)
            data = row.values_list("data", flat=True).first()
            self._index, self._data = index, bytes(data or b"")
        return self._data

    def readinto(self, buffer):
        if self.position >= self.stored.size:
            return 0
        size = self.stored.chunk_size
        chunk = self._chunk(self.position // size)
        start = self.position % size
        data = chunk[start : start + len(buffer)]
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def readall(self):
        parts = []
        while data := self.read(self.stored.chunk_size):
            parts.append(data)
        return b"".join(parts)


@deconstructible(path="comptoir.core.files.database.DatabaseStorage")
class DatabaseStorage(Storage):
    def __init__(self, chunk_size: int = CHUNK_SIZE):
        self.chunk_size = chunk_size

    def _stored(self, name: str) -> StoredFile:
        try:
            return StoredFile.objects.get(name=name)
        except StoredFile.DoesNotExist:
            raise FileNotFoundError(f"no stored file named {name!r}") from None

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            raise ValueError("stored files are written with save(), not open() for writing")
        reader = io.BufferedReader(ChunkReader(self._stored(name)), buffer_size=64 * 1024)
        return File(reader, name)

    def _save(self, name, content):
        while True:
            try:
                with transaction.atomic():
                    return self._write(name, content)
            except IntegrityError:  # another process took the name meanwhile
                name = self.get_available_name(name)

    def _write(self, name, content) -> str:
        now = timezone.now()
        stored = StoredFile.objects.create(
            name=name, chunk_size=self.chunk_size, created_at=now, modified_at=now
        )
        if hasattr(content, "seek") and getattr(content, "seekable", lambda: True)():
            content.seek(0)
        size = index = 0
        pending = bytearray()
        for piece in content.chunks(self.chunk_size):
            if not pending and len(piece) == self.chunk_size:  # a file's pieces: whole chunks
                StoredFileChunk.objects.create(file=stored, index=index, data=piece)
                index, size = index + 1, size + len(piece)
                continue
            pending += piece
            while len(pending) >= self.chunk_size:
                block = bytes(pending[: self.chunk_size])
                del pending[: self.chunk_size]
                StoredFileChunk.objects.create(file=stored, index=index, data=block)
                index, size = index + 1, size + len(block)
        if pending:
            StoredFileChunk.objects.create(file=stored, index=index, data=bytes(pending))
            size += len(pending)
        StoredFile.objects.filter(pk=stored.pk).update(size=size)
        return name

    def delete(self, name):
        StoredFile.objects.filter(name=name).delete()

    def exists(self, name):
        return StoredFile.objects.filter(name=name).exists()

    def size(self, name):
        return self._stored(name).size

    def get_modified_time(self, name):
        return self._stored(name).modified_at

    def get_created_time(self, name):
        return self._stored(name).created_at

    def get_accessed_time(self, name):
        return self._stored(name).modified_at

    def listdir(self, path):
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        directories, files = set(), []
        names = StoredFile.objects.filter(name__startswith=prefix).values_list("name", flat=True)
        for name in names.order_by("name").iterator():
            rest = name[len(prefix) :]
            head, slash, _tail = rest.partition("/")
            if slash:
                directories.add(head)
            else:
                files.append(rest)
        return sorted(directories), files

    def url(self, name):
        raise NotImplementedError("stored files have no public address; a view serves them")
