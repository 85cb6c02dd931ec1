"""Files every machine sees (issue 19, point 1): a server and a worker with data
directories of their own, as on two machines, on one database and one store. An import
uploaded through the API is read by the worker and its errors file by the server; an export
written by the worker downloads through the server; an attachment saved by the server is
sent by the worker. Once with the default database storage, once with an S3 server (moto)."""

import email
import email.policy
import json
import secrets
import tarfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from comptoir.core.testing.processes import wait_for

pytestmark = pytest.mark.slow

CSV = "Email,First name\r\nana@globex.fr,Ana\r\nnot-an-email,Bad\r\n"
REQUEST = {
    "name": "Salon",
    "files": [
        {
            "fileName": "contacts.csv",
            "fileImportPage": {
                "columnMappings": [
                    {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"},
                    {
                        "columnName": "First name",
                        "columnObjectTypeId": "0-1",
                        "propertyName": "firstname",
                    },
                ]
            },
        }
    ],
}
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
FERNET = "Jx4N3S0i0m3QXG5Zr9S2kq7hJ3b8cC1mVwYy0eTqRkQ="
CONNECT = """
from comptoir.mail import services
from comptoir.users.models import User
services.connect_mailbox(User.objects.get(email="boss@example.com"), {{
    "email_address": "boss@example.com", "provider": "", "smtp_host": {host!r},
    "smtp_port": {port}, "smtp_security": "starttls", "smtp_username": {user!r},
    "smtp_password": {password!r}, "imap_host": {host!r}, "imap_port": 993,
    "imap_security": "ssl",
}})
"""
STORED = """
import json
from comptoir.core.files.stored import walk
print(json.dumps(list(walk())))
"""


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, data, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A signed-in session of the super admin against a real server: cookies, CSRF token."""

    def __init__(self, site):
        self.site = site
        self.csrf = secrets.token_hex(16)  # a token of the client's own, as Django allows
        self.cookies = f"sessionid={site.session()}; csrftoken={self.csrf}"

    def send(self, method, path, *, data=None, content_type=None, htmx=False):
        headers = {"Cookie": self.cookies, "X-CSRFToken": self.csrf}
        if content_type:
            headers["Content-Type"] = content_type
        if htmx:
            headers["HX-Request"] = "true"
        request = urllib.request.Request(
            self.site.url + path, data=data, method=method, headers=headers
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=120) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(params=["database", "s3"])
def machines(request, site, tmp_path, mail_servers):
    """(site, store): the site's server on machine A and its worker on machine B, each with
    a data directory of its own, sharing the database and the store."""
    store = {}
    s3 = None
    if request.param == "s3":
        s3 = request.getfixturevalue("s3_server")
        store = s3.environment(s3.new_bucket())
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    a.mkdir()
    b.mkdir()
    database = site.env.get("DATABASE_URL") or f"sqlite:///{site.root / 'comptoir.sqlite3'}"
    site.env.update(
        DATABASE_URL=database,
        COMPTOIR_DATA_DIR=str(a),
        SECRET_KEY=(site.root / "secret_key").read_text().strip(),
        COMPTOIR_SECRET_KEYS=FERNET,
        COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS="true",
        COMPTOIR_MAIL_CA_FILE=str(mail_servers.ca_file),
        **store,
    )
    site.python(
        CONNECT.format(
            host=mail_servers.host,
            port=mail_servers.smtp_starttls_port,
            user=mail_servers.user,
            password=mail_servers.password,
        )
    )
    site.serve()
    site.start(
        "worker", "--no-scheduler", "--interval", "0.1", log="worker.log", COMPTOIR_DATA_DIR=str(b)
    )
    yield site, a, b, s3, store


def test_imports_exports_and_attachments_cross_machines(machines, mail_servers):
    site, a, b, s3, store = machines
    browser = Browser(site)

    # An import uploaded to the server (A), run by the worker (B).
    body, content_type = multipart(
        {"importRequest": json.dumps(REQUEST)},
        {"files": ("contacts.csv", CSV.encode(), "text/csv")},
    )
    status, _, text = site.request(
        "POST", "/crm/v3/imports", data=body, headers={"Content-Type": content_type}
    )
    assert status == 200, text
    import_id = json.loads(text)["id"]

    def finished():
        answer = json.loads(site.request("GET", f"/crm/v3/imports/{import_id}")[2])
        return answer if answer["state"] in ("DONE", "FAILED") else None

    answer = wait_for(finished, "the worker ran the import", tries=1200)
    assert answer["state"] == "DONE", site.log("worker.log")
    status, _, text = site.request("GET", f"/crm/v3/imports/{import_id}/errors?includeRowData=true")
    errors = json.loads(text)["results"]
    assert status == 200 and len(errors) == 1, text
    assert "not-an-email" in json.dumps(errors[0])
    status, _, errors_file = browser.send("GET", f"/imports/{import_id}/errors.csv")
    assert status == 200 and b"not-an-email" in errors_file

    # An export asked on the server, written by the worker, downloaded from the server.
    body = b"format=CSV&params="
    status, headers, _ = browser.send(
        "POST",
        "/imports/export/contacts/",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert status == 302, headers
    export_page = headers["Location"]
    download = f"{export_page}download/"

    def downloaded():
        status, headers, content = browser.send("GET", download)
        return (status, headers, content) if status == 200 else None

    _, headers, content = wait_for(downloaded, "the export downloads", tries=1200)
    assert "attachment" in headers["Content-Disposition"]
    assert "ana@globex.fr" in content.decode("utf-8-sig")
    assert int(headers["Content-Length"]) == len(content)

    # An email with an attachment sent from a contact's page, delivered by the worker.
    contact = json.loads(
        site.request(
            "POST", "/crm/v3/objects/contacts", {"properties": {"email": "anne@client.fr"}}
        )[2]
    )["id"]
    before = len(mail_servers.inbox.messages)
    body, content_type = multipart(
        {"to": "anne@client.fr", "subject": "Votre devis", "body": "<p>Ci-joint</p>", "now": "1"},
        {"attachments": ("devis.pdf", PDF, "application/pdf")},
    )
    status, _, page = browser.send(
        "POST", f"/mail/send/contacts/{contact}/", data=body, content_type=content_type, htmx=True
    )
    assert status == 200, page[-2000:]
    wait_for(
        lambda: len(mail_servers.inbox.messages) > before, "the worker sent the email", tries=1200
    )
    sent = [
        email.message_from_bytes(raw, policy=email.policy.default)
        for raw in mail_servers.inbox.messages[before:]
    ]
    message = next(m for m in sent if m["Subject"] == "Votre devis")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "devis.pdf"
    assert attachment.get_content() == PDF

    # Neither machine's data directory holds any of these files: the store does.
    for machine in (a, b):
        assert not (machine / "media").exists()
    names = json.loads(site.python(STORED).strip().splitlines()[-1])
    kinds = sorted({name.split("/")[0] for name in names})
    assert kinds == ["exports", "imports", "mail"], names
    if s3 is not None:
        objects = s3.objects(store["COMPTOIR_S3_BUCKET"])
        assert sorted(objects) == sorted(names)
        assert objects[next(n for n in names if n.endswith(".pdf"))] == PDF


SAVE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
default_storage.save("imports/7/contacts.csv", ContentFile("email\\\\nana@globex.fr\\\\n".encode()))
default_storage.save("mail/attachments/devis.pdf", ContentFile(bytes(range(256)) * 5000))
"""


def test_a_backup_of_an_s3_installation_holds_its_files(site, fresh_site, s3_server):
    source = s3_server.new_bucket()
    site.env.update(s3_server.environment(source))
    site.python(SAVE)
    archive = Path(site.manage("backup", "--output", str(site.root / "backups")).strip())
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"files/media/imports/7/contacts.csv", "files/media/mail/attachments/devis.pdf"} <= names
    target = s3_server.new_bucket()
    fresh_site.env.update(s3_server.environment(target))
    out = fresh_site.manage("restore", str(archive))
    assert "Restored 3 files." in out  # the two stored files and secret_key
    restored = s3_server.objects(target)
    assert restored == s3_server.objects(source) and len(restored) == 2
