"""The GDPR export of a contact (issue 19, point 6): everything held on it in one JSON file,
for administrators only; everyone else, and a missing record, get the same 404."""

import json
import re

import pytest

from comptoir.core.audit.models import AuditEvent
from comptoir.core.records.writes import archive_record, update_record
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)

pytestmark = pytest.mark.django_db


def main_text(response) -> list[str]:
    """The page's words, without the per-request nonces and the address asked for."""
    html = response.content.decode()
    return re.sub(r"<[^>]+>|/contacts/\d+/personal-data/", " ", html.split("<main", 1)[-1]).split()


@pytest.fixture
def admin(client):
    user = make_user("admin@example.com", role="Super admin")
    client.force_login(user)
    return user


def test_an_admin_exports_everything_held_on_a_contact(client, admin):
    company = make_company(name="Acme")
    contact = make_contact(
        firstname="Zoé", lastname="Durand", email="zoe@acme.example",
        associations=[("companies", company.pk, None)],
    )  # fmt: skip
    update_record("contacts", contact.pk, {"jobtitle": "Acheteuse"}, source=UI)
    update_record("contacts", contact.pk, {"jobtitle": "Directrice achats"}, source=UI)
    make_deal(dealname="Renouvellement", associations=[("contacts", contact.pk, None)])
    make_activity(
        "notes", hs_note_body="<p>Rappeler jeudi</p>", associations=[("contacts", contact.pk, None)]
    )
    other = make_contact(firstname="Autre", email="autre@example.com")
    make_activity("notes", hs_note_body="not hers", associations=[("contacts", other.pk, None)])

    response = client.get(f"/contacts/{contact.pk}/personal-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="contact-{contact.pk}-personal-data.json"'
    )
    data = json.loads(response.content)
    assert data["id"] == contact.pk and data["name"] == "Zoé Durand"
    assert data["properties"]["email"] == {"label": "Email", "value": "zoe@acme.example"}
    assert data["properties"]["jobtitle"]["value"] == "Directrice achats"
    jobs = [c["value"] for c in data["propertyHistory"] if c["property"] == "jobtitle"]
    assert jobs == ["Acheteuse", "Directrice achats"]
    assert data["associations"]["companies"] == [{"id": company.pk, "name": "Acme"}]
    assert [d["name"] for d in data["associations"]["deals"]] == ["Renouvellement"]
    notes = [a for a in data["activities"] if a["type"] == "notes"]
    assert [n["properties"]["hs_note_body"]["value"] for n in notes] == ["<p>Rappeler jeudi</p>"]
    event = AuditEvent.objects.get(action="personal_data_exported")
    assert event.actor_email == "admin@example.com"
    assert event.target == f"Zoé Durand (contact {contact.pk})"


def test_an_archived_contact_is_exported_too(client, admin):
    contact = make_contact(email="gone@example.com")
    archive_record("contacts", contact.pk, source=UI)
    response = client.get(f"/contacts/{contact.pk}/personal-data/")
    assert response.status_code == 200 and json.loads(response.content)["archived"] is True


def test_only_administrators_and_only_for_contacts(client, admin):
    contact = make_contact(email="zoe@example.com")
    company = make_company(name="Acme")
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Export personal data (GDPR)" in page
    assert "Export personal data" not in client.get(f"/companies/{company.pk}/").content.decode()
    assert client.get(f"/companies/{company.pk}/personal-data/").status_code == 404
    missing = client.get("/contacts/999999/personal-data/")
    assert missing.status_code == 404

    rep = make_user("rep@example.com")  # sees and changes every record, but no admin
    client.force_login(rep)
    assert "Export personal data" not in client.get(f"/contacts/{contact.pk}/").content.decode()
    refused = client.get(f"/contacts/{contact.pk}/personal-data/")
    assert refused.status_code == 404
    assert main_text(refused) == main_text(missing)
    assert not AuditEvent.objects.filter(action="personal_data_exported").exists()
