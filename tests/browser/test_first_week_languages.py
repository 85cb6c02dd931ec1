"""What a sales team sees of issue 14's points 3, 4, 9 and 13, in Chromium at 1280 and
390 px, in French and in English (one page session per language, both widths in it): the
last activity is a past note's date, not a future task's; a descending sort puts empty
values last; an export is in the user's language in the portal's time zone; an owner
copied by the owner sync shows the automation as its author."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.core.properties.coercion import format_datetime
from comptoir.core.properties.formatting import format_date
from comptoir.core.testing.factories import make_activity, make_company, make_contact
from tests.browser.test_imports import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [1280, 390]
LANGUAGES = ["fr", "en"]
# What each language shows; the other language's words must not show.
TEXTS = {
    "fr": {
        "last_activity": "Date de la dernière activité",
        "export": "Exporter la vue ({})",
        "download": "Télécharger",
        "exported": "1 fiche exportée.",
        "name": "Nom",
        "email": "E-mail",
        "stage": "Phase du cycle de vie",
        "customer": "Client",
        "created": "Date de création",
        "new_year": "1 janv. 2027",
        "author": "Automatisation\u00a0: synchro du propriétaire",
        "owner_history": "Historique : Propriétaire du contact",
    },
    "en": {
        "last_activity": "Last activity date",
        "export": "Export view ({})",
        "download": "Download",
        "exported": "1 record exported.",
        "name": "Name",
        "email": "Email",
        "stage": "Lifecycle stage",
        "customer": "Customer",
        "created": "Create date",
        "new_year": "Jan 1, 2027",
        "author": "Automation: owner sync",
        "owner_history": "History of Contact owner",
    },
}


@pytest.fixture(params=LANGUAGES)
def language(request, seller):
    """The seller's language, and what that language shows (TEXTS)."""
    seller.language = request.param
    seller.save(update_fields=["language"])
    return request.param


def shown_date(moment, language) -> str:
    from django.utils import translation

    with translation.override(language):
        return format_date(moment, "Europe/Paris")


def column_texts(page, label):
    """The cells of the column headed `label`, top to bottom."""
    headers = page.locator("table.records thead th").all_text_contents()
    index = [h.strip() for h in headers].index(label)
    return [
        text.strip()
        for text in page.locator(
            f"table.records tbody tr td:nth-child({index + 1})"
        ).all_inner_texts()
    ]


def test_the_last_activity_is_a_past_notes_date_not_a_future_tasks(language, page, live_server):
    texts = TEXTS[language]
    now = timezone.now().replace(microsecond=0)
    past, future = now - dt.timedelta(days=3), now + dt.timedelta(days=9)
    lea = make_contact(firstname="Léa", lastname="Lefèvre", email="lea@exemple.fr")
    for kind, when, props in (
        ("notes", past, {"hs_note_body": "Appel de découverte"}),
        ("tasks", future, {"hs_task_subject": "Relancer Léa"}),
    ):
        make_activity(
            kind, hs_timestamp=format_datetime(when), associations=[("contacts", lea.pk, None)],
            **props,
        )  # fmt: skip

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/contacts/{lea.pk}/")
        row = page.locator("#prop-notes_last_updated")
        expect(row).to_contain_text(texts["last_activity"])
        expect(row.locator("dd")).to_contain_text(shown_date(past, language))
        expect(row.locator("dd")).not_to_contain_text(shown_date(future, language))

        page.goto(f"{live_server.url}/contacts/")
        cells = column_texts(page, texts["last_activity"])
        assert len(cells) == 1 and shown_date(past, language) in cells[0], (width, cells)
        assert shown_date(future, language) not in cells[0]


def test_sorting_descending_twice_by_header_puts_empty_values_last(language, page, live_server):
    now = timezone.now().replace(microsecond=0)
    for name, days in (("Aline", None), ("Bruno", 5), ("Chloé", None), ("Denis", 2)):
        contact = make_contact(firstname=name, email=f"{name.lower()}@exemple.fr")
        if days:
            make_activity(
                "notes", hs_note_body="vu", associations=[("contacts", contact.pk, None)],
                hs_timestamp=format_datetime(now - dt.timedelta(days=days)),
            )  # fmt: skip

    def first_names():
        names = page.locator("table.records tbody td.sticky-col a").all_inner_texts()
        return [n.split()[0] for n in names]

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/contacts/")
        header = page.locator("table.records thead th").filter(
            has_text=TEXTS[language]["last_activity"]
        )
        header.get_by_role("link").click()
        expect(header).to_have_attribute("aria-sort", "ascending")
        assert first_names()[:2] == ["Bruno", "Denis"], (width, first_names())
        header.get_by_role("link").click()
        expect(header).to_have_attribute("aria-sort", "descending")
        descending = first_names()
        assert descending[:2] == ["Denis", "Bruno"], (width, descending)
        assert sorted(descending[2:]) == ["Aline", "Chloé"], (width, descending)


def _rows(download, menu) -> list[list[str]]:
    path = download.path()
    if menu == "CSV":
        assert download.suggested_filename.endswith(".csv")
        return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    from openpyxl import load_workbook

    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active
    return [[("" if c is None else str(c)) for c in r] for r in sheet.iter_rows(values_only=True)]


def test_an_export_is_in_the_users_language_in_the_portals_time_zone(
    language, seller, page, live_server, tmp_path, monkeypatch
):
    """A CSV at 1280 px, then an Excel file at 390 px, in the same session."""
    texts = TEXTS[language]
    monkeypatch.setattr("django.conf.settings.MEDIA_ROOT", tmp_path / "media")
    alice = make_contact(
        email="alice@exemple.fr", firstname="Alice", lastname="Arnaud", lifecyclestage="customer"
    )
    from comptoir.imports.tests.test_export_language import with_create_date

    with_create_date(seller)
    # 23:30 UTC on 31 December is already 1 January 2027 in Paris.
    type(alice).objects.filter(pk=alice.pk).update(
        created_at=dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    )
    for width, menu in ((1280, "CSV"), (390, "Excel")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/contacts/")
        page.get_by_role("button", name="Actions").click()
        page.get_by_role("menuitem", name=texts["export"].format(menu)).click()
        run_worker(monkeypatch)
        link = page.get_by_role("link", name=texts["download"])
        expect(link).to_be_visible(timeout=10000)
        expect(page.get_by_text(texts["exported"])).to_be_visible()
        with page.expect_download() as download:
            link.click()
        rows = _rows(download.value, menu)
        header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
        assert header[:2] == [texts["name"], texts["email"]], (menu, header)
        assert row[texts["email"]] == "alice@exemple.fr"
        assert row[texts["stage"]] == texts["customer"], (menu, row)
        assert row[texts["created"]].startswith(texts["new_year"]), (menu, row)


def test_an_owner_synced_from_the_company_shows_the_automation_as_author(
    language, seller, page, live_server
):
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.records.writes import update_record
    from comptoir.core.testing.factories import make_user

    texts = TEXTS[language]
    other = TEXTS["en" if language == "fr" else "fr"]
    alyssa = make_user("alyssa@example.com", first_name="Alyssa", last_name="Haynes")
    acme = make_company(name="Acme", domain="acme.fr")
    jean = make_contact(email="jean@acme.fr", firstname="Jean", lastname="Dupont")
    update_record(
        "companies",
        acme.pk,
        {"hubspot_owner_id": alyssa.owner.pk},
        source=ChangeSource.for_user(seller),
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/contacts/{jean.pk}/")
        timeline = page.locator("#timeline")
        expect(timeline).to_contain_text(texts["author"])
        expect(timeline).not_to_contain_text("Camille Martin")
        expect(timeline).not_to_contain_text(other["author"])

        page.get_by_role("link", name=texts["owner_history"]).click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Alyssa Haynes")
        expect(dialog).to_contain_text(texts["author"])
        expect(dialog).not_to_contain_text("Camille Martin")
        expect(dialog).not_to_contain_text(other["author"])
