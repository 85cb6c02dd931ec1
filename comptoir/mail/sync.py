"""Mailbox sync (SET-10): the worker reads each connected IMAP mailbox incrementally and
logs what concerns the CRM (comptoir/mail/inbound.py decides).

Incremental and resumable:
- Each folder's UIDVALIDITY and the highest UID read are stored (SyncFolder). A run asks
  the server only for UIDs above it; the first run of a folder (and a run after the server
  renumbered it: another UIDVALIDITY) reads the messages of the last
  COMPTOIR_MAIL_SYNC_DAYS days instead of the whole mailbox.
- Messages are read in batches of COMPTOIR_MAIL_SYNC_BATCH: a few headers first (one
  FETCH a batch), then the whole of only the messages that matter (replies, delivery
  reports, and emails with contacts when the user wants them), a few MB at a time, so
  memory stays bounded whatever the mailbox's size. `last_uid` is saved after each batch:
  a run that dies (worker killed, server gone mid-batch) goes on from the last saved batch
  next time; the messages of the unfinished batch that were logged already are
  recognised by their Message-ID, never logged twice.
- One run at a time per mailbox: a run claims the mailbox (`sync_started_at`); a claim
  older than COMPTOIR_MAIL_SYNC_STALL seconds belonged to a dead worker and is taken over.
- A failure (wrong password, server gone, timeout) ends the run, is stored as codes on the
  mailbox (`sync_error`, said in words by `describe_error`) and logged; the next run
  tries again. One message that cannot be logged is kept raw with its reason and the run
  goes on."""

import datetime as dt
import imaplib
import logging
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.records.values import base_queryset
from comptoir.core.secrets import UnreadableSecret
from comptoir.mail import connection, inbound, parsing, services
from comptoir.mail.connection import MailFailure
from comptoir.mail.models import InboundSettings, InboundStatus, Mailbox, SyncFolder

log = logging.getLogger(__name__)

HEADER_FIELDS = "MESSAGE-ID IN-REPLY-TO REFERENCES FROM TO CC CONTENT-TYPE"
FULL_BATCH_BYTES = 8 * 1024 * 1024  # the whole messages fetched at once, at most
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "[Gmail]/Sent Mail")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FETCH_ITEM = re.compile(rb"UID (\d+)|RFC822\.SIZE (\d+)")
_LIST = re.compile(rb'\((?P<flags>[^)]*)\) (?:"[^"]*"|NIL) (?P<name>.+)$')


@dataclass
class Result:
    seen: int = 0  # messages whose headers were read
    fetched: int = 0  # messages read whole
    counts: dict = field(default_factory=dict)  # outcome status: number


def batch_size() -> int:
    return settings.COMPTOIR_MAIL_SYNC_BATCH


def max_bytes() -> int:
    return settings.COMPTOIR_MAIL_INBOUND_MB * 1024 * 1024


def _ok(typ, data, what: str):
    if typ != "OK":
        raise MailFailure(
            "protocol",
            "imap_host",
            {"detail": f"{what}: {connection.server_text(data[0] if data else '')}"},
        )
    return data


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def folders(client) -> list[str]:
    """INBOX and the Sent folder (its \\Sent flag, else a usual name), when there is one."""
    names, sent = [], ""
    typ, data = client.list()
    for line in data if typ == "OK" else []:
        if not isinstance(line, bytes):
            continue
        match = _LIST.match(line)
        if not match:
            continue
        name = match.group("name").strip().strip(b'"').decode("utf-8", "replace")
        names.append(name)
        if b"\\sent" in match.group("flags").lower():
            sent = name
    if not sent:
        sent = next((n for n in SENT_NAMES if n in names), "")
    return ["INBOX", sent] if sent else ["INBOX"]


def _parse_fetch(data) -> list[tuple[int, int, bytes]]:
    """[(uid, size, bytes)] of a UID FETCH answer."""
    found = []
    for item in data:
        if not isinstance(item, tuple) or len(item) < 2:
            continue
        uid = size = 0
        for match in _FETCH_ITEM.finditer(item[0]):
            if match.group(1):
                uid = int(match.group(1))
            elif match.group(2):
                size = int(match.group(2))
        if uid:
            found.append((uid, size, item[1] or b""))
    return found


def _wanted(mailbox: Mailbox | None, batch: list[tuple[int, int, bytes]]) -> dict[int, int]:
    """{uid: size} of the messages to read whole: delivery reports, replies to the CRM's
    emails, and (mailbox's switch on) emails with the user's contacts. A constant number of
    queries a batch."""
    heads = {uid: (size, parsing.headers(data, uid)) for uid, size, data in batch}
    known = inbound.seen([h.message_id for _s, h in heads.values()])
    parents = inbound.thread_parents({m for _s, h in heads.values() for m in h.thread_ids})
    if mailbox is None:  # the portal's catch-all box: every message is for Comptoir
        return {
            uid: size
            for uid, (size, head) in heads.items()
            if head.message_id not in known or not head.message_id
        }
    contacts: set[str] = set()
    if mailbox.log_contact_emails:
        addresses = {a for _s, h in heads.values() for a in h.addresses}
        qs = base_queryset("contacts", user=mailbox.user)
        contacts = {
            e.lower() for e in qs.filter(email__in=addresses).values_list("email", flat=True) if e
        }
    wanted = {}
    for uid, (size, head) in heads.items():
        if head.message_id and head.message_id in known:
            continue
        if (
            head.is_report
            or parents.intersection(head.thread_ids)
            or contacts.intersection(head.addresses)
        ):
            wanted[uid] = size
    return wanted


def _fetch_whole(client, wanted: dict[int, int]):
    """(uid, raw bytes, problems) of each wanted message, a few MB at a time; a message
    over the size limit is read up to it (kept so, and said)."""
    limit = max_bytes()
    group, weight = [], 0
    uids = sorted(wanted)
    for index, uid in enumerate(uids):
        group.append(uid)
        weight += min(wanted[uid], limit)
        if weight < FULL_BATCH_BYTES and index < len(uids) - 1:
            continue
        small = [u for u in group if wanted[u] <= limit]
        if small:
            data = _ok(
                *client.uid("FETCH", ",".join(map(str, small)), "(UID BODY.PEEK[])"), "FETCH"
            )
            for found_uid, _size, raw in _parse_fetch(data):
                yield found_uid, raw, []
        for big in (u for u in group if wanted[u] > limit):
            data = _ok(*client.uid("FETCH", str(big), f"(UID BODY.PEEK[]<0.{limit}>)"), "FETCH")
            note = _(
                "The message weighs %(size)s MB, over the %(limit)s MB limit: only its first "
                "%(limit)s MB were kept."
            ) % {
                "size": round(wanted[big] / 1024 / 1024, 1),
                "limit": settings.COMPTOIR_MAIL_INBOUND_MB,
            }
            for found_uid, _size, raw in _parse_fetch(data):
                yield found_uid, raw, [note]
        group, weight = [], 0


def sync_folder(
    client, account: str, name: str, mailbox: Mailbox | None, take, result: Result, since=None
) -> None:
    """Read one folder from where the last run stopped; `take(raw, problems)` handles each
    message read whole."""
    typ, data = client.select(_quote(name), readonly=True)
    if typ != "OK":
        log.info("Folder %s of %s cannot be opened: %s", name, account, data)
        return
    uidvalidity = int((client.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
    state, _created = SyncFolder.objects.get_or_create(account=account, name=name)
    if state.uidvalidity != uidvalidity:
        if state.uidvalidity:
            log.warning(
                "%s %s: UIDVALIDITY changed (%s to %s): read again.",
                account,
                name,
                state.uidvalidity,
                uidvalidity,
            )
        state.uidvalidity, state.last_uid = uidvalidity, 0
        state.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
    if state.last_uid == 0 and since is not None:
        month = MONTHS[since.month - 1]
        criteria = ("SINCE", f"{since.day:02d}-{month}-{since.year}")
    else:
        criteria = ("UID", f"{state.last_uid + 1}:*")
    data = _ok(*client.uid("SEARCH", *criteria), "SEARCH")
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > state.last_uid)
    size = batch_size()
    for start in range(0, len(uids), size):
        chunk = uids[start : start + size]
        data = _ok(
            *client.uid(
                "FETCH",
                ",".join(map(str, chunk)),
                f"(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})])",
            ),
            "FETCH",
        )
        batch = _parse_fetch(data)
        result.seen += len(batch)
        wanted = _wanted(mailbox, batch)
        for _uid, raw, problems in _fetch_whole(client, wanted) if wanted else ():
            result.fetched += 1
            try:
                outcome = take(raw, problems)
            except Exception as exc:  # one message never stops the run
                log.exception("%s %s: a message could not be handled", account, name)
                outcome = inbound.keep_failed(
                    raw,
                    _("Unexpected error while logging it: %(reason)s")
                    % {"reason": parsing.one_line(exc, 300)},
                    source="sync",
                    mailbox=mailbox,
                    user=mailbox.user if mailbox else None,
                )
            result.counts[outcome.status] = result.counts.get(outcome.status, 0) + 1
        state.last_uid = chunk[-1]
        state.save(update_fields=["last_uid", "updated_at"])


def stall() -> dt.timedelta:
    return dt.timedelta(seconds=settings.COMPTOIR_MAIL_SYNC_STALL)


def _claim(model, pk, now) -> bool:
    return bool(
        model.objects.filter(pk=pk)
        .filter(Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=now - stall()))
        .update(sync_started_at=now)
    )


def _run(model, pk, endpoint, account: str, mailbox, take, since) -> Result | None:
    """Claim, sync every folder, store the outcome; None when another run has it."""
    now = timezone.now()
    if not _claim(model, pk, now):
        return None
    result, error = Result(), {}
    started = time.monotonic()
    try:
        if callable(endpoint):  # an OAuth2 mailbox's renews its token: it may fail
            endpoint = endpoint()
        if isinstance(endpoint.password, UnreadableSecret):
            raise MailFailure("unreadable_secret", "imap_password")
        with connection.imap_session(endpoint) as client:
            try:
                for name in folders(client):
                    sync_folder(client, account, name, mailbox, take, result, since)
            except MailFailure:
                raise
            except (imaplib.IMAP4.error, OSError, EOFError) as exc:  # the server went away
                raise connection.network_failure(exc, endpoint) from None
    except MailFailure as failure:
        error = failure.as_dict()
        log.warning("Sync of %s failed: %s", account, describe_error(error))
    except Exception as exc:  # never leave the claim behind
        log.exception("Sync of %s failed", account)
        error = {"code": "unexpected", "params": {"detail": parsing.one_line(exc, 200)}}
    finished = timezone.now()
    fields = {"sync_started_at": None, "sync_error": error}
    if not error:
        fields["last_synced_at"] = finished
    model.objects.filter(pk=pk).update(**fields)
    log.info(
        "Sync of %s: %s messages seen, %s read whole, %s in %.1f s.",
        account,
        result.seen,
        result.fetched,
        result.counts,
        time.monotonic() - started,
    )
    return result


def sync_mailbox(pk: int) -> Result | None:
    """One run of a user's mailbox (the task queued for each mailbox by the periodic job)."""
    mailbox = Mailbox.objects.select_related("user").filter(pk=pk, user__is_active=True).first()
    if mailbox is None:
        return None
    since = mailbox.created_at - dt.timedelta(days=settings.COMPTOIR_MAIL_SYNC_DAYS)

    def take(raw, problems):
        return inbound.take_synced(raw, mailbox, problems=problems)

    return _run(
        Mailbox, pk, lambda: services.imap_endpoint(mailbox), f"mailbox:{pk}", mailbox, take, since
    )


def sync_inbound_box() -> Result | None:
    """One run of the portal's catch-all box (SET-8, instead of `comptoir mailserver`):
    each message is taken as if sent to the BCC or forwarding address it was sent to."""
    conf = InboundSettings.objects.filter(pk=InboundSettings.SINGLETON).first()
    if conf is None or not conf.imap_host or not conf.imap_port:
        return None
    endpoint = connection.Endpoint(
        connection.IMAP,
        conf.imap_host,
        conf.imap_port,
        conf.imap_security or "ssl",
        conf.imap_username,
        conf.imap_password,
    )

    def take(raw, problems):
        """As if sent to the address it names (To, Cc, Delivered-To, X-Original-To): a
        BCC'd copy names none, and is taken as sent to the BCC address."""
        try:
            parsed = parsing.parse(raw)
            sender = parsed.sender[1]
        except parsing.ParseError:
            sender = ""
        own = conf.addresses()
        head = raw.partition(b"\r\n\r\n")[0].lower().decode("ascii", "replace")
        recipients = [a for a in own if a in head] or [conf.bcc_address.lower()]
        reply = inbound.receive(raw, sender, recipients)
        if reply.code != 250:
            status = InboundStatus.REFUSED
        elif reply.text.endswith("Logged"):
            status = InboundStatus.LOGGED
        else:
            status = inbound.DUPLICATE if "already" in reply.text else InboundStatus.SKIPPED
        return inbound.Outcome(status, None, reply.text)

    return _run(
        InboundSettings,
        conf.pk,
        endpoint,
        "inbound",
        None,
        take,
        conf.updated_at - dt.timedelta(days=1),
    )


def describe_error(error: dict) -> str:
    """A stored sync failure in words (the reader's language)."""
    if not error:
        return ""
    if error.get("code") == "unexpected":
        return _("The sync stopped on an unexpected error: %(detail)s") % {
            "detail": (error.get("params") or {}).get("detail", "")
        }
    return connection.describe(error)
