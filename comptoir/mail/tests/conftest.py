# Real `comptoir` processes on a database of their own (test_send_kill.py).
import imaplib
import time

import pytest

from comptoir.core.testing.mailservers import PASSWORD, USER
from comptoir.core.testing.processes import _site_template, site  # noqa: F401


class ImapBox:
    """The test user's Dovecot mailbox, emptied for each test: messages are dropped into
    it with APPEND, as a mail server delivering them would."""

    def __init__(self, servers):
        self.servers = servers
        self.port = servers.dovecot.port
        self.client = imaplib.IMAP4(servers.host, self.port)
        self.client.login(USER, PASSWORD)
        for folder in ("INBOX", "Sent"):
            self.client.create(folder)
            _typ, data = self.client.select(folder)
            if int(data[0] or 0):
                self.client.store("1:*", "+FLAGS", "(\\Deleted)")
                self.client.expunge()

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        typ, data = self.client.append(folder, None, imaplib.Time2Internaldate(time.time()), raw)
        assert typ == "OK", data

    def close(self):
        self.client.logout()


@pytest.fixture
def imap_box(mail_settings):
    mail_settings.require_dovecot()
    box = ImapBox(mail_settings)
    yield box
    box.close()
