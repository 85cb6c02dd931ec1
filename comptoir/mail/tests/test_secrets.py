"""Secrets at rest: encrypted in the database, readable through every current key,
re-encrypted with the newest by `rotate_secret_keys`; the key file made once, mode 0600."""

import io
import stat

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from comptoir.core import secrets
from comptoir.core.testing.factories import make_user
from comptoir.mail.models import Mailbox

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def make_mailbox(user, password="s3cret-Pa55", imap_password=""):
    return Mailbox.objects.create(
        user=user,
        email_address=user.email,
        smtp_host="smtp.example.com",
        smtp_port=465,
        smtp_security="ssl",
        smtp_username=user.email,
        smtp_password=password,
        imap_host="imap.example.com",
        imap_port=993,
        imap_security="ssl",
        imap_username="other" if imap_password else "",
        imap_password=imap_password,
    )


def raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM mail_mailbox WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_passwords_are_not_stored_in_plain_text(settings):
    settings.COMPTOIR_SECRET_KEYS = [NEW]
    mailbox = make_mailbox(make_user(), imap_password="imap-Secret-9")
    stored = raw("smtp_password", mailbox.pk)
    assert "s3cret" not in stored and stored.startswith("gAAAA")
    assert "imap-Secret" not in raw("imap_password", mailbox.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM mail_mailbox")
        assert "s3cret-Pa55" not in repr(cursor.fetchall())
    fresh = Mailbox.objects.get(pk=mailbox.pk)
    assert fresh.smtp_password == "s3cret-Pa55"
    assert fresh.imap_password == "imap-Secret-9"


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_newest_key_and_is_idempotent(settings):
    settings.COMPTOIR_SECRET_KEYS = [OLD]
    boxes = [make_mailbox(make_user(), password=f"pw-{i}") for i in range(5)]
    before = raw("smtp_password", boxes[0].pk)
    # A new key first: the old one still reads what it wrote, before any rotation.
    settings.COMPTOIR_SECRET_KEYS = [NEW, OLD]
    assert Mailbox.objects.get(pk=boxes[0].pk).smtp_password == "pw-0"
    out = io.StringIO()
    call_command("rotate_secret_keys", batch_size=2, stdout=out)
    assert "5 secret(s) re-encrypted" in out.getvalue()
    after = raw("smtp_password", boxes[0].pk)
    assert after != before
    assert Fernet(NEW.encode()).decrypt(after.encode()) == b"pw-0"
    # The old key can go now.
    settings.COMPTOIR_SECRET_KEYS = [NEW]
    assert [Mailbox.objects.get(pk=b.pk).smtp_password for b in boxes] == [
        f"pw-{i}" for i in range(5)
    ]
    out = io.StringIO()
    call_command("rotate_secret_keys", stdout=out)
    assert "0 secret(s) re-encrypted" in out.getvalue()
    assert raw("smtp_password", boxes[0].pk) == after


@pytest.mark.django_db
def test_a_secret_no_key_reads_is_reported_not_a_crash(settings):
    settings.COMPTOIR_SECRET_KEYS = [OLD]
    mailbox = make_mailbox(make_user())
    settings.COMPTOIR_SECRET_KEYS = [NEW]
    fresh = Mailbox.objects.get(pk=mailbox.pk)
    assert isinstance(fresh.smtp_password, secrets.UnreadableSecret)
    assert not fresh.smtp_password
    err = io.StringIO()
    call_command("rotate_secret_keys", stdout=io.StringIO(), stderr=err)
    assert "1 secret(s) could not be read" in err.getvalue()


@pytest.mark.django_db
def test_the_key_file_is_made_once_with_mode_0600(settings, tmp_path):
    settings.COMPTOIR_SECRET_KEYS = []
    settings.DATA_DIR = tmp_path
    token = secrets.encrypt("hello")
    path = tmp_path / secrets.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert secrets.decrypt(token) == "hello"
    assert path.read_text() == first
    call_command("rotate_secret_keys", add_key=True, stdout=io.StringIO())
    lines = path.read_text().split()
    assert len(lines) == 2 and lines[1] == first.strip()
    assert secrets.decrypt(token) == "hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_bad_key_stops_with_a_clear_message(settings):
    settings.COMPTOIR_SECRET_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="COMPTOIR_SECRET_KEYS"):
        secrets.encrypt("x")
