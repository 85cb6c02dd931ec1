"""The default contacts, deals and companies tables fit a laptop's frame at 1280 px, in French
and English, with values as long as a real team's (issue 14, point 7): no sideways scroll
until the user adds columns. A date-and-time column shows the day; the time is in its
tooltip."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_activity, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["fr", "en"])
def filled(request, seller):
    seller.language = request.param
    seller.last_name = "Martin-Delacroix"
    seller.save(update_fields=["language", "last_name"])
    owner = seller.owner.pk
    for n, (name, domain) in enumerate(
        [
            ("Boulangeries Dupain et Fils", "boulangeries-dupain.fr"),
            ("Cimenterie du Nord-Pas-de-Calais", "cimenterie-du-nord.fr"),
            ("Éditions Lumière", "editions-lumiere.fr"),
        ]
    ):
        company = make_company(
            name=name,
            domain=domain,
            hubspot_owner_id=owner,
            phone="+33 4 72 00 00 00",
            city="Villeneuve-d'Ascq",
            country="France",
            industry="INFORMATION_TECHNOLOGY_AND_SERVICES",
        )
        make_activity(
            "notes", hs_note_body="Appel", hs_timestamp="2026-11-30T09:15:00.000Z",
            associations=[("companies", company.pk, None)],
        )  # fmt: skip
        contact = make_contact(
            firstname="Marie-Amélie", lastname=f"de La Rochefoucauld-Liancourt {n}",
            email=f"marie-amelie.delarochefoucauld{n}@{domain}",
            lifecyclestage="marketingqualifiedlead", hubspot_owner_id=owner,
            associations=[("companies", company.pk, None)],
        )  # fmt: skip
        make_activity(
            "notes", hs_note_body="Relance", hs_timestamp="2026-11-30T09:15:00.000Z",
            associations=[("contacts", contact.pk, None)],
        )  # fmt: skip
        make_deal(
            dealname=f"Renouvellement du contrat annuel {name}",
            amount=str(125000 + n),
            closedate="2027-03-31T00:00:00.000Z",
            hubspot_owner_id=owner,
            associations=[("companies", company.pk, None)],
        )
    return seller


@pytest.mark.parametrize("path", ["/contacts/", "/deals/", "/companies/"])
def test_the_default_table_fits_1280(filled, page, live_server, path):
    page.goto(f"{live_server.url}{path}")
    wrap = page.locator(".table-wrap")
    width = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert width[0] <= width[1] + 1, width
    if path == "/contacts/":
        # The last activity (30 Nov 2026, 10:15 in Paris) shows its day; the time is in the
        # tooltip; the full company name is there.
        english = filled.language == "en"
        day = "Nov 30, 2026" if english else "30 nov. 2026"
        cell = page.locator("td", has_text=day).first
        expect(cell).to_have_text(day)
        assert "10:15" in cell.get_attribute("title")
        expect(page.get_by_role("link", name="Boulangeries Dupain et Fils")).to_be_visible()
