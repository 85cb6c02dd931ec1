"""Mailbox sync benchmark (issue 17, points 7 and 9): a real Dovecot mailbox of N messages
(10 % replies to emails sent from the CRM, 1 % delivery reports about them, the rest
unrelated mail with attachments of 5 to 60 KB) synced by `sync.sync_mailbox`, the worker's
job, from an empty state; then a second run with nothing new, then one with 1 % new mail.

    .venv/bin/python bench/imap_sync.py --database sqlite [--messages 10000] [--batch 200]
    .venv/bin/python bench/imap_sync.py --database postgres

The messages are written into Dovecot's Maildir directly (as its delivery agent would);
Dovecot indexes them at the first SELECT, which the first run's time includes. Reported:
messages/s of the first run, what was logged, the later runs' times, and the process's peak
resident memory (ru_maxrss) before and after the sync: the sync reads headers in batches
and whole messages a few MB at a time, so it does not grow with the mailbox.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT
from send_emails import fresh_database


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def message(n: int, kind: str, outbound_id: str, rng: random.Random) -> bytes:
    head = (
        f"From: {'Anne <anne@client.fr>' if kind != 'other' else f'news{n}@else.org'}\r\n"
        f"To: rep@example.com\r\nSubject: Message {n}\r\n"
        f"Date: Sat, 05 Dec 2026 09:00:00 +0100\r\nMessage-ID: <m{n}@bench.example>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    if kind == "reply":
        head += f"In-Reply-To: {outbound_id}\r\nReferences: {outbound_id}\r\n"
    if kind == "bounce":
        return (
            head + 'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n'
            "\r\n--R\r\nContent-Type: text/plain\r\n\r\nUndelivered.\r\n"
            "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
            "Final-Recipient: rfc822; anne@client.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
            "--R\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"Message-ID: {outbound_id}\r\n\r\n--R--\r\n"
        ).encode()
    attachment = ("QUJD" * 19 + "\r\n") * (rng.randint(5, 60) * 1024 // 78)
    return (
        head + 'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "Bonjour, voici ma réponse.\r\n"
        * 20
        + "--B\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename=a.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + attachment + "--B--\r\n"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    fresh_database(args.database)
    os.environ["COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS"] = "1"
    os.environ["COMPTOIR_MAIL_SYNC_BATCH"] = str(args.batch)
    os.environ["COMPTOIR_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from comptoir.core.testing.factories import make_contact, make_user
    from comptoir.core.testing.mailservers import (
        HOST,
        PASSWORD,
        USER,
        make_certificate,
        start_dovecot,
        stop_dovecot,
    )
    from comptoir.mail import sending, sync
    from comptoir.mail.models import InboundMessage, Mailbox, OutboundEmail

    call_command("migrate", verbosity=0)
    rng = random.Random(17)
    cert, key = make_certificate(Path(tempfile.mkdtemp(prefix="bench-imap-")))
    dovecot = start_dovecot(cert, key, {USER: PASSWORD})
    try:
        user = make_user("bench@example.com", first_name="Bench", last_name="Rep")
        make_contact(email="anne@client.fr", firstname="Anne")
        mailbox = Mailbox.objects.create(
            user=user,
            email_address=USER,
            smtp_host=HOST,
            smtp_port=25,
            smtp_security="none",
            imap_host=HOST,
            imap_port=dovecot.port,
            imap_security="none",
            imap_username=USER,
            imap_password=PASSWORD,
        )
        outbound = []
        for i in range(max(1, args.messages // 100)):
            sent = sending.compose(
                user, sending.Draft(to="anne@client.fr", subject=f"Devis {i}", html="<p>x</p>")
            )
            outbound.append(sent.message_id)
        OutboundEmail.objects.update(status="sent")
        maildir = dovecot.maildir(USER)
        for sub in ("new", "cur", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        total_bytes = 0

        def fill(start: int, count: int) -> None:
            nonlocal total_bytes
            for n in range(start, start + count):
                roll = rng.random()
                kind = "reply" if roll < 0.10 else "bounce" if roll < 0.11 else "other"
                raw = message(n, kind, outbound[n % len(outbound)], rng)
                total_bytes += len(raw)
                (maildir / "new" / f"{n}.bench:2,").write_bytes(raw)
            if os.geteuid() == 0:
                import pwd

                entry = pwd.getpwnam("dovecot")
                for path in [maildir, *maildir.rglob("*")]:
                    os.chown(path, entry.pw_uid, entry.pw_gid)

        fill(0, args.messages)
        before = peak_mb()
        start = time.perf_counter()
        first = sync.sync_mailbox(mailbox.pk)
        elapsed = time.perf_counter() - start
        after = peak_mb()
        assert Mailbox.objects.get(pk=mailbox.pk).sync_error == {}, "the sync failed"
        start = time.perf_counter()
        second = sync.sync_mailbox(mailbox.pk)
        idle = time.perf_counter() - start
        new = max(1, args.messages // 100)
        fill(args.messages, new)
        start = time.perf_counter()
        third = sync.sync_mailbox(mailbox.pk)
        incremental = time.perf_counter() - start
        logged = InboundMessage.objects.filter(status="logged").count()
        bounces = InboundMessage.objects.filter(status="bounce").count()
    finally:
        stop_dovecot(dovecot)
    print(f"database: {args.database}, messages: {args.messages}, batch: {args.batch}")
    print(f"mailbox: {total_bytes / 1024 / 1024:.0f} MB")
    print(
        f"first sync: {elapsed:.1f} s, {args.messages / elapsed:.0f} messages/s "
        f"({first.seen} headers read, {first.fetched} read whole)"
    )
    print(f"logged: {logged} replies, {bounces} bounces")
    print(f"second sync, nothing new: {idle:.2f} s ({second.seen} read)")
    print(f"third sync, {new} new: {incremental:.2f} s ({third.seen} read)")
    print(f"peak memory: {before:.0f} MB before the sync, {after:.0f} MB after")


if __name__ == "__main__":
    main()
