"""Request bodies are read whole however they are sent (issue 15, point 1): chunked
(`Transfer-Encoding: chunked`, no Content-Length: the official Node SDK sends the imports
upload so), gzip-encoded, or both. Raw requests (http.client) through a real
`comptoir serve` (gunicorn decodes the chunks; comptoir/config/bodies.py hands Django the
length), one server for the module."""

import gzip
import http.client
import io
import json
import urllib.parse
import uuid

import pytest

from comptoir.config.bodies import WholeBody

pytestmark = pytest.mark.slow


def send(site, method, path, body: bytes, headers: dict, *, chunk: int | None = None):
    """(status, JSON body); `chunk`: send the body as chunks of that size, no length."""
    url = urllib.parse.urlsplit(site.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    headers = {"Authorization": f"Bearer {site.token}", **headers}
    try:
        if chunk:
            pieces = (body[i : i + chunk] for i in range(0, len(body), chunk))
            conn.request(method, path, body=pieces, headers=headers, encode_chunked=True)
        else:
            conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def contact_json(email: str) -> bytes:
    return json.dumps({"properties": {"email": email, "firstname": "Chunked"}}).encode()


JSON = {"Content-Type": "application/json"}


def test_a_chunked_json_body_is_read_whole(served_site):
    status, body = send(
        served_site,
        "POST",
        "/crm/v3/objects/contacts",
        contact_json("c1@example.com"),
        JSON,
        chunk=7,
    )
    assert status == 201, body
    assert body["properties"]["email"] == "c1@example.com"
    status, found = send(
        served_site,
        "POST",
        "/crm/v3/objects/contacts/search",
        json.dumps(
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": "c1@example.com"}]}
        ).encode(),
        JSON,
        chunk=5,
    )
    assert (status, [r["id"] for r in found["results"]]) == (200, [body["id"]])


def multipart(fields: dict[str, tuple[str | None, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, (filename, data) in fields.items():
        out.write(f"--{boundary}\r\n".encode())
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"Content-Disposition: {disposition}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def test_a_chunked_import_upload_is_read_whole(served_site):
    """What the Node SDK sends for crm.imports.coreApi.create: multipart, chunked."""
    request = {
        "name": "chunked",
        "files": [
            {
                "fileName": "contacts.csv",
                "fileFormat": "CSV",
                "fileImportPage": {
                    "hasHeader": True,
                    "columnMappings": [
                        {
                            "columnName": "Email",
                            "columnObjectTypeId": "0-1",
                            "propertyName": "email",
                        }
                    ],
                },
            }
        ],
    }
    csv = b"Email\r\n" + b"".join(f"imp{i}@example.com\r\n".encode() for i in range(200))
    body, content_type = multipart(
        {
            "importRequest": (None, json.dumps(request).encode()),
            "files": ("contacts.csv", csv),
        }
    )
    status, answer = send(
        served_site, "POST", "/crm/v3/imports", body, {"Content-Type": content_type}, chunk=1000
    )
    assert status == 200, answer
    assert answer["state"] in ("STARTED", "PROCESSING", "DONE"), answer


def test_a_gzip_body_is_inflated_chunked_or_not(served_site):
    packed = gzip.compress(contact_json("gz1@example.com"))
    headers = {**JSON, "Content-Encoding": "gzip"}
    status, body = send(served_site, "POST", "/crm/v3/objects/contacts", packed, headers)
    assert (status, body["properties"]["email"]) == (201, "gz1@example.com"), body
    packed = gzip.compress(contact_json("gz2@example.com"))
    status, body = send(served_site, "POST", "/crm/v3/objects/contacts", packed, headers, chunk=9)
    assert (status, body["properties"]["email"]) == (201, "gz2@example.com"), body


def test_a_bad_encoding_answers_hubspot_json(served_site):
    headers = {**JSON, "Content-Encoding": "gzip"}
    status, body = send(served_site, "POST", "/crm/v3/objects/contacts", b"not gzip", headers)
    assert (status, body["category"]) == (400, "VALIDATION_ERROR"), body
    headers = {**JSON, "Content-Encoding": "br"}
    status, body = send(served_site, "POST", "/crm/v3/objects/contacts", b"{}", headers)
    assert status == 415 and body["status"] == "error", body


def test_an_inflated_body_past_the_cap_is_refused_unread(settings):
    """A small gzip bomb: 20 MB of zeros in 20 kB; the cap is the largest body plus 1 MB."""
    settings.COMPTOIR_IMPORT_MAX_FILE_SIZE = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    called = []

    def application(environ, start_response):
        called.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b""]

    answers = []
    bomb = gzip.compress(b"\0" * 20 * 1024 * 1024)
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(bomb)),
        "HTTP_CONTENT_ENCODING": "gzip",
        "wsgi.input": io.BytesIO(bomb),
    }
    body = b"".join(WholeBody(application)(environ, lambda status, _: answers.append(status)))
    assert answers == ["413 Request Entity Too Large"] and not called
    assert json.loads(body)["message"] == "The request body is too large."
    small = gzip.compress(b"x" * 5000)
    environ.update({"CONTENT_LENGTH": str(len(small)), "wsgi.input": io.BytesIO(small)})
    environ["HTTP_CONTENT_ENCODING"] = "gzip"
    WholeBody(application)(environ, lambda status, _: answers.append(status))
    assert called == [b"x" * 5000] and environ["CONTENT_LENGTH"] == "5000"


def _through(body: bytes, path: str, *, chunked: bool = False):
    """(statuses, what the application read) for a gzip body sent to `path`."""
    read, statuses = [], []

    def application(environ, start_response):
        read.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b""]

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "HTTP_CONTENT_ENCODING": "gzip",
        "wsgi.input": io.BytesIO(body),
    }
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    b"".join(WholeBody(application)(environ, lambda status, _: statuses.append(status)))
    return statuses, read


def test_only_the_import_upload_takes_an_import_sized_body(settings):
    """The middleware runs before authentication: elsewhere the cap is Django's own limit,
    so an anonymous request cannot make the server inflate an import's worth of data."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.COMPTOIR_IMPORT_MAX_FILE_SIZE = 8 * 1024 * 1024
    packed = gzip.compress(b"\0" * 3 * 1024 * 1024)
    assert _through(packed, "/crm/v3/objects/contacts") == (["413 Request Entity Too Large"], [])
    statuses, read = _through(packed, "/crm/v3/imports")
    assert statuses == ["200 OK"] and len(read[0]) == 3 * 1024 * 1024


def test_gzip_members_chain_and_trailing_bytes_are_corrupt(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    two = gzip.compress(b"first ") + gzip.compress(b"second")
    assert _through(two, "/crm/v3/objects/contacts", chunked=True) == (
        ["200 OK"],
        [b"first second"],
    )
    # Bytes after a member that start no new member: a corrupt body, not dropped silently
    # (nor kept piling up in memory while the client sends more).
    tail = gzip.compress(b"ok") + b"\x00" * 200_000
    assert _through(tail, "/crm/v3/objects/contacts", chunked=True) == (["400 Bad Request"], [])
    # What is sent counts against the cap, whatever it inflates to.
    noise = gzip.compress(bytes(range(256)) * 20_000, compresslevel=0)
    assert _through(noise, "/crm/v3/objects/contacts", chunked=True)[0] == [
        "413 Request Entity Too Large"
    ]
