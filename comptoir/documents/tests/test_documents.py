"""Documents (TOOL-4): the library (upload checked by content, size limit, folders, private
or shared), share links (unguessable, expiry, email question, download on or off), the
public viewer and its file, beacons (forged ones refused without a 500), a view counted
only from its first beacon (a fetch alone counts nowhere; concurrent first beacons once),
the figures, the timeline event and the first-view notification, the hint the viewer gives
the PDF's links to the website (TOOL-6), and the composer's link."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from comptoir.core.files import stored
from comptoir.core.portal.services import update_portal
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.timeline.models import EventType, TimelineEvent
from comptoir.documents import analytics, services
from comptoir.documents.models import Document, PageTime, ShareLink, ViewSession
from comptoir.documents.tests.pdfs import make_pdf
from comptoir.notifications.models import Notification
from comptoir.users.roles import SALES_MANAGER, SALES_REP_PRIVATE

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def pdf_upload(name="offre.pdf", pages=3, **kw):
    return SimpleUploadedFile(name, make_pdf(pages, **kw), content_type="application/pdf")


@pytest.fixture
def owner():
    return make_user("owner@example.com", role=SALES_MANAGER)


@pytest.fixture
def rep():
    return make_user("rep@example.com", role=SALES_REP_PRIVATE)


@pytest.fixture
def document(owner):
    return services.upload_document(owner, pdf_upload(), name="Offre 2027")


@pytest.fixture
def contact():
    return make_contact(email="lea@client.fr", firstname="Léa", lastname="Petit")


# -- upload ---------------------------------------------------------------------------------


def test_a_pdf_is_stored_through_the_storage_with_its_page_count(owner, document):
    assert document.is_pdf and document.page_count == 3
    assert document.content_type == "application/pdf"
    assert document.stored_name.startswith("documents/")
    with stored.open_file(document.stored_name) as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_library_page_uploads_and_shows_the_limit(owner, settings):
    settings.COMPTOIR_DOCUMENTS_MAX_MB = 2
    client = signed_in(owner)
    page = client.get("/sales-tools/documents/")
    assert page.status_code == 200
    assert b"At most 2 MB" in page.content
    response = client.post(
        "/sales-tools/documents/upload/", {"file": pdf_upload("Prix.pdf"), "shared": "on"}
    )
    doc = Document.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/sales-tools/documents/{doc.pk}/"
    )
    assert doc.name == "Prix.pdf" and doc.shared
    assert b"Prix.pdf" in client.get("/sales-tools/documents/").content


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"not a pdf at all, just text", "facture.pdf", b"named like a PDF"),
        (b"%PDF-1.7\n garbage garbage \n%%EOF", "broken.pdf", b"damaged"),
        (make_pdf(2, password="secret"), "locked.pdf", b"protected by a password"),
        (b"MZ\x90\x00program", "tool.exe", b"Programs, scripts"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "page.pdf.html", b"Programs, scripts"),
        (b"", "empty.pdf", b"empty"),
    ],
)
def test_bad_files_are_refused_naming_the_file_field(owner, content, name, message):
    client = signed_in(owner)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post("/sales-tools/documents/upload/", {"file": upload})
    assert response.status_code == 422
    assert message in response.content
    assert b'id="document-file-error"' in response.content
    assert not Document.objects.exists()
    assert not list(stored.walk("documents"))


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(owner, settings):
    settings.COMPTOIR_DOCUMENTS_MAX_MB = 1
    client = signed_in(owner)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    response = client.post("/sales-tools/documents/upload/", {"file": big})
    assert response.status_code == 413
    assert b"the limit" in response.content
    # Just over the limit (under the envelope): refused by the service, by its size.
    near = SimpleUploadedFile("near.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    response = client.post("/sales-tools/documents/upload/", {"file": near})
    assert response.status_code == 422 and b"the limit is 1 MB" in response.content
    assert not Document.objects.exists()


def test_hostile_file_names_are_cleaned(owner):
    doc = services.upload_document(owner, pdf_upload("../../etc/pass\x00wd<script>.pdf"))
    assert "/" not in doc.file_name and "<" not in doc.file_name and "\x00" not in doc.file_name
    assert doc.stored_name.startswith("documents/") and ".." not in doc.stored_name
    other = services.upload_document(
        owner, SimpleUploadedFile("notes.txt", b"Bonjour\n"), name="Notes"
    )
    assert not other.is_pdf and other.content_type == "text/plain" and other.page_count == 0


def test_a_title_too_long_is_refused_naming_the_field(owner):
    with pytest.raises(services.DocumentError) as exc:
        services.upload_document(owner, pdf_upload(), name="x" * 300)
    assert "name" in exc.value.errors
    assert not Document.objects.exists()


# -- who sees what --------------------------------------------------------------------------


def test_a_private_document_of_another_user_is_missing_everywhere(owner, rep, document):
    client = signed_in(rep)
    base = f"/sales-tools/documents/{document.pk}/"
    missing = f"/sales-tools/documents/{document.pk + 1000}/"
    for url in (base, f"{base}file/"):
        assert client.get(url).status_code == 404, url
        assert client.get(url.replace(base, missing)).status_code == 404
    for url in (f"{base}edit/", f"{base}delete/", f"{base}links/", f"{base}links/composer/"):
        assert client.post(url, {"name": "x"}).status_code == 404, url
    assert b"Offre 2027" not in client.get("/sales-tools/documents/").content
    assert b"Offre 2027" not in client.get("/sales-tools/documents/picker/?q=Offre").content
    assert Document.objects.get().name == "Offre 2027"


def test_a_shared_document_is_seen_and_sent_but_not_changed_by_a_rep(owner, rep, document):
    services.update_document(owner, document, name="Offre 2027", shared=True)
    client = signed_in(rep)
    assert client.get(f"/sales-tools/documents/{document.pk}/").status_code == 200
    response = client.post(f"/sales-tools/documents/{document.pk}/edit/", {"name": "Mine"})
    assert response.status_code == 302
    response = client.post(f"/sales-tools/documents/{document.pk}/delete/")
    assert Document.objects.get().name == "Offre 2027"
    response = client.post(f"/sales-tools/documents/{document.pk}/links/", {"email": "a@b.fr"})
    assert response.status_code == 302 and ShareLink.objects.count() == 1


def test_folders(owner, rep, document):
    client = signed_in(owner)
    client.post("/sales-tools/documents/folders/new/", {"folder_name": "Propositions"})
    folder = document.__class__._meta.get_field("folder").related_model.objects.get()
    services.update_document(owner, document, name="Offre 2027", folder_id=folder.pk)
    page = client.get(f"/sales-tools/documents/?folder={folder.pk}")
    assert b"Offre 2027" in page.content
    assert b"Offre 2027" not in client.get("/sales-tools/documents/?folder=none").content
    response = client.post("/sales-tools/documents/folders/new/", {"folder_name": "propositions"})
    assert response.status_code == 302
    with pytest.raises(services.DocumentError):
        services.update_document(owner, document, name="Offre 2027", folder_id="999999")


# -- share links and the public viewer ------------------------------------------------------


def test_a_link_is_unguessable_and_opens_the_viewer(owner, document, contact):
    link = services.create_link(owner, document, contact_id=contact.pk, allow_download=False)
    assert len(link.token) >= 32 and link.email == "lea@client.fr"
    other = services.create_link(owner, document, email="Paul@Client.fr")
    assert other.token != link.token and other.email == "paul@client.fr"
    viewer = Client()
    page = viewer.get(f"/d/{link.token}/")
    assert page.status_code == 200
    assert b"data-document-viewer" in page.content and b"document_viewer.js" in page.content
    assert b"data-download" not in page.content
    session = ViewSession.objects.get()
    assert session.contact_id == contact.pk
    # The file: only with the view's key, never a download when refused.
    assert viewer.get(f"/d/{link.token}/file/").status_code == 404
    assert viewer.get(f"/d/{link.token}/file/?s=wrong").status_code == 404
    file = viewer.get(f"/d/{link.token}/file/?s={session.key}")
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content).startswith(b"%PDF-")
    assert viewer.get(f"/d/{link.token}/download/?s={session.key}").status_code == 404
    # Another link's key does not open this one's file.
    viewer.get(f"/d/{other.token}/")
    other_key = ViewSession.objects.get(link=other).key
    assert viewer.get(f"/d/{link.token}/file/?s={other_key}").status_code == 404


@pytest.mark.parametrize("token", ["guess", "A" * 32, "x" * 500, "%E2%80%AE"])
def test_a_guessed_token_answers_the_404_page(document, token):
    response = Client().get(f"/d/{token}/")
    assert response.status_code == 404
    assert b"This link does not open" in response.content
    assert Client().post(f"/d/{token}/beacon/", {"s": "x"}).status_code == 404


@pytest.mark.parametrize("token", ["../../etc/passwd", "%00", "a/b"])
def test_odd_tokens_get_a_clear_answer(document, token):
    assert Client().get(f"/d/{token}/").status_code in (400, 404)


def test_an_expired_link_answers_like_a_missing_one(owner, document):
    tomorrow = (timezone.now() + dt.timedelta(days=2)).date().isoformat()
    link = services.create_link(owner, document, email="a@b.fr", expires_on=tomorrow)
    assert Client().get(f"/d/{link.token}/").status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client().get(f"/d/{link.token}/")
    assert response.status_code == 404 and b"This link does not open" in response.content
    key = ViewSession.objects.get().key
    assert Client().get(f"/d/{link.token}/file/?s={key}").status_code == 404


def test_a_link_opens_through_its_last_day_in_the_portals_time_zone(owner, document, monkeypatch):
    """ "Expires after March 10" (the rep's last day, HubSpot's sense): the link opens until
    the end of March 10 in the portal's time zone (Toronto here, five hours behind UTC: its
    evening is already March 11 in UTC) and answers like a missing link from midnight on;
    the document's page says "until Mar 10", the day chosen. The clock is the test's."""
    update_portal(report_time_zone="America/Toronto")
    toronto = zoneinfo.ZoneInfo("America/Toronto")
    clock = {"now": dt.datetime(2027, 3, 10, 9, 0, tzinfo=toronto)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    link = services.create_link(owner, document, email="a@b.fr", expires_on="2027-03-10")
    page = signed_in(owner).get(f"/sales-tools/documents/{document.pk}/")
    assert "until Mar 10, 2027" in page.content.decode()
    viewer = Client()

    def opens(moment) -> bool:
        clock["now"] = moment
        response = viewer.get(f"/d/{link.token}/")
        assert response.status_code in (200, 404)
        if response.status_code == 404:
            assert b"This link does not open" in response.content
            key = ViewSession.objects.filter(link=link).values_list("key", flat=True).first()
            assert viewer.get(f"/d/{link.token}/file/?s={key}").status_code == 404
            assert viewer.post(f"/d/{link.token}/beacon/", {"s": key}).status_code == 404
        return response.status_code == 200

    assert opens(dt.datetime(2027, 3, 10, 9, 0, tzinfo=toronto))
    late = dt.datetime(2027, 3, 10, 23, 59, 59, tzinfo=toronto)
    assert late.astimezone(dt.UTC).date() == dt.date(2027, 3, 11)  # already tomorrow in UTC
    assert opens(late)
    # Still March 10 in Toronto: a link ending today can still be made, not one ending
    # yesterday.
    assert services.create_link(owner, document, email="c@d.fr", expires_on="2027-03-10")
    with pytest.raises(services.DocumentError) as exc:
        services.create_link(owner, document, email="c@d.fr", expires_on="2027-03-09")
    assert "expires_on" in exc.value.errors
    assert not opens(dt.datetime(2027, 3, 11, 0, 0, tzinfo=toronto))
    assert not opens(dt.datetime(2027, 3, 11, 0, 0, 1, tzinfo=toronto))
    assert not opens(dt.datetime(2027, 3, 12, 12, 0, tzinfo=toronto))
    assert ViewSession.objects.filter(link=link).count() == 2  # the two openings of the 10th


def test_link_options_are_checked_naming_the_field(owner, document, rep):
    client = signed_in(owner)
    url = f"/sales-tools/documents/{document.pk}/links/"
    response = client.post(url, {"email": "not an email"})
    assert response.status_code == 422 and b"Enter a valid email address" in response.content
    response = client.post(url, {"expires_on": "2020-01-01"})
    assert response.status_code == 422 and b"Choose a day from today on" in response.content
    response = client.post(url, {"expires_on": "31/12/2099"})
    assert response.status_code == 422 and b"YYYY-MM-DD" in response.content
    private_contact = make_contact(email="hidden@x.fr", hubspot_owner_id=None)
    with pytest.raises(services.DocumentError) as exc:
        services.create_link(rep, document, contact_id=private_contact.pk)
    assert "contact" in exc.value.errors
    assert not ShareLink.objects.exists()


def test_the_email_question_comes_first(owner, document, contact):
    link = services.create_link(owner, document, ask_email=True)
    viewer = Client()
    page = viewer.get(f"/d/{link.token}/")
    assert b'name="email"' in page.content and not ViewSession.objects.exists()
    bad = viewer.post(f"/d/{link.token}/", {"email": "nope"})
    assert bad.status_code == 422 and b"Enter a valid email address" in bad.content
    ok = viewer.post(f"/d/{link.token}/", {"email": "LEA@client.fr"})
    assert ok.status_code == 302
    assert b"data-document-viewer" in viewer.get(f"/d/{link.token}/").content
    session = ViewSession.objects.get()
    assert session.viewer_email == "lea@client.fr" and session.contact_id == contact.pk


def test_a_file_that_is_not_a_pdf_is_a_tracked_download(owner):
    doc = services.upload_document(
        owner, SimpleUploadedFile("tarifs.csv", b"a;b\n1;2\n"), name="Tarifs"
    )
    link = services.create_link(owner, doc, email="x@y.fr", allow_download=False)
    viewer = Client()
    page = viewer.get(f"/d/{link.token}/")
    assert b"data-download" in page.content and b"document_viewer.js" not in page.content
    key = ViewSession.objects.get().key
    response = viewer.get(f"/d/{link.token}/download/?s={key}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert ViewSession.objects.get().downloaded
    assert analytics.figures(doc).downloads == 1


# -- beacons and figures --------------------------------------------------------------------


def _open(link):
    viewer = Client()
    viewer.get(f"/d/{link.token}/")
    session = ViewSession.objects.filter(link=link).order_by("-pk").first()
    ViewSession.objects.filter(pk=session.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=60)
    )
    return viewer, session


def test_beacons_add_time_per_page(owner, document, contact):
    link = services.create_link(owner, document, contact_id=contact.pk)
    viewer, session = _open(link)
    url = f"/d/{link.token}/beacon/"
    response = viewer.post(url, {"s": session.key, "page": ["1", "2"], "seconds": ["8", "2"]})
    assert response.status_code == 204
    ViewSession.objects.filter(pk=session.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=60)
    )
    viewer.post(url, {"s": session.key, "page": "2", "seconds": "10"})
    pages = dict(PageTime.objects.filter(session=session).values_list("page", "seconds"))
    assert pages == {1: 8, 2: 12}
    assert ViewSession.objects.get(pk=session.pk).seconds == 20
    figures = analytics.figures(document)
    assert figures.views == 1 and figures.viewers == 1 and figures.average_seconds == 20
    assert figures.pages_read == 2 and [p["percent"] for p in figures.pages] == [67, 100, 0]
    page = signed_in(owner).get(f"/sales-tools/documents/{document.pk}/")
    assert b'data-figure="views">1<' in page.content
    assert b"pct-100" in page.content and b"lea@client.fr" in page.content


@pytest.mark.parametrize(
    "data, field",
    [
        ({"page": "4", "seconds": "5"}, "page"),  # the document has 3 pages
        ({"page": "0", "seconds": "5"}, "page"),
        ({"page": "-1", "seconds": "5"}, "page"),
        ({"page": "abc", "seconds": "5"}, "page"),
        ({"page": "1", "seconds": "-5"}, "seconds"),
        ({"page": "1", "seconds": "99999999999999999999"}, "seconds"),
        ({"page": "1", "seconds": "1e9"}, "seconds"),
        ({"page": ["1", "2"], "seconds": "5"}, "page"),
        ({"page": ["1"] * 51, "seconds": ["1"] * 51}, "page"),
        ({"page": ["1", "2", "3"], "seconds": ["60", "60", "60"]}, "seconds"),  # over elapsed
    ],
)
def test_forged_beacons_are_refused_without_a_500(owner, document, data, field):
    link = services.create_link(owner, document, email="a@b.fr")
    viewer, session = _open(link)
    response = viewer.post(f"/d/{link.token}/beacon/", {"s": session.key, **data})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not PageTime.objects.exists()
    assert ViewSession.objects.get().seconds == 0


def test_a_beacon_for_another_links_view_or_a_forged_key_is_refused(owner, document):
    link = services.create_link(owner, document, email="a@b.fr")
    other = services.create_link(owner, document, email="c@d.fr")
    _viewer, session = _open(link)
    for token, key in ((other.token, session.key), (link.token, "forged"), (link.token, "")):
        response = Client().post(f"/d/{token}/beacon/", {"s": key, "page": "1", "seconds": "3"})
        assert response.status_code == 404
    assert not PageTime.objects.exists()
    # Time is bounded by the time elapsed: two quick beacons cannot add minutes.
    ok = Client().post(f"/d/{link.token}/beacon/", {"s": session.key, "page": "1", "seconds": "50"})
    assert ok.status_code == 204
    again = Client().post(
        f"/d/{link.token}/beacon/", {"s": session.key, "page": "1", "seconds": "50"}
    )
    assert again.status_code == 400


def _read(link, session, client=None, seconds="3"):
    """The viewer's page reporting its first seconds read (its pdf.js drew the pages)."""
    return (client or Client()).post(
        f"/d/{link.token}/beacon/", {"s": session.key, "page": "1", "seconds": seconds}
    )


def test_a_fetch_without_a_beacon_counts_nowhere(owner, document, contact):
    """A mail scanner or a link preview: the page and even the file fetched, no script run."""
    link = services.create_link(owner, document, contact_id=contact.pk)
    scanner = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Proofpoint URL Defense)")
    assert scanner.get(f"/d/{link.token}/").status_code == 200
    session = ViewSession.objects.get()
    assert session.contact_id == contact.pk and session.confirmed_at is None  # kept
    assert scanner.get(f"/d/{link.token}/file/?s={session.key}").status_code == 200
    assert scanner.get(f"/d/{link.token}/download/?s={session.key}").status_code == 200  # a PDF
    figures = analytics.figures(document)
    assert (figures.views, figures.viewers, figures.downloads) == (0, 0, 0)
    assert not TimelineEvent.objects.filter(event_type=EventType.DOCUMENT_VIEWED).exists()
    assert not Notification.objects.filter(kind="document_viewed").exists()
    assert ShareLink.objects.get().viewed_at is None
    client = signed_in(owner)
    assert (
        "Offre 2027"
        not in client.get("/sales-tools/activity/?kind=document&part=feed").content.decode()
    )
    assert b'data-figure="views">0<' in client.get(f"/sales-tools/documents/{document.pk}/").content


def test_the_first_beacon_counts_the_view_once(owner, document, contact):
    link = services.create_link(owner, document, contact_id=contact.pk)
    _viewer, first = _open(link)
    _viewer, second = _open(link)
    assert _read(link, first).status_code == 204
    assert ViewSession.objects.get(pk=first.pk).confirmed_at is not None
    ViewSession.objects.filter(pk=first.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=60)
    )
    assert _read(link, first).status_code == 204  # a later beacon: time, not another view
    assert _read(link, second).status_code == 204
    events = TimelineEvent.objects.filter(
        object_id=contact.pk, event_type=EventType.DOCUMENT_VIEWED
    )
    assert events.count() == 2  # one per view
    assert analytics.figures(document).views == 2
    notices = Notification.objects.filter(recipient=owner, kind="document_viewed")
    assert notices.count() == 1  # the link's first view only
    listed = signed_in(owner).get("/notifications/")
    assert listed.status_code == 200
    assert "lea@client.fr opened your document “Offre 2027”" in listed.content.decode()
    opened = signed_in(owner).get(f"/notifications/{notices.get().pk}/open/")
    assert opened.status_code == 302
    assert opened["Location"] == f"/sales-tools/documents/{document.pk}/"
    page = signed_in(owner).get(f"/contacts/{contact.pk}/timeline/")
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "lea@client.fr viewed the document “Offre 2027”" in text
    # A refused beacon confirms nothing.
    _viewer, third = _open(link)
    assert _read(link, third, seconds="9999").status_code == 400
    assert ViewSession.objects.get(pk=third.pk).confirmed_at is None
    assert events.count() == 2


def test_a_file_that_is_not_a_pdf_counts_when_downloaded(owner):
    doc = services.upload_document(owner, SimpleUploadedFile("t.csv", b"a;b\n"), name="Tarifs")
    link = services.create_link(owner, doc, email="x@y.fr")
    viewer = Client()
    viewer.get(f"/d/{link.token}/")
    assert analytics.figures(doc).views == 0
    key = ViewSession.objects.get().key
    assert viewer.get(f"/d/{link.token}/download/?s={key}").status_code == 200
    viewer.get(f"/d/{link.token}/download/?s={key}")  # twice: still one view
    assert analytics.figures(doc).views == 1
    assert Notification.objects.filter(kind="document_viewed").count() == 1


def test_concurrent_first_beacons_count_each_view_once(owner, document, contact):
    """Two first beacons of the same view, and of two views of the same link, at the same
    moment on PostgreSQL: each view counted once, the link notified once."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions waiting on a row lock: PostgreSQL")
    link = services.create_link(owner, document, contact_id=contact.pk)
    _viewer, first = _open(link)
    _viewer, second = _open(link)
    sessions = [first, first, second, second, first, second]
    barrier = threading.Barrier(len(sessions))
    answers = []

    def send(session):
        try:
            barrier.wait()
            answers.append(_read(link, session, seconds="1").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [204] * len(sessions)
    events = TimelineEvent.objects.filter(
        object_id=contact.pk, event_type=EventType.DOCUMENT_VIEWED
    )
    assert sorted(e.occurred_at for e in events) == [first.started_at, second.started_at]
    assert Notification.objects.filter(kind="document_viewed").count() == 1
    assert analytics.figures(document).views == 2
    assert ViewSession.objects.get(pk=first.pk).seconds == 3


def test_the_composer_gets_a_link_for_the_contact(owner, rep, document, contact):
    client = signed_in(owner)
    picker = client.get("/sales-tools/documents/picker/?q=offre")
    assert b"Offre 2027" in picker.content
    url = f"/sales-tools/documents/{document.pk}/links/composer/"
    first = client.post(url, {"contact": contact.pk}).json()
    again = client.post(url, {"contact": contact.pk}).json()
    assert first == again and "/d/" in first["url"] and first["name"] == "Offre 2027"
    assert ShareLink.objects.get().contact_id == contact.pk
    assert client.post(url, {"contact": contact.pk + 999}).status_code == 404


def test_deleting_a_document_removes_its_file_and_links(owner, document):
    link = services.create_link(owner, document, email="a@b.fr")
    name = document.stored_name
    response = signed_in(owner).post(f"/sales-tools/documents/{document.pk}/delete/")
    assert response.status_code == 302
    assert not Document.objects.exists() and not ShareLink.objects.exists()
    assert not stored.storage().exists(name)
    assert Client().get(f"/d/{link.token}/").status_code == 404


def test_the_library_reads_in_few_queries(owner, django_assert_max_num_queries):
    for n in range(5):
        services.upload_document(owner, pdf_upload(f"d{n}.pdf", pages=1))
    client = signed_in(owner)
    with django_assert_max_num_queries(15):
        assert client.get("/sales-tools/documents/").status_code == 200


def test_views_show_in_the_activity_feed_of_the_owner_only(owner, rep, document, contact):
    link = services.create_link(owner, document, contact_id=contact.pk)
    _viewer, session = _open(link)
    _read(link, session)
    page = signed_in(owner).get("/sales-tools/activity/")
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "Léa Petit opened the document “Offre 2027”" in text
    only = signed_in(owner).get("/sales-tools/activity/?kind=document&part=feed")
    assert "Offre 2027" in only.content.decode()
    assert "Offre 2027" not in signed_in(rep).get("/sales-tools/activity/").content.decode()


def test_a_documents_page_reads_in_few_queries_whatever_its_views(
    owner, document, django_assert_max_num_queries
):
    for n in range(4):
        contact = make_contact(email=f"c{n}@client.fr")
        link = services.create_link(owner, document, contact_id=contact.pk)
        for _ in range(3):
            _viewer, session = _open(link)
            services.record_beacon(link, session.key, ["1", "2"], ["4", "5"])
    client = signed_in(owner)
    with django_assert_max_num_queries(20):
        page = client.get(f"/sales-tools/documents/{document.pk}/")
    assert page.status_code == 200
    assert b'data-figure="views">12<' in page.content


def test_the_sender_opening_their_own_link_is_not_a_view(owner, document, contact):
    link = services.create_link(owner, document, contact_id=contact.pk)
    client = signed_in(owner)
    page = client.get(f"/d/{link.token}/")
    assert page.status_code == 200 and b"data-document-viewer" in page.content
    session = ViewSession.objects.get()
    assert session.internal and session.contact_id is None
    file = client.get(f"/d/{link.token}/file/?s={session.key}")
    assert file.status_code == 200
    ViewSession.objects.filter(pk=session.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=60)
    )
    assert _read(link, session, client).status_code == 204  # their beacons: time only
    assert ViewSession.objects.get(pk=session.pk).confirmed_at is None
    assert analytics.figures(document).views == 0
    assert not TimelineEvent.objects.filter(event_type=EventType.DOCUMENT_VIEWED).exists()
    assert not Notification.objects.filter(kind="document_viewed").exists()
    _viewer, theirs = _open(link)  # then the contact: the first real view
    _read(link, theirs)
    assert analytics.figures(document).views == 1
    assert Notification.objects.filter(kind="document_viewed").count() == 1


# -- the website hint (TOOL-6) ----------------------------------------------------------------


def _hint(page) -> str | None:
    found = re.search(rb'data-hint="([^"]*)" data-hint-hosts="([^"]*)"', page.content)
    return (found.group(1).decode(), found.group(2).decode()) if found else None


def test_the_viewer_gives_the_pdfs_website_links_the_contacts_hint(owner, document, contact):
    from comptoir.mail import tracking
    from comptoir.prospects import conf

    link = services.create_link(owner, document, contact_id=contact.pk)
    assert _hint(Client().get(f"/d/{link.token}/")) is None  # no website set: nothing to mark
    conf.save("acme-shop.fr\nacme.io", "", 90, True)
    hint, hosts = _hint(Client().get(f"/d/{link.token}/"))
    assert hosts == "acme-shop.fr acme.io"
    assert tracking.read_hint(hint) == (tracking.CONTACT_HINT, contact.pk)
    assert len(hint) <= tracking.HINT_MAX
    # A link made for an address that is a contact's (the sender's choice): that contact.
    by_address = services.create_link(owner, document, email="LEA@client.fr")
    hint, _hosts = _hint(Client().get(f"/d/{by_address.token}/"))
    assert tracking.read_hint(hint) == (tracking.CONTACT_HINT, contact.pk)
    # An email asked to the viewer, typed by them: unverified, no hint (the view is still
    # the contact's on the timeline, as before); an address of no contact: none either.
    gated = services.create_link(owner, document, ask_email=True)
    viewer = Client()
    viewer.post(f"/d/{gated.token}/", {"email": "lea@client.fr"})
    page = viewer.get(f"/d/{gated.token}/")
    assert b"data-document-viewer" in page.content and _hint(page) is None
    stranger = services.create_link(owner, document, email="nobody@elsewhere.fr")
    assert _hint(Client().get(f"/d/{stranger.token}/")) is None
    # The sender checking their link: never identified as their contact.
    assert _hint(signed_in(owner).get(f"/d/{link.token}/")) is None
    # A gated link made for the contact: the link's contact, whatever was typed.
    for_lea = services.create_link(owner, document, contact_id=contact.pk, ask_email=True)
    viewer.post(f"/d/{for_lea.token}/", {"email": "someone@else.fr"})
    hint, _hosts = _hint(viewer.get(f"/d/{for_lea.token}/"))
    assert tracking.read_hint(hint) == (tracking.CONTACT_HINT, contact.pk)
