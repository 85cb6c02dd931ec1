"""`comptoir mailserver`: the SMTP listener of the portal's BCC and forwarding addresses
(comptoir/mail/mailserver.py). Point the MX of the addresses' domain (or a forwarding
rule of your mail server) at it; it stops on SIGTERM or Ctrl-C."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.inputs import digits
from comptoir.mail.mailserver import controller


class Command(BaseCommand):
    help = "Receive the mail sent to the portal's BCC and forwarding addresses (SMTP)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=settings.COMPTOIR_MAILSERVER_BIND,
            help="host:port to listen on (COMPTOIR_MAILSERVER_BIND; default 127.0.0.1:2525)",
        )

    def handle(self, *args, bind, **options):
        host, _sep, port = bind.rpartition(":")
        number = digits(port)
        if not host or number is None or not 0 < number < 65536:
            raise CommandError(f"--bind: expected host:port, got {bind!r}")
        server = controller(host.strip("[]"), number)
        try:
            server.start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"Cannot listen on {bind}: {exc}") from None
        self.stdout.write(f"Listening for mail on {bind}.")
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stop.set())
        stop.wait()
        server.stop()
        self.stdout.write("Stopped.")
