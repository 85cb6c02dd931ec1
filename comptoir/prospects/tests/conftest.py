"""A real DNS server on loopback for the reverse DNS of visitors (dnspython answering PTR
queries from a table over UDP), and the portal's prospects settings."""

import socket
import threading

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest


class DnsServer:
    """Answers PTR queries from `names` ({ip: host}); an address in `slow` gets no answer
    (the worker's timeout), any other NXDOMAIN."""

    def __init__(self):
        self.names: dict[str, str] = {}
        self.slow: set[str] = set()
        self.asked: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while self.running:
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                query = dns.message.from_wire(wire)
            except Exception:
                continue
            question = query.question[0]
            name = question.name.to_text()
            ip = self._ip(name)
            self.asked.append(ip)
            if ip in self.slow:
                continue
            response = dns.message.make_response(query)
            host = self.names.get(ip)
            if host and question.rdtype == dns.rdatatype.PTR:
                response.answer.append(dns.rrset.from_text(name, 300, "IN", "PTR", host + "."))
            else:
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(response.to_wire(), peer)

    @staticmethod
    def _ip(name: str) -> str:
        labels = name.rstrip(".").split(".")
        if name.endswith("in-addr.arpa."):
            return ".".join(reversed(labels[:4]))
        return name

    def close(self):
        self.running = False
        self.sock.close()


@pytest.fixture(scope="session")
def dns_server():
    server = DnsServer()
    yield server
    server.close()


@pytest.fixture(name="dns")
def dns_fixture(dns_server, settings):
    dns_server.names.clear()
    dns_server.slow.clear()
    dns_server.asked.clear()
    settings.COMPTOIR_PROSPECTS_DNS = f"127.0.0.1:{dns_server.port}"
    return dns_server


@pytest.fixture
def website(db):
    from comptoir.prospects import conf

    row, errors = conf.save("acme-shop.fr", "198.51.100.0/24 durand.fr", 90, True)
    assert not errors
    return row


@pytest.fixture
def sent_email(db):
    """An email sent from the CRM with tracked links, to `to`."""
    from django.utils import timezone

    from comptoir.core.testing.factories import make_user
    from comptoir.mail.models import OutboundEmail

    def make(to="Anne <anne@client.fr>", links=("https://www.acme-shop.fr/offre?x=1",)):
        now = timezone.now()
        return OutboundEmail.objects.create(
            user=make_user(),
            status="sent",
            message_id=f"<{now.timestamp()}@example.org>",
            sender_source="portal",
            from_address="rep@example.org",
            to=[to],
            subject="Offre",
            html="<p>x</p>",
            text="x",
            send_at=now,
            sent_at=now,
            accepted_at=now,
            track_clicks=True,
            tracked_links=list(links),
        )

    return make
