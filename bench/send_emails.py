"""Sending benchmark (issue 17, points 2 and 9): N emails scheduled from the CRM (each with
its engagement on a contact's timeline), then sent by the worker's periodic job
(`delivery.send_due`) through a real aiosmtpd server on this machine.

    .venv/bin/python bench/send_emails.py --database sqlite [--emails 1000]
    .venv/bin/python bench/send_emails.py --database postgres

Each run starts from an empty database of its own (bench/data/send-sqlite, or the
PostgreSQL database comptoir_bench_send). Reported: the time to compose them (rows and
engagements written), the time to send them (claim, MIME message, one SMTP conversation
each, acceptance, SENT with history on the engagement), emails/s, the process's peak
resident memory (ru_maxrss), and the baseline: the same number of messages sent by bare
smtplib, one connection each, with no database at all.
"""

import argparse
import os
import resource
import smtplib
import sys
import time
from email.message import EmailMessage

from common import ROOT, bench_database


def fresh_database(database: str) -> None:
    bench_database("send", database, fresh=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Count:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--emails", type=int, default=1000)
    args = parser.parse_args()
    fresh_database(args.database)
    os.environ["COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS"] = "1"
    os.environ["COMPTOIR_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from comptoir.core.testing.factories import make_contact, make_user
    from comptoir.core.testing.mailservers import HOST, free_port
    from comptoir.mail import delivery, sending, services
    from comptoir.mail.models import OutboundEmail

    call_command("migrate", verbosity=0)
    handler = Count()
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    try:
        user = make_user("bench@example.com", first_name="Bench", last_name="Rep")
        services.connect_mailbox(
            user,
            {
                "email_address": "bench@example.com",
                "provider": "",
                "smtp_host": HOST,
                "smtp_port": controller.port,
                "smtp_security": "none",
                "smtp_username": "",
                "smtp_password": "",
                "imap_host": HOST,
                "imap_port": 993,
                "imap_security": "ssl",
            },
        )
        contacts = [make_contact(email=f"c{i}@client.fr", firstname=f"C{i}") for i in range(200)]
        start = time.perf_counter()
        for i in range(args.emails):
            contact = contacts[i % len(contacts)]
            sending.compose(
                user,
                sending.Draft(
                    to=contact.email,
                    subject=f"Proposition {i}",
                    html="<p>Bonjour,</p><p>Voici notre <b>proposition</b>.</p>",
                    record=("contacts", contact.pk),
                ),
            )
        composed = time.perf_counter() - start
        memory_before = peak_mb()
        start = time.perf_counter()
        sent = 0
        while sent < args.emails:
            done = delivery.send_due("bench")
            if not done:
                break
            sent += done
        elapsed = time.perf_counter() - start
        assert OutboundEmail.objects.filter(status="sent").count() == args.emails, sent
        assert handler.received == args.emails
        start = time.perf_counter()
        for i in range(args.emails):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "a@b.fr", "c@d.fr", f"P {i}"
            message.set_content("Bonjour")
            with smtplib.SMTP(HOST, controller.port) as client:
                client.send_message(message)
        bare = time.perf_counter() - start
    finally:
        controller.stop()
    print(f"database: {args.database}, emails: {args.emails}")
    print(f"compose (row + engagement + associations): {composed:.1f} s")
    print(f"send: {elapsed:.1f} s, {args.emails / elapsed:.0f} emails/s")
    print(f"bare smtplib, one connection each: {bare:.1f} s, {args.emails / bare:.0f} emails/s")
    print(f"peak memory: {memory_before:.0f} MB before sending, {peak_mb():.0f} MB after")


if __name__ == "__main__":
    main()
