"""What a French sales team sees of issue 14's points 3, 4, 9 and 13, in Chromium at 1280
and 390 px: the last activity is a past note's date, not a future task's; a descending sort
puts empty values last; an export is in French in the portal's time zone; an owner copied by
the owner sync shows the automation as its author."""

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
AUTHOR = "Automatisation\u00a0: synchro du propriétaire"


@pytest.fixture
def french(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    return seller


def french_date(moment) -> str:
    from django.utils import translation

    with translation.override("fr"):
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


@pytest.mark.parametrize("width", WIDTHS)
def test_the_last_activity_is_a_past_notes_date_not_a_future_tasks(
    french, page, live_server, width
):
    page.set_viewport_size({"width": width, "height": 900})
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

    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    row = page.locator("#prop-notes_last_updated")
    expect(row).to_contain_text("Date de la dernière activité")
    expect(row.locator("dd")).to_contain_text(french_date(past))
    expect(row.locator("dd")).not_to_contain_text(french_date(future))

    page.goto(f"{live_server.url}/contacts/")
    cells = column_texts(page, "Date de la dernière activité")
    assert len(cells) == 1 and french_date(past) in cells[0], cells
    assert french_date(future) not in cells[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_sorting_descending_twice_by_header_puts_empty_values_last(
    french, page, live_server, width
):
    page.set_viewport_size({"width": width, "height": 900})
    now = timezone.now().replace(microsecond=0)
    names = {}
    for name, days in (("Aline", None), ("Bruno", 5), ("Chloé", None), ("Denis", 2)):
        contact = make_contact(firstname=name, email=f"{name.lower()}@exemple.fr")
        names[name] = contact
        if days:
            make_activity(
                "notes", hs_note_body="vu", associations=[("contacts", contact.pk, None)],
                hs_timestamp=format_datetime(now - dt.timedelta(days=days)),
            )  # fmt: skip

    page.goto(f"{live_server.url}/contacts/")
    header = page.locator("table.records thead th").filter(has_text="Date de la dernière activité")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = page.locator("table.records tbody td.sticky-col a").all_inner_texts()
    assert [n.split()[0] for n in ascending[:2]] == ["Bruno", "Denis"], ascending
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    descending = page.locator("table.records tbody td.sticky-col a").all_inner_texts()
    assert [n.split()[0] for n in descending[:2]] == ["Denis", "Bruno"], descending
    assert sorted(n.split()[0] for n in descending[2:]) == ["Aline", "Chloé"]


@pytest.mark.parametrize(("width", "menu"), [(1280, "CSV"), (390, "Excel")])
def test_a_french_user_exports_in_french_in_the_portals_time_zone(
    french, page, live_server, tmp_path, monkeypatch, width, menu
):
    monkeypatch.setattr("django.conf.settings.MEDIA_ROOT", tmp_path / "media")
    page.set_viewport_size({"width": width, "height": 900})
    alice = make_contact(
        email="alice@exemple.fr", firstname="Alice", lastname="Arnaud", lifecyclestage="customer"
    )
    # 23:30 UTC on 31 December is already 1 January 2027 in Paris.
    type(alice).objects.filter(pk=alice.pk).update(
        created_at=dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    )
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name=f"Exporter la vue ({menu})").click()
    run_worker(monkeypatch)
    link = page.get_by_role("link", name="Télécharger")
    expect(link).to_be_visible(timeout=10000)
    expect(page.get_by_text("1 fiche exportée.")).to_be_visible()
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    if menu == "CSV":
        assert download.value.suggested_filename.endswith(".csv")
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    else:
        from openpyxl import load_workbook

        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active
        rows = [
            [("" if c is None else str(c)) for c in r] for r in sheet.iter_rows(values_only=True)
        ]
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:2] == ["Nom", "E-mail"], header
    assert row["E-mail"] == "alice@exemple.fr"
    assert row["Phase du cycle de vie"] == "Client"
    assert row["Date de création"].startswith("1 janv. 2027"), row["Date de création"]


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_synced_from_the_company_shows_the_automation_as_author(
    french, page, live_server, width
):
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.records.writes import update_record
    from comptoir.core.testing.factories import make_user

    page.set_viewport_size({"width": width, "height": 900})
    alyssa = make_user("alyssa@example.com", first_name="Alyssa", last_name="Haynes")
    acme = make_company(name="Acme", domain="acme.fr")
    jean = make_contact(email="jean@acme.fr", firstname="Jean", lastname="Dupont")
    update_record(
        "companies",
        acme.pk,
        {"hubspot_owner_id": alyssa.owner.pk},
        source=ChangeSource.for_user(french),
    )
    page.goto(f"{live_server.url}/contacts/{jean.pk}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(AUTHOR)
    expect(timeline).not_to_contain_text("Camille Martin")

    page.get_by_role("link", name="Historique : Propriétaire du contact").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Alyssa Haynes")
    expect(dialog).to_contain_text(AUTHOR)
    expect(dialog).not_to_contain_text("Camille Martin")
