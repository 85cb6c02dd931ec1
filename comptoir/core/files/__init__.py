"""Stored files (issue 19, point 1): imports, exports, mail attachments and profile photos
go through Django's storage API (`storages["default"]`), so every machine running Comptoir
sees the same files. By default the files live in the database itself (database.py: one
row per file, its bytes in chunks of 1 MiB); an S3-compatible store (django-storages) or a
local directory can be configured instead (config/env.py: storage())."""
