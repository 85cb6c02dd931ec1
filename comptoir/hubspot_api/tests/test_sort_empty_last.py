"""Empty values sort last in both directions (issue 14, point 4), as HubSpot does: the API's
search sorts and the list pages' `?sort=`, on SQLite and PostgreSQL."""

import pytest

from comptoir.core.testing.factories import make_activity, make_contact, make_user
from comptoir.core.testing.html import parse, select

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    """Busy has 2 notes (the newest), Quiet 1, Nobody none (no value for either rollup)."""
    busy = make_contact(firstname="Busy", email="busy@example.com")
    quiet = make_contact(firstname="Quiet", email="quiet@example.com")
    nobody = make_contact(firstname="Nobody", email="nobody@example.com")
    for when, who in (("2026-03-01", busy), ("2026-03-05", busy), ("2026-02-01", quiet)):
        make_activity(
            "notes",
            hs_timestamp=f"{when}T10:00:00Z",
            hs_note_body="vu",
            associations=[("contacts", who.pk, None)],
        )
    nobody.refresh_from_db()
    assert "notes_last_updated" not in nobody.properties  # an empty value, not a zero date
    return ["Busy", "Quiet", "Nobody"]


@pytest.mark.parametrize(
    ("name", "direction", "order"),
    [
        ("notes_last_updated", "DESCENDING", [0, 1, 2]),
        ("notes_last_updated", "ASCENDING", [1, 0, 2]),
        ("num_notes", "DESCENDING", [0, 1, 2]),
        ("num_notes", "ASCENDING", [1, 0, 2]),
    ],
)
def test_api_search_sorts_put_empty_values_last(contacts, http, name, direction, order):
    body = {"sorts": [{"propertyName": name, "direction": direction}], "properties": ["firstname"]}
    response = http("POST", "/crm/v3/objects/contacts/search", json=body)
    assert response.status_code == 200, response.text
    names = [r["properties"]["firstname"] for r in response.json()["results"]]
    assert names == [contacts[i] for i in order]


@pytest.mark.parametrize("sort", ["-notes_last_updated", "-num_notes"])
def test_the_list_page_sorted_descending_puts_empty_values_last(contacts, client, sort):
    client.force_login(make_user("camille@example.com", role="Super admin"))
    html = parse(client.get(f"/contacts/?sort={sort}").content.decode())
    names = [
        link.text.strip()
        for link in select(html, "table tbody tr a")
        if link.text.strip() in contacts
    ]
    assert names == contacts
