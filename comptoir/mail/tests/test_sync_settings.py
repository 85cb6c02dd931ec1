"""Settings > Email, the sync's part: the state in plain words (last sync, emails logged,
messages that could not be read, the last failure) and the switch, each user their own;
the logging addresses for admins only, bad input refused field by field."""

import datetime as dt

import pytest
from django.utils import timezone

from comptoir.core.testing.factories import make_user
from comptoir.mail.models import (
    InboundMessage,
    InboundSettings,
    InboundSource,
    InboundStatus,
    Mailbox,
    SyncFolder,
)

URL = "/settings/email/"
pytestmark = pytest.mark.django_db


def connect(user, **extra):
    return Mailbox.objects.create(
        user=user,
        email_address=user.email,
        smtp_host="smtp.example.com",
        smtp_port=465,
        smtp_security="ssl",
        smtp_username=user.email,
        smtp_password="secret-1",
        imap_host="imap.example.com",
        imap_port=993,
        imap_security="ssl",
        **extra,
    )


def test_the_sync_state_in_plain_words(client_in, user):
    mailbox = connect(
        user,
        last_synced_at=timezone.now(),
        sync_error={
            "code": "auth",
            "field": "imap_password",
            "params": {"host": "imap.example.com"},
        },
    )
    for n, status in enumerate([InboundStatus.LOGGED] * 3 + [InboundStatus.FAILED]):
        InboundMessage.objects.create(
            message_id=f"<m{n}@x>",
            source=InboundSource.SYNC,
            status=status,
            mailbox=mailbox,
            raw=b"x",
            subject="Broken" if status == InboundStatus.FAILED else "",
            parse_error="The message is empty." if status == InboundStatus.FAILED else "",
        )
    page = client_in.get(URL).content.decode()
    assert "Inbox sync" in page and "Emails logged" in page
    assert "<dd>3</dd>" in page
    assert "Last one: “Broken”: The message is empty." in page
    assert "Last sync failed" in page and "The server refused the user name or password." in page


@pytest.mark.parametrize(
    "language, tested, synced",
    [
        ("en", "Tested Jan 15, 2099, 2:30\u202fPM.", "Jan 15, 2099, 3:45\u202fPM"),
        ("fr", "Testée le 15 janv. 2099 à 14:30.", "15 janv. 2099 à 15:45"),
    ],
)
def test_the_test_and_sync_times_in_the_readers_language_and_the_portals_zone(
    client_in, user, language, tested, synced
):
    user.language = language
    user.save(update_fields=["language"])
    client_in.cookies["django_language"] = language
    connect(  # 13:30 and 14:45 UTC: 14:30 and 15:45 in Paris, the portal's zone
        user,
        last_test={"smtp": {"code": "ok"}, "imap": {"code": "ok"}},
        last_tested_at=dt.datetime(2099, 1, 15, 13, 30, tzinfo=dt.UTC),
        last_synced_at=dt.datetime(2099, 1, 15, 14, 45, tzinfo=dt.UTC),
    )
    page = client_in.get(URL).content.decode()
    assert tested in page and f"<dd>{synced}" in page
    assert "a.m." not in page and "p.m." not in page  # not Django's English DATETIME_FORMAT


def test_the_switch_is_saved_for_the_users_own_mailbox_only(client_in, user):
    connect(user)
    other = make_user()
    theirs = connect(other)
    response = client_in.post(URL + "sync/", {"log_contact_emails": "on"})
    assert response.status_code == 302
    assert Mailbox.objects.get(user=user).log_contact_emails is True
    assert Mailbox.objects.get(pk=theirs.pk).log_contact_emails is False
    client_in.post(URL + "sync/", {})
    assert Mailbox.objects.get(user=user).log_contact_emails is False


def test_no_mailbox_no_sync(client_in, user):
    assert client_in.post(URL + "sync/", {"log_contact_emails": "on"}).status_code == 404
    assert client_in.post(URL + "sync/now/").status_code == 404
    assert "Inbox sync" not in client_in.get(URL).content.decode()


def test_sync_now_queues_a_run(client_in, user):
    from django_tasks_db.models import DBTaskResult

    mailbox = connect(user)
    assert client_in.post(URL + "sync/now/").status_code == 302
    task = DBTaskResult.objects.get(task_path="comptoir.mail.tasks.sync_mailbox")
    assert task.args_kwargs["args"] == [mailbox.pk]


def test_disconnecting_forgets_the_sync_state(client_in, user):
    mailbox = connect(user)
    SyncFolder.objects.create(
        account=f"mailbox:{mailbox.pk}", name="INBOX", uidvalidity=5, last_uid=9
    )
    client_in.post(URL + "disconnect/")
    assert not SyncFolder.objects.exists()


def test_the_logging_addresses_are_for_admins(client, user):
    client.force_login(user)  # a Sales manager: no settings right
    client.cookies["django_language"] = "en"
    assert "Logging addresses" not in client.get(URL).content.decode()
    response = client.post(URL + "inbound/", {"bcc_address": "log@crm.example.fr"})
    assert response.status_code in (403, 404)
    assert not InboundSettings.objects.exists()

    admin = make_user(role="Super admin")
    client.force_login(admin)
    page = client.get(URL).content.decode()
    assert "Logging addresses" in page
    response = client.post(
        URL + "inbound/",
        {"bcc_address": "log@crm.example.fr", "forward_address": "LOG@crm.example.fr"},
    )
    assert response.status_code == 422
    assert "The forwarding address must differ from the BCC one." in response.content.decode()
    response = client.post(URL + "inbound/", {"bcc_address": "not an address\r\nBcc: x@y"})
    assert (
        response.status_code == 422 and "Enter a valid email address." in response.content.decode()
    )
    assert not InboundSettings.objects.exists()
    response = client.post(
        URL + "inbound/",
        {
            "bcc_address": "Log@CRM.example.fr",
            "forward_address": "fwd@crm.example.fr",
            "create_contacts": "on",
        },
    )
    assert response.status_code == 302
    conf = InboundSettings.objects.get()
    assert (conf.bcc_address, conf.forward_address, conf.create_contacts) == (
        "log@crm.example.fr",
        "fwd@crm.example.fr",
        True,
    )


def test_the_catch_all_box_is_set_by_admins_with_each_error_named(client):
    admin = make_user(role="Super admin")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    base = {"bcc_address": "log@crm.example.fr", "forward_address": "fwd@crm.example.fr"}
    response = client.post(URL + "inbound/", {**base, "imap_host": "imap.example.com"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_imap_port_error"' in page and 'id="id_imap_username_error"' in page
    assert 'id="id_imap_password_error"' in page
    response = client.post(URL + "inbound/", {**base, "imap_host": "bad host/../x"})
    assert response.status_code == 422 and 'id="id_imap_host_error"' in response.content.decode()
    assert not InboundSettings.objects.exists()
    box = {
        "imap_host": "imap.example.com",
        "imap_port": "993",
        "imap_security": "ssl",
        "imap_username": "catchall@crm.example.fr",
        "imap_password": "s3cret-box",
    }
    assert client.post(URL + "inbound/", {**base, **box}).status_code == 302
    conf = InboundSettings.objects.get()
    assert (conf.imap_host, conf.imap_port, conf.imap_password) == (
        "imap.example.com",
        993,
        "s3cret-box",
    )
    page = client.get(URL).content.decode()
    assert "s3cret-box" not in page and "A password is set" in page
    # A blank password keeps the stored one; no server forgets the box.
    assert client.post(URL + "inbound/", {**base, **box, "imap_password": ""}).status_code == 302
    assert InboundSettings.objects.get().imap_password == "s3cret-box"
    assert client.post(URL + "inbound/", base).status_code == 302
    conf = InboundSettings.objects.get()
    assert (conf.imap_host, conf.imap_password) == ("", "")
