"""Request bodies read whole, however they are sent (issue 15, point 1).

Django reads `CONTENT_LENGTH` bytes of a body and nothing when the header is missing. A
client that streams its body with `Transfer-Encoding: chunked` (the official Node SDK
sends the imports upload that way) sends no length: Django saw an empty body ("The
request body is empty", "importRequest is not valid JSON"). gunicorn decodes the chunks
and ends `wsgi.input` at the body's end; this middleware reads it there, into a spooled
file (memory, then disk past 1 MB), and hands Django the length.

A body with `Content-Encoding: gzip` is inflated the same way (HubSpot does not document
compressed request bodies; accepting them costs nothing and refusing them would break a
client that compresses by default). Any other encoding answers 415. Both are capped at
the largest body Comptoir takes (an import file, or DATA_UPLOAD_MAX_MEMORY_SIZE), plus
1 MB for a multipart envelope; past that, a 413, so a small gzip bomb cannot fill the disk.
"""

import json
import tempfile
import uuid
import zlib

from django.conf import settings

BLOCK = 64 * 1024
SPOOL = 1024 * 1024


def body_cap() -> int:
    largest = max(settings.COMPTOIR_IMPORT_MAX_FILE_SIZE, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
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
    cap = body_cap()
    # Handed to Django as wsgi.input for the request's life; closed when collected.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
    size = 0
    while remaining is None or remaining > 0:
        block = stream.read(BLOCK if remaining is None else min(BLOCK, remaining))
        if not block:
            break
        if remaining is not None:
            remaining -= len(block)
        if inflater is not None:
            block = inflater.decompress(block, cap + 1 - size)
            if inflater.unconsumed_tail:  # more output than the cap allows
                raise TooLarge
        size += len(block)
        if size > cap:
            raise TooLarge
        out.write(block)
    if inflater is not None and not inflater.eof:
        raise EOFError
    out.seek(0)
    return out, size


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
