"""The built-in SMTP listener of the BCC and forwarding addresses (SET-8), run by
`comptoir mailserver` (aiosmtpd): only the portal's own addresses are accepted as
recipients (any other: 550), a message over COMPTOIR_MAIL_INBOUND_MB is refused by the
protocol itself (552), and each message accepted is handed to comptoir.mail.inbound.receive
in a thread (the database is synchronous). Nothing a message does stops the listener: an
error is logged and answered 451 (the sending server tries again later)."""

import asyncio
import logging

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import close_old_connections

from comptoir.mail import inbound

log = logging.getLogger(__name__)


def _handle(raw: bytes, mail_from: str, recipients: list[str]) -> str:
    close_old_connections()
    try:
        return str(inbound.receive(raw, mail_from, recipients))
    except Exception:  # the database went away, a bug: the sender tries again later
        log.exception("A message to the logging addresses could not be handled")
        return "451 4.3.0 Temporary failure, try again later"
    finally:
        close_old_connections()


class InboundHandler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        loop = asyncio.get_running_loop()
        own = await loop.run_in_executor(None, _own_addresses)
        if address.lower() not in own:
            return "550 5.1.1 No such address here: this server only takes mail for Comptoir"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, _handle, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
        )


def _own_addresses() -> set[str]:
    close_old_connections()
    conf = inbound.inbound_settings()
    return conf.addresses() if conf else set()


def controller(host: str, port: int) -> Controller:
    """The listener (not started), with the size limit."""
    return Controller(
        InboundHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.COMPTOIR_MAIL_INBOUND_MB * 1024 * 1024,
        server_hostname="comptoir",
    )
