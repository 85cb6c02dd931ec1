"""A file held in the database: its name and size, its bytes in numbered chunks."""

from django.db import models


class StoredFile(models.Model):
    name = models.CharField(max_length=500, unique=True)
    size = models.BigIntegerField(default=0)
    chunk_size = models.IntegerField()
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()

    class Meta:
        app_label = "core"

    def __str__(self):
        return self.name


class StoredFileChunk(models.Model):
    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="chunks")
    index = models.IntegerField()  # the chunk's position: bytes index * chunk_size onwards
    data = models.BinaryField()

    class Meta:
        app_label = "core"
        constraints = [
            models.UniqueConstraint(fields=["file", "index"], name="core_storedfilechunk_unique")
        ]
