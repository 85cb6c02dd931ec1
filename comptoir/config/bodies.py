"""Request bodies read whole, however they are sent (issue 15, point 1).

Django reads `CONTENT_LENGTH` bytes of a body and nothing when the header is missing. A
client that streams its body with `Transfer-Encoding: chunked` (the official Node SDK
sends the imports upload that way) sends no length: Django saw an empty body ("The
request body is empty", "importRequest is not valid JSON"). gunicorn decodes the chunks
and ends `wsgi.input` at the body's end; this middleware reads it there, into a spooled
file (memory, then disk past 1 MB), and hands Django the length.

A body with `Content-Encoding: gzip` is inflated the same way (HubSpot does not document
compressed request bodies; accepting them costs nothing and refusing them would break a
client that compresses by default). Any other encoding answers 415. Both are capped (what is
sent and what it inflates to) at the largest body the path takes: an import file on the
import upload, Django's DATA_UPLOAD_MAX_MEMORY_SIZE elsewhere, plus 1 MB for a multipart
envelope; past that, a 413, so a small gzip bomb cannot fill the disk. A gzip body may hold
several members; bytes after a member that start no new one make it corrupt (400).
"""

import json
import tempfile
import uuid
import zlib

from django.conf import settings

BLOCK = 64 * 1024
SPOOL = 1024 * 1024


IMPORT_UPLOADS = "/crm/v3/imports"


def body_cap(path: str = IMPORT_UPLOADS) -> int:
    """The largest body a path takes: an import file on the import upload, Django's own
    limit elsewhere (this runs before authentication: an anonymous request must not make the
    server inflate half a gigabyte), plus 1 MB for a multipart envelope."""
    largest = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    if path.rstrip("/") == IMPORT_UPLOADS:
        largest = max(settings.COMPTOIR_IMPORT_MAX_FILE_SIZE, largest)
    return largest + 1024 * 1024


class TooLarge(Exception):
    pass


class WholeBody:
    """WSGI middleware: a chunked or gzip-encoded body becomes a plain one of known length."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        encoding = environ.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        unsized = chunked and not environ.get("CONTENT_LENGTH")
        if encoding in ("", "identity") and not unsized:
            return self.application(environ, start_response)
        if encoding not in ("", "identity", "gzip", "x-gzip"):
            return _error(
                start_response,
                "415 Unsupported Media Type",
                f"Content-Encoding {encoding!r} is not supported; send gzip or nothing.",
            )
        try:
            body, size = _read(environ, gzip=encoding in ("gzip", "x-gzip"), sized=not unsized)
        except TooLarge:
            return _error(
                start_response, "413 Request Entity Too Large", "The request body is too large."
            )
        except (zlib.error, EOFError):
            return _error(start_response, "400 Bad Request", "The gzip request body is corrupt.")
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_CONTENT_ENCODING", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.application(environ, start_response)


def _read(environ, *, gzip: bool, sized: bool):
    stream = environ["wsgi.input"]
    remaining = int(environ["CONTENT_LENGTH"]) if sized else None
    inflater = zlib.decompressobj(wbits=31) if gzip else None
    cap = body_cap(environ.get("PATH_INFO", ""))
    if remaining is not None and remaining > cap:
        raise TooLarge
    # Handed to Django as wsgi.input for the request's life; closed when collected.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
    size = read = 0
    while remaining is None or remaining > 0:
        block = stream.read(BLOCK if remaining is None else min(BLOCK, remaining))
        if not block:
            break
        read += len(block)
        if read > cap:  # what is sent counts too, not only what it inflates to
            raise TooLarge
        if remaining is not None:
            remaining -= len(block)
        if inflater is not None:
            block, inflater = _inflate(inflater, block, cap + 1 - size)
        size += len(block)
        if size > cap:
            raise TooLarge
        out.write(block)
    if inflater is not None and not inflater.eof:
        raise EOFError
    out.seek(0)
    return out, size


def _inflate(inflater, data: bytes, room: int):
    """Inflate `data` into at most `room` bytes; a gzip body may hold several members, each
    starting where the previous one ended (anything else after a member is corrupt: zlib.error)."""
    output = b""
    while data:
        if room - len(output) <= 0:  # max_length=0 would mean "no limit"
            raise TooLarge
        output += inflater.decompress(data, room - len(output))
        if inflater.unconsumed_tail:  # more output than the cap allows
            raise TooLarge
        data = b""
        if inflater.eof and inflater.unused_data:
            data = inflater.unused_data
            inflater = zlib.decompressobj(wbits=31)
    return output, inflater


def _error(start_response, status: str, message: str):
    category = "VALIDATION_ERROR"
    body = json.dumps(
        {
            "status": "error",
            "message": message,
            "correlationId": str(uuid.uuid4()),
            "category": category,
        }
    ).encode()
    start_response(
        status,
        [("Content-Type", "application/json;charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]
