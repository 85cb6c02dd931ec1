"""The default deals and companies tables fit a laptop's frame at 1280 px, in French (issue
14, point 7): no sideways scroll until the user adds columns."""

import pytest

from comptoir.core.testing.factories import make_activity, make_company, make_deal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filled(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
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
        make_deal(
            dealname=f"Renouvellement du contrat annuel {name}",
            amount=str(125000 + n),
            closedate="2027-03-31T00:00:00.000Z",
            hubspot_owner_id=owner,
            associations=[("companies", company.pk, None)],
        )
    return seller


@pytest.mark.parametrize("path", ["/deals/", "/companies/"])
def test_the_default_table_fits_1280(filled, page, live_server, path):
    page.goto(f"{live_server.url}{path}")
    wrap = page.locator(".table-wrap")
    width = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert width[0] <= width[1] + 1, width
