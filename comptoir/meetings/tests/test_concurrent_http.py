"""Bookings at once over HTTP (TOOL-7: "a booking is one transaction: two visitors booking
the same slot at once get one booking and one clear 'just taken'"), against two real
`comptoir serve` processes on one database (a new PostgreSQL database in the PostgreSQL
run, a SQLite file otherwise): visitors read the booking page, then post their bookings all
at once (a barrier releases them together, half of them to each server).

A personal link: one visitor books, every other one hears "just taken" in the language of
their page (French or English), one engagement, one contact. A round-robin team link:
visitors of different times are shared out fairly between the members even when they
arrive together (the member with the fewest bookings is chosen under a lock), visitors of
one time get one booking per member; no member is ever booked twice at a time. A group
link: one booking for every member at once, the others "just taken". Never a 500."""

import datetime as dt
import http.client
import json
import re
import threading
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest

import comptoir
from comptoir.core.testing.processes import _copied_site

pytestmark = pytest.mark.slow

VISITORS = 8
TAKEN = {
    "en": "This time was just taken: choose another one.",
    "fr": "Cet horaire vient d’être pris : choisissez-en un autre.",  # noqa: RUF001
}
SLOT = re.compile(r"slot=(\d{8}T\d{4}Z)")


@pytest.fixture(scope="module")
def servers(_site_template, tmp_path_factory):
    """One site served by two `comptoir serve` processes (4 threads each), writers waiting
    for locks as long as in production (30 s) rather than the test sites' 1 s."""
    for site in _copied_site(_site_template, tmp_path_factory.mktemp("bookings") / "site"):
        site.env["COMPTOIR_DB_LOCK_TIMEOUT"] = "30"
        # The servers run the code under test (a worktree's, not the installed checkout's).
        site.env["PYTHONPATH"] = str(Path(comptoir.__file__).resolve().parents[1])
        yield site, [site.serve(), site.serve()]


def make_link(site, slug: str, kind: str = "personal", members: int = 1) -> None:
    """A link open all day every day, its user (and team members) new people."""
    site.python(
        "from comptoir.core.testing.factories import make_user\n"
        "from comptoir.meetings.models import WEEKDAYS, MeetingLink\n"
        f"people = [make_user('{slug}-' + str(n) + '@example.com', first_name='M' + str(n))"
        f" for n in range({members})]\n"
        "link = MeetingLink.objects.create(\n"
        f"    user=people[0], slug={slug!r}, title='Découverte', kind={kind!r},\n"
        "    hours={d: [['00:00', '24:00']] for d in WEEKDAYS}, minimum_notice_minutes=60)\n"
        f"if {kind!r} != 'personal':\n"
        "    link.members.set(people)\n"
    )


def state(site, slug: str) -> dict:
    """What the link's bookings left in the database: its confirmed booking rows
    (host, start), their engagements, the site's engagements in all, and the contacts of
    the visitors who tried."""
    code = (
        "import json\n"
        "from comptoir.core.records.values import base_queryset\n"
        "from comptoir.meetings.models import Booking\n"
        f"rows = Booking.objects.filter(link__slug={slug!r}, status='confirmed')\n"
        "main = rows.filter(main=None)\n"
        "print(json.dumps({\n"
        "  'rows': [[r.host.email, r.start.isoformat()] for r in rows.select_related('host')],\n"
        "  'bookings': [b.email for b in main],\n"
        "  'meetings': sorted(base_queryset('meetings').filter(\n"
        "      pk__in=main.values('meeting_id')).values_list('pk', flat=True)),\n"
        "  'all_meetings': base_queryset('meetings').count(),\n"
        "  'contacts': sorted(base_queryset('contacts').filter(\n"
        f"      email__startswith={slug + '-visitor'!r}).values_list('email', flat=True)),\n"
        "}))\n"
    )
    return json.loads(site.python(code).strip().splitlines()[-1])


def page(url: str, slug: str, day: str) -> list[str]:
    status, text = request(url, "GET", f"/meet/{slug}/?day={day}")
    assert status == 200, text
    return SLOT.findall(text)


def request(url: str, method: str, path: str, body: str = "", language: str = "en"):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        headers = {"Accept-Language": language}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def all_at_once(urls: list[str], slug: str, slots: list[str]) -> list[dict]:
    """Each visitor n posts `slots[n]` at the same moment (after a barrier), to one server
    or the other, in French or English; their answers, in visitor order."""
    barrier = threading.Barrier(len(slots))
    answers: list[dict] = [{} for _ in slots]

    def visit(n: int) -> None:
        language = ("fr", "en")[n % 2]
        parts = urllib.parse.urlsplit(urls[n % len(urls)])
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        body = urllib.parse.urlencode(
            {"slot": slots[n], "tz": "Europe/Paris", "name": f"Visiteur {n}",
             "email": f"{slug}-visitor{n}@example.org"}
        )  # fmt: skip
        try:
            conn.connect()  # connected before the barrier: the posts leave together
            barrier.wait(timeout=60)
            conn.request(
                "POST", f"/meet/{slug}/", body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept-Language": language},
            )  # fmt: skip
            response = conn.getresponse()
            answers[n] = {
                "status": response.status,
                "location": response.getheader("Location") or "",
                "text": response.read().decode(),
                "language": language,
                "slot": slots[n],
            }
        except Exception as exc:  # kept for the assertion below
            answers[n] = {"status": None, "error": repr(exc), "slot": slots[n]}
        finally:
            conn.close()

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(len(slots))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(not thread.is_alive() for thread in threads)
    statuses = [a["status"] for a in answers]
    assert all(s in (302, 409) for s in statuses), answers
    return answers


def assert_just_taken(answer: dict) -> None:
    """A loser's answer: 409, the clear words in their page's language, the time they
    wanted no longer offered, other times offered to choose from."""
    assert answer["status"] == 409
    text = answer["text"]
    assert f'lang="{answer["language"]}"' in text
    assert TAKEN[answer["language"]] in text, text[:2000]
    offered = SLOT.findall(text)
    assert offered and answer["slot"] not in offered


def later() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()


def spaced(slots: list[str], count: int) -> list[str]:
    """`count` of the offered times an hour apart or more (30-minute meetings that
    cannot overlap)."""
    chosen: list[str] = []
    for slot in slots:
        at = dt.datetime.strptime(slot, "%Y%m%dT%H%MZ")
        if not chosen or at - dt.datetime.strptime(chosen[-1], "%Y%m%dT%H%MZ") >= dt.timedelta(
            hours=1
        ):
            chosen.append(slot)
    assert len(chosen) >= count
    return chosen[:count]


def test_visitors_posting_one_slot_at_once_get_one_booking_and_just_taken(servers):
    site, urls = servers
    make_link(site, "solo")
    slot = page(urls[0], "solo", later())[0]
    before = state(site, "solo")["all_meetings"]
    answers = all_at_once(urls, "solo", [slot] * VISITORS)
    booked = [a for a in answers if a["status"] == 302]
    assert len(booked) == 1 and "/meet/booking/" in booked[0]["location"]
    for answer in answers:
        if answer["status"] != 302:
            assert_just_taken(answer)
    assert {a["language"] for a in answers if a["status"] == 409} == {"fr", "en"}
    found = state(site, "solo")
    winner = f"solo-visitor{answers.index(booked[0])}@example.org"
    assert found["bookings"] == [winner] and len(found["rows"]) == 1
    # One engagement and one contact: the losers' transactions left nothing behind.
    assert len(found["meetings"]) == 1 and found["all_meetings"] == before + 1
    assert found["contacts"] == [winner]
    # The confirmation page of the winner opens; the time is gone from the page.
    confirmation = urllib.parse.urlsplit(booked[0]["location"])
    status, text = request(urls[1], "GET", f"{confirmation.path}?{confirmation.query}")
    assert status == 200 and "Your meeting is booked" in text
    assert slot not in page(urls[1], "solo", later())


def test_a_round_robin_shares_visitors_arriving_together_fairly(servers):
    site, urls = servers
    make_link(site, "tour", kind="round_robin", members=3)
    slots = spaced(page(urls[0], "tour", later()), VISITORS)
    answers = all_at_once(urls, "tour", slots)
    assert [a["status"] for a in answers] == [302] * VISITORS  # each time free for everyone
    found = state(site, "tour")
    assert len(found["rows"]) == VISITORS and len(found["meetings"]) == VISITORS
    counts = Counter(host for host, _start in found["rows"])
    # Each member got their turn: 3, 3 and 2 for 8 visitors (not 8 for the first).
    assert len(counts) == 3 and max(counts.values()) - min(counts.values()) <= 1, counts
    assert len(set(map(tuple, found["rows"]))) == VISITORS  # no one booked twice at a time


def test_a_round_robin_slot_taken_at_once_books_each_free_member_once(servers):
    site, urls = servers
    make_link(site, "duo", kind="round_robin", members=2)
    slot = page(urls[0], "duo", later())[0]
    before = state(site, "duo")["all_meetings"]
    answers = all_at_once(urls, "duo", [slot] * VISITORS)
    booked = [a for a in answers if a["status"] == 302]
    assert len(booked) == 2  # one per member free at that time
    for answer in answers:
        if answer["status"] != 302:
            assert_just_taken(answer)
    found = state(site, "duo")
    hosts = sorted(host for host, _start in found["rows"])
    assert hosts == ["duo-0@example.com", "duo-1@example.com"]
    assert len(found["meetings"]) == 2 and found["all_meetings"] == before + 2
    assert len(found["contacts"]) == 2
    assert slot not in page(urls[1], "duo", later())


def test_a_group_slot_taken_at_once_books_every_member_once(servers):
    site, urls = servers
    make_link(site, "groupe", kind="group", members=3)
    slot = page(urls[0], "groupe", later())[0]
    before = state(site, "groupe")["all_meetings"]
    answers = all_at_once(urls, "groupe", [slot] * VISITORS)
    booked = [a for a in answers if a["status"] == 302]
    assert len(booked) == 1
    for answer in answers:
        if answer["status"] != 302:
            assert_just_taken(answer)
    found = state(site, "groupe")
    winner = f"groupe-visitor{answers.index(booked[0])}@example.org"
    assert found["bookings"] == [winner]
    assert sorted(host for host, _start in found["rows"]) == [
        f"groupe-{n}@example.com" for n in range(3)
    ]
    assert len(found["meetings"]) == 1 and found["all_meetings"] == before + 1
    assert found["contacts"] == [winner]
